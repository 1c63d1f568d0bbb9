// Type-checks steps, solutions, checks and kit scripts, and keeps the generated
// runtime types in step with wrangler.jsonc.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../paths.ts";

function run(script: string, args: string[]) {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

import { foldersWithConfig } from "../worker-settings.ts";

// A stage folder with its own wrangler.jsonc has its own Env, so its own project.
for (const project of ["tsconfig.json", "shared/kit/tsconfig.json", "shared/classroom/tsconfig.json", ...foldersWithConfig().map((folder) => `${folder}/tsconfig.json`)]) {
  test(`TypeScript: ${project} has no errors`, () => {
    const { status, output } = run("node_modules/typescript/bin/tsc", ["-p", project]);
    assert.equal(status, 0, output);
  });
}

test("the runtime's and every wrangler.jsonc's types are current (else: npm run types)", () => {
  const { status, output } = run("shared/kit/types.ts", ["--check"]);
  assert.equal(status, 0, output);
});
