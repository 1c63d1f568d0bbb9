// What `npm run check` says once a stage passes, and how the progress table shows the optional
// stages: plain functions of check results, so no checks need to run here.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { formatProgress, formatTarget, type Progress } from "../report.ts";
import type { TargetResult } from "../run-checks.ts";
import { STAGES, stageDir, type Stage } from "../stages.ts";

const stage = (number: number) => STAGES.find((s) => s.number === number)!;
const WORKSHOP = STAGES.filter((s) => !s.optional);
const LAST = WORKSHOP.at(-1)!;
const FIRST_OPTIONAL = STAGES.find((s) => s.optional)!;

/** A starter of `last` whose checks of stages 1..last all pass. */
function finished(last: Stage): TargetResult {
  const suites = STAGES.filter((s) => s.number <= last.number).map((s) => ({ stage: s, checks: [{ name: `a check of ${s.slug}`, passed: true }] }));
  return { kind: "steps", stage: last, folder: stageDir("steps", last), suites, kitChecks: [] };
}

const text = (output: string) => stripVTControlCharacters(output);

describe("a finished stage: what comes next", () => {
  test("a workshop stage before the last points to the next one", () => {
    assert.match(text(formatTarget(finished(stage(2)))), /Next: 03 · Persistence\. Start it with npm run step -- 3 and read the guide's page http:\/\/localhost:5173\/steps\/03-persistence \(npm run docs serves it\)\./);
  });

  test("the workshop's last stage says the workshop is finished, and offers the first optional stage", () => {
    const output = text(formatTarget(finished(LAST)));
    assert.match(output, /you have finished the workshop/);
    assert.match(output, new RegExp(`the optional ${FIRST_OPTIONAL.number.toString().padStart(2, "0")} · ${FIRST_OPTIONAL.title}\\. Start it with npm run step -- ${FIRST_OPTIONAL.number}`));
  });
});

describe("the progress table", () => {
  const row = (s: Stage, status: Progress["status"]): Progress => ({ stage: s, folder: stageDir("steps", s), status, passed: status === "passed" ? 1 : 0, total: status === "not started" ? 0 : 1 });

  test("the bar counts the workshop's stages; the optional ones follow under their own heading", () => {
    const rows = STAGES.map((s) => row(s, s.optional ? "not started" : "passed"));
    const output = text(formatProgress("steps", rows));
    assert.match(output, new RegExp(`\\] ${WORKSHOP.length} of ${WORKSHOP.length} stages done\\n\\nOptional, for those who finish early\\n`));
    const [workshopPart, optionalPart] = output.split("Optional, for those who finish early");
    for (const s of STAGES) assert.ok((s.optional ? optionalPart : workshopPart).includes(s.title), `${s.slug} in the wrong part`);
    assert.match(output, new RegExp(`The workshop is done\\. Optional next: ${FIRST_OPTIONAL.number.toString().padStart(2, "0")} · ${FIRST_OPTIONAL.title}`));
  });

  test("while a workshop stage is left, it is next, whatever the optional ones show", () => {
    const rows = STAGES.map((s) => row(s, s.number === 3 ? "failing" : s.number < 3 || s.optional ? "passed" : "not started"));
    const output = text(formatProgress("steps", rows));
    assert.match(output, new RegExp(`\\] 2 of ${WORKSHOP.length} stages done`));
    assert.match(output, /\nNext: 03 · Persistence\./);
    assert.doesNotMatch(output, /The workshop is done/);
  });
});
