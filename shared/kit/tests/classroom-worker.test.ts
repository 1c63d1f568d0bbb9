// The classroom Worker's tests (shared/classroom/tests/), which run inside workerd through Vitest
// and @cloudflare/vitest-plugin: one Vitest run here, each of its tests reported as a subtest.
import assert from "node:assert/strict";
import { join } from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createVitest, type Reporter, type TestModule } from "vitest/node";
import { REPO_ROOT } from "../paths.ts";
import { inRamScratch } from "../ram-scratch.ts";

/** Fewer than this many means files or tests went missing (a run with none would pass otherwise). */
const AT_LEAST = 100;

test("the classroom Worker, in workerd", async (t) => {
  // Offline, Miniflare would try (and fail, loudly) to download Request.cf data.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
  let modules: readonly TestModule[] = [];
  let runErrors: string[] = [];
  const collect: Reporter = {
    onTestRunEnd(testModules, unhandledErrors) {
      modules = testModules;
      runErrors = unhandledErrors.map((e) => e.message ?? String(e));
    },
  };
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  const vitest = await createVitest(
    "test",
    { config: join(REPO_ROOT, "shared/classroom/vitest.config.ts"), watch: false, reporters: [collect] },
    {},
    { stdout: quiet, stderr: quiet },
  );
  const exitCode = process.exitCode;
  // What workerd logs goes to stdout, which node:test reads: keep it on stderr.
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    await inRamScratch(() => vitest.start());
  } finally {
    await vitest.close();
    process.stdout.write = write;
    // A failing Vitest test fails its subtest below, not the process behind node:test's back.
    process.exitCode = exitCode;
  }

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
