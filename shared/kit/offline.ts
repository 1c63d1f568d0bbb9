// `npm run offline:pack`: node_modules as one archive, for attendees whose `npm install` cannot
// finish at the venue. A tar archive keeps what a plain copy to a USB stick (FAT, exFAT) loses:
// the symlinks (node_modules/.bin/node is one) and the execute bits of Node and workerd.
// Attendees restore it with `tar -xzf <file>` in their clone: that needs no Node, which they
// may not have yet. The system's tar does the work: Linux and macOS have one, and so does
// Windows 10 and later (tar.exe).
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseOptions, run } from "./cli.ts";
import { REPO_ROOT } from "./paths.ts";

const USAGE = `Usage: npm run offline:pack

Writes hello-chat-offline-<platform>-<arch>.tgz in the kit's folder: this kit's node_modules,
symlinks and file modes kept. It is good only for the same operating system and CPU (Node,
workerd and esbuild in it are native programs). To restore it, in a clone of the kit:
  tar -xzf hello-chat-offline-<platform>-<arch>.tgz
then npm run doctor.`;

async function main(args: string[]): Promise<number> {
  parseOptions(args, {}, USAGE, { noArguments: true });
  // An install that skipped the kit's Node would hand every attendee the same broken copy.
  const kitNode = join(REPO_ROOT, "node_modules/.bin", process.platform === "win32" ? "node.cmd" : "node");
  if (!existsSync(kitNode)) {
    console.error(`${kitNode} is missing: run npm run doctor, and pack once it passes.`);
    return 1;
  }
  const name = `hello-chat-offline-${process.platform}-${process.arch}.tgz`;
  // A relative archive name: GNU tar would read "C:\…" as a remote host.
  const result = spawnSync("tar", ["-czf", name, "node_modules"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    // macOS's tar would add "._" files of extended attributes otherwise.
    env: { ...process.env, COPYFILE_DISABLE: "1" },
  });
  const file = join(REPO_ROOT, name);
  if (result.status !== 0) {
    rmSync(file, { force: true });
    console.error(result.error ? `tar could not start: ${result.error.message}` : `tar failed: ${result.stderr.trim()}`);
    return 1;
  }
  console.log(`Wrote ${file} (${Math.round(statSync(file).size / 1e6)} MB), for ${process.platform}-${process.arch} only.`);
  console.log(`To restore it, in a clone of the kit: tar -xzf ${name}, then npm run doctor.`);
  return 0;
}

await run(main);
