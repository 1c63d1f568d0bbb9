// The classroom's pure parts (shared/classroom/report.ts, export.ts): what a valid report is, the
// join code in an address, and the CSV export's quoting. The Worker itself is tested in workerd
// (classroom-worker.test.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toCsv } from "../../classroom/export.ts";
import {
  CODE_ALPHABET, MAX_CHECKS, MAX_HINT_LENGTH, MAX_KIT_LENGTH, MAX_TITLE_LENGTH, codeOf, readReport,
  type AttendeeView, type SnapshotFrame, type StageReport,
} from "../../classroom/report.ts";

const STAGE_NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const passing = (stage: number): StageReport => ({
  stage, status: "passed", checks: Array.from({ length: stage }, (_, i) => ({ stage: i + 1, title: `check ${i + 1}`, passed: true })),
});
const failing = (stage: number, title: string, hint?: string): StageReport => ({
  stage, status: "failing", checks: [{ stage, title, passed: false }], firstFailing: { stage, title, ...(hint === undefined ? {} : { hint }) },
});
const valid = { kit: "1.0.0", at: 1_700_000_000_000, results: [passing(1)] };
const withResult = (result: unknown) => ({ ...valid, results: [result] });

describe("readReport", () => {
  test("returns a valid report as it was sent", () => {
    const report = { kit: "1.0.0", at: 0, results: [passing(1), failing(2, "broadcasts", "Use the sockets.")] };
    assert.deepEqual(readReport(report, STAGE_NUMBERS), report);
  });

  test("accepts the limits themselves", () => {
    const title = "t".repeat(MAX_TITLE_LENGTH);
    const report = {
      kit: "k".repeat(MAX_KIT_LENGTH),
      at: Number.MAX_SAFE_INTEGER,
      results: [
        { stage: 10, status: "passed", checks: Array.from({ length: MAX_CHECKS - 1 }, () => ({ stage: 10, title, passed: true })) },
        failing(1, title, "h".repeat(MAX_HINT_LENGTH)),
      ],
    };
    assert.equal(typeof readReport(report, STAGE_NUMBERS), "object");
  });

  const cases: [string, unknown, string][] = [
    ["a list", [], "the report must be a JSON object"],
    ["null", null, "the report must be a JSON object"],
    ["a string", "report", "the report must be a JSON object"],
    ["no kit", { ...valid, kit: undefined }, `kit must be a string of 1 to ${MAX_KIT_LENGTH} characters`],
    ["an empty kit", { ...valid, kit: "" }, `kit must be a string of 1 to ${MAX_KIT_LENGTH} characters`],
    ["a kit too long", { ...valid, kit: "k".repeat(MAX_KIT_LENGTH + 1) }, `kit must be a string of 1 to ${MAX_KIT_LENGTH} characters`],
    ["a negative at", { ...valid, at: -1 }, "at must be a time in milliseconds"],
    ["an at past safe integers", { ...valid, at: 2 ** 53 }, "at must be a time in milliseconds"],
    ["an at of NaN", { ...valid, at: Number.NaN }, "at must be a time in milliseconds"],
    ["no results", { ...valid, results: [] }, "results must list 1 to 10 stages"],
    ["more results than stages", { ...valid, results: Array.from({ length: 11 }, (_, i) => passing((i % 10) + 1)) }, "results must list 1 to 10 stages"],
    ["a result that is null", withResult(null), "each result must be an object"],
    ["a stage not in the list", withResult({ ...passing(1), stage: 11 }), "stage must be one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"],
    ["a stage as text", withResult({ ...passing(1), stage: "1" }), "stage must be one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"],
    ["an unknown status", withResult({ ...passing(1), status: "ok" }), 'stage 1: status must be "passed" or "failing"'],
    ["checks that are not a list", withResult({ ...passing(1), checks: "all" }), "stage 1: checks must be a list"],
    ["a check that is a list", withResult({ ...passing(1), checks: [[]] }), "stage 1: each check must be an object"],
    ["a check of a later stage", withResult({ ...passing(2), checks: [{ stage: 3, title: "a", passed: true }] }), "stage 2: a check's stage must be 1 to 2"],
    ["a check of an unknown stage", withResult({ ...passing(2), checks: [{ stage: 0, title: "a", passed: true }] }), "stage 2: a check's stage must be 1 to 2"],
    ["an empty title", withResult({ ...passing(1), checks: [{ stage: 1, title: "", passed: true }] }), `stage 1: a check's title must be 1 to ${MAX_TITLE_LENGTH} characters`],
    ["a title too long", withResult({ ...passing(1), checks: [{ stage: 1, title: "t".repeat(MAX_TITLE_LENGTH + 1), passed: true }] }), `stage 1: a check's title must be 1 to ${MAX_TITLE_LENGTH} characters`],
    ["a title with an escape sequence", withResult({ ...passing(1), checks: [{ stage: 1, title: "\u001b[2Jcleared", passed: true }] }), `stage 1: a check's title must be 1 to ${MAX_TITLE_LENGTH} characters`],
    ["a passed that is a number", withResult({ ...passing(1), checks: [{ stage: 1, title: "a", passed: 1 }] }), "stage 1: a check's passed must be true or false"],
    ["passed with a failing check", withResult({ ...failing(1, "a"), status: "passed", firstFailing: undefined }), 'stage 1: status "passed" does not match its checks'],
    ["passed with no checks", withResult({ stage: 1, status: "passed", checks: [] }), 'stage 1: status "passed" does not match its checks'],
    ["failing with no failing check", withResult({ ...passing(1), status: "failing" }), 'stage 1: status "failing" does not match its checks'],
    ["a failing stage that names no first failing check", withResult({ ...failing(1, "a"), firstFailing: undefined }), "stage 1: a failing stage names its first failing check (firstFailing)"],
    ["a first failing check on a passed stage", withResult({ ...passing(1), firstFailing: { stage: 1, title: "a" } }), "stage 1: a passed stage has no failing check"],
    ["a first failing check that is text", withResult({ ...failing(1, "a"), firstFailing: "a" }), "stage 1: firstFailing must have a stage and a title"],
    ["a first failing check with a title too long", withResult({ ...failing(1, "a"), firstFailing: { stage: 1, title: "t".repeat(MAX_TITLE_LENGTH + 1) } }), "stage 1: firstFailing must have a stage and a title"],
    ["an empty hint", withResult(failing(1, "a", "")), `stage 1: a hint must be 1 to ${MAX_HINT_LENGTH} characters`],
    ["a hint too long", withResult(failing(1, "a", "h".repeat(MAX_HINT_LENGTH + 1))), `stage 1: a hint must be 1 to ${MAX_HINT_LENGTH} characters`],
    ["a hint with a control character", withResult(failing(1, "a", "line\u0007")), `stage 1: a hint must be 1 to ${MAX_HINT_LENGTH} characters`],
    ["a stage twice", { ...valid, results: [passing(2), failing(2, "a")] }, "stage 2 is reported twice"],
    [
      "too many checks in all",
      { ...valid, results: [passing(1), { stage: 10, status: "passed", checks: Array.from({ length: MAX_CHECKS }, () => ({ stage: 10, title: "a", passed: true })) }] },
      `a report may hold at most ${MAX_CHECKS} checks (got ${MAX_CHECKS + 1})`,
    ],
  ];
  for (const [what, report, problem] of cases) {
    test(`refuses ${what}: "${problem}"`, () => {
      assert.equal(readReport(report, STAGE_NUMBERS), problem);
    });
  }

  test("checks stages against the numbers it is given", () => {
    assert.equal(readReport(withResult(passing(1)), [2, 3]), "stage must be one of 2, 3");
  });
});

