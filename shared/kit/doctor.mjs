// `npm run doctor` starts here, in plain JavaScript, because it must speak on any Node: when the
// kit's own Node never arrived (npm set to ignore-scripts, say), npm runs whatever Node is on the
// PATH, and one older than 22.18 cannot run the kit's .ts files. It says so instead of crashing.
import { readFileSync } from "node:fs";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const kitNode = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).devDependencies.node;
  console.error(
    `✗ This is Node.js ${process.version} from your PATH, not the kit's own Node.js ${kitNode}: the kit's never arrived.\n` +
      "  If `npm config get ignore-scripts` prints true, npm skipped the scripts that install it.\n" +
      "  Fix: npm ci --ignore-scripts=false   (then npm run doctor again)",
  );
  process.exitCode = 1;
} else {
  await import("./doctor.ts");
}
