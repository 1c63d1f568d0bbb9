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
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

for (const project of ["tsconfig.json", "shared/kit/tsconfig.json"]) {
  test(`TypeScript: ${project} has no errors`, () => {
    const { status, output } = run("node_modules/typescript/bin/tsc", ["-p", project]);
    assert.equal(status, 0, output);
  });
}

test("worker-configuration.d.ts matches wrangler.jsonc (else: npx wrangler types)", () => {
  const { status, output } = run("node_modules/wrangler/bin/wrangler.js", ["types", "--check"]);
  assert.equal(status, 0, output);
});
