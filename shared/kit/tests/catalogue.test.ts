// The mistakes catalogue (shared/checks/mistakes/), proven: every wrong version of a stage that
// people really write makes `npm run check` fail, first at the check the catalogue names and
// with the message written for it, never with a bare timeout. All of them run in one Vitest run,
// and each folder's checks stop at its first failure on behaviour: only that one is asked about.
// The longest file of npm test, named so that it sorts, and starts, first.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { applyMistake, catalogue, writeMistake } from "../../checks/mistakes/catalogue.ts";
import { REPO_ROOT } from "../paths.ts";
import { allPassed, firstToFix, runChecks, type Target } from "../run-checks.ts";

// Scratch folders .state/<slug>~mistake-<n>, as deep as steps/<slug>, so "../../../shared" resolves.
// MISTAKES=05,06 proves only those stages' mistakes (while working on them); npm test proves all.
const only = process.env.MISTAKES?.split(",");
const cases = (await catalogue()).filter(({ stage }) => !only || only.some((n) => stage.slug.startsWith(n.padStart(2, "0")))).flatMap(({ stage, mistakes }) =>
  mistakes.map((mistake, i) => ({ stage, mistake, folder: `.state/${stage.slug}~mistake-${i + 1}` })),
);
const removeAll = () => cases.forEach(({ folder }) => rmSync(join(REPO_ROOT, folder), { recursive: true, force: true }));
removeAll();
after(removeAll);
for (const { stage, mistake, folder } of cases) writeMistake(folder, applyMistake(stage, mistake));
// Many folders to a runtime cost far less CPU than one each, and the folders of one runtime take
// turns. As many runtimes as Vitest runs at once (7) finish together: with 8, the eighth ran alone
// at the end (217 s against 159 s alone); 14 finished sooner alone (133 s) but loaded the machine
// so much that other files' checks, over real sockets, missed their 2 s (docs/reference/benchmarks.md).
// Even with 7, a frame that should come missed its 2 s (CI, 7 December: two correct earlier-stage
// checks failed), so the checks here wait 5 s for what must come (`patience`); 15 s more in all.
const RUNTIMES = 7;
const results = await runChecks(cases.map(({ stage, folder }): Target => ({ kind: "steps", stage, folder })), {
  together: Math.ceil(cases.length / RUNTIMES),
  workers: RUNTIMES,
  stopAtFirst: true,
  patience: 2.5,
});

describe("the mistakes catalogue", () => {
  test("every stage has at least 6 mistakes", async () => {
    for (const { stage, mistakes } of await catalogue()) assert.ok(mistakes.length >= 6, `${stage.slug}: ${mistakes.length}`);
  });

  for (const [i, { stage, mistake }] of cases.entries()) {
    test(`${stage.slug}: ${mistake.did}`, () => {
      const result = results[i];
      const loadError = result.suites.find((s) => s.error)?.error;
      assert.equal(loadError, undefined, `the mistaken code should load and run its checks: ${loadError}`);
      assert.equal(allPassed(result), false, "npm run check passes this mistake");
      // The check the report tells the attendee to start with.
      const first = firstToFix(result)!.check;
      assert.ok([mistake.fails].flat().includes(first.name), `first failing check: ${first.name}\n${first.error}`);
      const output = first.error ?? "";
      assert.match(output, /^(Expected|Could not test)[^]*\nGot: [^]*\nHint: /, "the failure reads Expected/Got/Hint");
      assert.doesNotMatch(output, /Test timed out|testTimeout/, "a timeout reads as a check failure");
      assert.ok(output.includes(mistake.says), `the failure should contain ${JSON.stringify(mistake.says)}:\n${output}`);
    });
  }
});