describe("codeOf", () => {
  test("finds the code in a join address, a dashboard address, or one with a trailing slash", () => {
    assert.equal(codeOf("http://localhost:8790/c/K7MQ4P"), "K7MQ4P");
    assert.equal(codeOf("https://classroom.example.workers.dev/c/K7MQ4P/dashboard#key=abc"), "K7MQ4P");
    assert.equal(codeOf("http://localhost:8790/c/K7MQ4P/"), "K7MQ4P");
  });

  test("reads a code typed in lower case", () => {
    assert.equal(codeOf("http://localhost:8790/c/k7mq4p"), "K7MQ4P");
  });

  test("finds nothing in an address without a code, a malformed code, or text that is not an address", () => {
    for (const address of [
      "http://localhost:8790/",
      "http://localhost:8790/c/",
      "http://localhost:8790/c/K7MQ4",
      "http://localhost:8790/c/K7MQ4PX",
      "http://localhost:8790/c/K7MQ0P",
      "http://localhost:8790/c/K7MQIP",
      "http://localhost:8790/abc/K7MQ4P",
      "K7MQ4P",
      "",
    ]) {
      assert.equal(codeOf(address), undefined, address);
    }
  });

  test("the code alphabet has no characters read alike", () => {
    assert.equal(CODE_ALPHABET.length, 31);
    for (const confusable of "01OIL") assert.ok(!CODE_ALPHABET.includes(confusable), confusable);
  });
});

