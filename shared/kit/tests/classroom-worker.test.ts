// The classroom Worker's tests (shared/classroom/tests/), which run inside workerd through Vitest
// and @cloudflare/vitest-plugin: one Vitest run here, each of its tests reported as a subtest.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../paths.ts";
import { runVitest } from "../vitest-run.ts";

/** Fewer than this many means files or tests went missing (a run with none would pass otherwise). */
const AT_LEAST = 100;

test("the classroom Worker, in workerd", async (t) => {
  const { modules, errors: runErrors } = await runVitest({ config: join(REPO_ROOT, "shared/classroom/vitest.config.ts") });
  assert.deepEqual(runErrors, [], "errors outside any test");
  for (const module of modules) {
    const file = module.relativeModuleId;
    assert.deepEqual(module.errors().map((e) => e.message), [], `${file} did not run`);
    for (const vitestTest of module.children.allTests()) {
      await t.test(`${file} > ${vitestTest.fullName}`, () => {
        const result = vitestTest.result();
        if (result.state === "failed") assert.fail(result.errors?.map((e) => e.message).join("\n") ?? "failed");
        assert.equal(result.state, "passed");
      });
    }
  }
  const count = modules.reduce((sum, module) => sum + [...module.children.allTests()].length, 0);
  assert.ok(count >= AT_LEAST, `only ${count} tests ran in ${modules.length} files (expected at least ${AT_LEAST})`);
});
