// `npm run types`: writes the TypeScript types wrangler derives from the configuration, where
// tsconfig.json files expect them: the runtime's once, Env for the kit's wrangler.jsonc, and Env
// for each stage folder with its own. With --check, changes nothing and fails if one is stale.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.ts";
import { foldersWithConfig } from "./worker-settings.ts";

const WRANGLER = join(REPO_ROOT, "node_modules/wrangler/bin/wrangler.js");
const check = process.argv.includes("--check") ? ["--check"] : [];

const runs = [
  { cwd: ".", args: ["--include-env=false", "worker-runtime.d.ts"] },
  { cwd: ".", args: ["--include-runtime=false"] },
  ...foldersWithConfig().map((folder) => ({ cwd: folder, args: ["--include-runtime=false"] })),
  // The classroom Worker (npm run classroom) has its own configuration too.
  { cwd: "shared/classroom", args: ["--include-runtime=false"] },
];
let failed = 0;
for (const { cwd, args } of runs) {
  const result = spawnSync(process.execPath, [WRANGLER, "types", ...args, ...check], {
    cwd: join(REPO_ROOT, cwd),
    encoding: "utf8",
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });
  const where = join(cwd, args.at(-1)!.endsWith(".d.ts") ? args.at(-1)! : "worker-configuration.d.ts");
  if (result.status === 0) console.log(`${check.length ? "up to date" : "written"}: ${where}`);
  else {
    failed++;
    console.error(`${check.length ? "stale (run npm run types)" : "failed"}: ${where}\n${result.stdout}${result.stderr}`);
  }
}
process.exitCode = failed ? 1 : 0;