describe("toCsv", () => {
  const attendee = (name: string, stages: AttendeeView["stages"] = [], extra: Partial<AttendeeView> = {}): AttendeeView => ({
    id: "id-" + name, name, joinedAt: Date.UTC(2026, 0, 1, 9), lastReportAt: null, leftAt: null, kit: null, stages, ...extra,
  });
  const csv = (...attendees: AttendeeView[]) =>
    toCsv({ type: "snapshot", code: "K7MQ4P", createdAt: 0, now: 0, stuckAfterMs: 600_000, stages: [], attendees } satisfies SnapshotFrame);
  const stage = (number: number, title: string | null): AttendeeView["stages"][number] => ({
    stage: number,
    status: title === null ? "passed" : "failing",
    passed: 1,
    total: title === null ? 1 : 2,
    firstFailing: title === null ? null : { stage: number, title },
    failingSince: title === null ? null : Date.UTC(2026, 0, 1, 9, 30),
    reportedAt: Date.UTC(2026, 0, 1, 9, 45),
  });
  const HEADER = "name,stage,status,passed,total,first_failing_check,failing_since,reported_at,joined_at,left_at,kit";

  test("has a header, then one CRLF-ended row per attendee and stage", () => {
    const text = csv(attendee("Ada", [stage(1, null), stage(2, "broadcasts")], { kit: "1.0.0", leftAt: Date.UTC(2026, 0, 1, 10) }));
    assert.equal(
      text,
      [
        HEADER,
        "Ada,1,passed,1,1,,,2026-01-01T09:45:00.000Z,2026-01-01T09:00:00.000Z,2026-01-01T10:00:00.000Z,1.0.0",
        "Ada,2,failing,1,2,broadcasts,2026-01-01T09:30:00.000Z,2026-01-01T09:45:00.000Z,2026-01-01T09:00:00.000Z,2026-01-01T10:00:00.000Z,1.0.0",
        "",
      ].join("\r\n"),
    );
  });

  test("gives an attendee who has not reported a row of its own", () => {
    assert.equal(csv(attendee("Bob")), `${HEADER}\r\nBob,,not started,,,,,,2026-01-01T09:00:00.000Z,,\r\n`);
  });

  test("has only the header for a session nobody joined", () => {
    assert.equal(csv(), `${HEADER}\r\n`);
  });

  test("never writes an attendee's id", () => {
    assert.ok(!csv(attendee("Ada", [stage(1, null)])).includes("id-Ada"));
  });

  test("quotes a cell with a comma, a quote or a line break, doubling its quotes", () => {
    const cases: [string, string][] = [
      ["keeps a, b", '"keeps a, b"'],
      ['says "hi"', '"says ""hi"""'],
      ["two\nlines", '"two\nlines"'],
      ["two\r\nlines", '"two\r\nlines"'],
    ];
    for (const [title, quoted] of cases) {
      const text = csv(attendee("Ada", [stage(1, title)]));
      assert.ok(text.includes(`,${quoted},`), JSON.stringify(text));
      assert.equal(parse(text)[1][5], title);
    }
  });

  test("keeps a cell a spreadsheet would run as a formula as text, with a leading '", () => {
    for (const name of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) {
      assert.equal(parse(csv(attendee(name)))[1][0], `'${name}`, JSON.stringify(name));
    }
    const link = csv(attendee('=HYPERLINK("http://evil","click")')).split("\r\n")[1];
    assert.ok(link.startsWith(`"'=HYPERLINK(""http://evil"",""click"")",`), link);
  });

  test("leaves other cells as they are, and a spreadsheet reads back every cell", () => {
    const names = ["Ada", "O'Brien", "Zoë 😀", "a, b", 'say "x"', "x=1", "1-2"];
    const rows = parse(csv(...names.map((name) => attendee(name))));
    assert.deepEqual(rows.slice(1).map((row) => row[0]), names);
    assert.equal(csv(attendee("Ada")).split("\r\n")[1].split(",")[0], "Ada");
    assert.ok(rows.every((row) => row.length === 11));
  });
});

/** RFC 4180, as a spreadsheet reads it. */
function parse(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\r" && text[i + 1] === "\n") rows.push([...row, cell]), (row = []), (cell = ""), i++;
    else cell += c;
  }
  return rows;
}
