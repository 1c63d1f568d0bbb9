// `npm run types`: writes the TypeScript types wrangler derives from the configuration, where
// tsconfig.json files expect them: the runtime's once, Env for the kit's wrangler.jsonc, and Env
// for each stage folder with its own. With --check, changes nothing and fails if one is stale.
import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseOptions, run } from "./cli.ts";
import { REPO_ROOT } from "./paths.ts";
import { WRANGLER, WRANGLER_ENV } from "./wrangler.ts";
import { foldersWithConfig } from "./worker-settings.ts";

const USAGE = `Usage: npm run types [-- --check]

Writes the types wrangler derives from each wrangler.jsonc (worker-configuration.d.ts) and the
runtime's (worker-runtime.d.ts). With --check, changes nothing and fails if one is out of date.`;

type Run = { cwd: string; args: string[] };

async function main(argv: string[]): Promise<number> {
  const { values } = parseOptions(argv, { check: { type: "boolean" } }, USAGE, { noArguments: true });
  const check = values.check ? ["--check"] : [];
  const runs: Run[] = [
    { cwd: ".", args: ["--include-env=false", "worker-runtime.d.ts"] },
    { cwd: ".", args: ["--include-runtime=false"] },
    ...foldersWithConfig().map((folder) => ({ cwd: folder, args: ["--include-runtime=false"] })),
    // The classroom Worker (npm run classroom) has its own configuration too.
    { cwd: "shared/classroom", args: ["--include-runtime=false"] },
  ];
  // Each run is a wrangler of its own, about a second of CPU: as many at once as there are cores.
  const outcomes: { ok: boolean; output: string }[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), runs.length) }, async () => {
    for (let i = next++; i < runs.length; i = next++) outcomes[i] = await types(runs[i], check);
  }));
  let failed = 0;
  for (const [i, { cwd, args }] of runs.entries()) {
    const where = join(cwd, args.at(-1)!.endsWith(".d.ts") ? args.at(-1)! : "worker-configuration.d.ts");
    if (outcomes[i].ok) console.log(`${check.length ? "up to date" : "written"}: ${where}`);
    else {
      failed++;
      console.error(`${check.length ? "stale (run npm run types)" : "failed"}: ${where}\n${outcomes[i].output}`);
    }
  }
  return failed ? 1 : 0;
}

function types({ cwd, args }: Run, check: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [WRANGLER, "types", ...args, ...check], { cwd: join(REPO_ROOT, cwd), env: { ...process.env, ...WRANGLER_ENV } }, (error, stdout, stderr) =>
      resolve({ ok: !error, output: `${stdout}${stderr}` }),
    );
  });
}

await run(main);
