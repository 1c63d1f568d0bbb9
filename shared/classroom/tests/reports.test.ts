// Reports: who may send one, what a valid one is, how big, how often, and how "stuck" is timed.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  MAX_CHECKS, MAX_HINT_LENGTH, MAX_KIT_LENGTH, MAX_REPORT_BYTES, MAX_TITLE_LENGTH, REPORT_BURST, REPORT_REFILL_MS,
} from "../report.ts";
import { STAGES } from "../../kit/stages.ts";
import { call, callHandler, expectError, failing, join, newSession, passing, report, sendReport, snapshot, state } from "./helpers.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("a report", () => {
  it("is stored as the attendee's latest result per stage", async () => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    const response = await sendReport(session.code, ada.token, { ...report(passing(1), failing(2, "broadcasts", "Use the room's sockets.")), kit: "2.1.0" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: "Ada", stages: [1, 2] });
    const [view] = (await snapshot(session)).attendees;
    expect(view.kit).toBe("2.1.0");
    expect(view.lastReportAt).not.toBeNull();
    expect(view.stages).toMatchObject([
      { stage: 1, status: "passed", passed: 1, total: 1, firstFailing: null, failingSince: null },
      { stage: 2, status: "failing", passed: 1, total: 2, firstFailing: { stage: 2, title: "broadcasts", hint: "Use the room's sockets." } },
    ]);
    // A later report replaces a stage's result and leaves the others.
    expect((await sendReport(session.code, ada.token, report(passing(2)))).status).toBe(200);
    const [later] = (await snapshot(session)).attendees;
    expect(later.stages.map((s) => [s.stage, s.status])).toEqual([[1, "passed"], [2, "passed"]]);
  });
});

describe("who may report", () => {
  it("without a token: 401", async () => {
    const session = await newSession();
    await join(session.code, "Ada");
    await expectError(await sendReport(session.code, "", report(passing(1))), 401, /^Join the session first/);
    const basic = await call(`/api/sessions/${session.code}/reports`, { method: "POST", headers: { Authorization: "Basic YWRhOnNlY3JldA==" }, body: "{}" });
    await expectError(basic, 401, /^Join the session first/);
  });

  it.each([
    ["another attendee's id with one's own secret", (ada: { id: string; secret: string }, bob: { id: string; secret: string }) => `${bob.id}.${ada.secret}`],
    ["a wrong secret", (ada: { id: string }) => `${ada.id}.not-the-secret`],
    ["no secret", (ada: { id: string }) => ada.id],
    ["an unknown id", (ada: { secret: string }) => `00000000-0000-0000-0000-000000000000.${ada.secret}`],
  ])("with %s: 403, and nothing changes", async (_, token) => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    const bob = await join(session.code, "Bob");
    const before = await state(session);
    await expectError(await sendReport(session.code, token(ada, bob), report(failing(1, "echoes"))), 403, /has not joined this session/);
    expect(await state(session)).toEqual(before);
    await expectError(await call(`/api/sessions/${session.code}/attendees/me`, { method: "DELETE", headers: { Authorization: `Bearer ${token(ada, bob)}` } }), 403, /has not joined/);
    expect(await state(session)).toEqual(before);
  });

  it("another session's attendee: 403", async () => {
    const one = await newSession();
    const other = await newSession();
    const ada = await join(other.code, "Ada");
    await expectError(await sendReport(one.code, ada.token, report(passing(1))), 403, /has not joined this session/);
  });
});

describe("a report's body", () => {
  it("that is not JSON: 400", async () => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    await expectError(await sendReport(session.code, ada.token, '{"kit": "1",'), 400, "The body must be JSON.");
    expect((await snapshot(session)).attendees[0].lastReportAt).toBeNull();
  });

  it(`over ${MAX_REPORT_BYTES / 1024} KiB: 413, by its Content-Length before reading it`, async () => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    const tooLong = JSON.stringify({ ...report(passing(1)), pad: "x".repeat(MAX_REPORT_BYTES) });
    await expectError(await sendReport(session.code, ada.token, tooLong), 413, `A request body may be at most ${MAX_REPORT_BYTES / 1024} KiB.`);
    // A small body that claims to be big: only the header can have refused it.
    const request = new Request(`http://classroom.test/api/sessions/${session.code}/reports`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ada.token}`, "Content-Length": String(MAX_REPORT_BYTES + 1) },
      body: JSON.stringify(report(passing(1))),
    });
    expect(request.headers.get("Content-Length")).toBe(String(MAX_REPORT_BYTES + 1));
    await expectError(await callHandler(request), 413, /at most \d+ KiB/);
    expect((await snapshot(session)).attendees[0].lastReportAt).toBeNull();
  });

  it(`over ${MAX_REPORT_BYTES / 1024} KiB without a Content-Length: 413, by its actual size in bytes`, async () => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    // "é" is two bytes: under the limit in characters, over it in bytes.
    const text = JSON.stringify({ ...report(passing(1)), pad: "é".repeat(MAX_REPORT_BYTES / 2) });
    expect(text.length).toBeLessThan(MAX_REPORT_BYTES);
    const stream = new Blob([text]).stream();
    const request = new Request(`http://classroom.test/api/sessions/${session.code}/reports`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ada.token}` },
      body: stream,
    });
    expect(request.headers.get("Content-Length")).toBeNull();
    await expectError(await callHandler(request), 413, /at most \d+ KiB/);
    expect((await snapshot(session)).attendees[0].lastReportAt).toBeNull();
  });

  it("of exactly the limit is read", async () => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    const body = JSON.stringify({ ...report(passing(1)), pad: "" });
    const exact = body.replace('"pad":""', `"pad":"${"x".repeat(MAX_REPORT_BYTES - body.length)}"`);
    expect(new TextEncoder().encode(exact).length).toBe(MAX_REPORT_BYTES);
    expect((await sendReport(session.code, ada.token, exact)).status).toBe(200);
  });
});

describe("an invalid report", () => {
  const base = report(passing(1));
  const resultsRule = `results must list 1 to ${STAGES.length} stages`;
  const stageRule = `stage must be one of ${STAGES.map((s) => s.number).join(", ")}`;
  const kitRule = `kit must be a string of 1 to ${MAX_KIT_LENGTH} characters`;
  const titleRule = `stage 1: a check's title must be 1 to ${MAX_TITLE_LENGTH} characters`;
  const hintRule = `stage 1: a hint must be 1 to ${MAX_HINT_LENGTH} characters`;
  const checks = (n: number, stage = 1) => Array.from({ length: n }, (_, i) => ({ stage, title: `check ${i}`, passed: true }));
  it.each<[string, unknown, string]>([
    ["a list", [base], "the report must be a JSON object"],
    ["null", null, "the report must be a JSON object"],
    ["no kit", { ...base, kit: undefined }, kitRule],
    ["an empty kit", { ...base, kit: "" }, kitRule],
    [`a kit of ${MAX_KIT_LENGTH + 1} characters`, { ...base, kit: "1".repeat(MAX_KIT_LENGTH + 1) }, kitRule],
    ["a negative at", { ...base, at: -1 }, "at must be a time in milliseconds"],
    ["a fractional at", { ...base, at: 1.5 }, "at must be a time in milliseconds"],
    ["an at in words", { ...base, at: "now" }, "at must be a time in milliseconds"],
    ["no results", { ...base, results: [] }, resultsRule],
    ["results that are not a list", { ...base, results: passing(1) }, resultsRule],
    ["more results than stages", { ...base, results: Array.from({ length: STAGES.length + 1 }, () => passing(1)) }, resultsRule],
    ["a result that is not an object", { ...base, results: ["passed"] }, "each result must be an object"],
    ["stage 0", { ...base, results: [{ ...passing(1), stage: 0 }] }, stageRule],
    ["a stage past the last", { ...base, results: [{ ...passing(1), stage: STAGES.length + 1 }] }, stageRule],
    ["a stage in words", { ...base, results: [{ ...passing(1), stage: "1" }] }, stageRule],
    ["an unknown status", { ...base, results: [{ ...passing(1), status: "done" }] }, 'stage 1: status must be "passed" or "failing"'],
    ["checks that are not a list", { ...base, results: [{ ...passing(1), checks: {} }] }, "stage 1: checks must be a list"],
    ["a check that is not an object", { ...base, results: [{ ...passing(1), checks: ["ok"] }] }, "stage 1: each check must be an object"],
    ["a check of a later stage", { ...base, results: [{ ...passing(1), checks: checks(1, 2) }] }, "stage 1: a check's stage must be 1 to 1"],
    ["a check of no stage", { ...base, results: [{ ...passing(1), checks: [{ title: "a", passed: true }] }] }, "stage 1: a check's stage must be 1 to 1"],
    ["an empty title", { ...base, results: [{ ...passing(1), checks: [{ stage: 1, title: "", passed: true }] }] }, titleRule],
    [`a title of ${MAX_TITLE_LENGTH + 1} characters`, { ...base, results: [{ ...passing(1), checks: [{ stage: 1, title: "t".repeat(MAX_TITLE_LENGTH + 1), passed: true }] }] }, titleRule],
    ["a title with a control character", { ...base, results: [{ ...passing(1), checks: [{ stage: 1, title: "a\u001b[31m", passed: true }] }] }, titleRule],
    ["a passed in words", { ...base, results: [{ ...passing(1), checks: [{ stage: 1, title: "a", passed: "yes" }] }] }, "stage 1: a check's passed must be true or false"],
    ["passed with a failing check", { ...base, results: [{ ...failing(1, "echoes"), status: "passed", firstFailing: undefined }] }, 'stage 1: status "passed" does not match its checks'],
    ["passed with no checks", { ...base, results: [{ ...passing(1), checks: [] }] }, 'stage 1: status "passed" does not match its checks'],
    ["failing, naming no first failing check", { ...base, results: [{ ...failing(1, "echoes"), firstFailing: undefined }] }, "stage 1: a failing stage names its first failing check (firstFailing)"],
    ["failing with every check passed", { ...base, results: [{ ...passing(1), status: "failing" }] }, 'stage 1: status "failing" does not match its checks'],
    ["a passed stage with a first failing check", { ...base, results: [{ ...passing(1), firstFailing: { stage: 1, title: "a" } }] }, "stage 1: a passed stage has no failing check"],
    ["a first failing check with no stage", { ...base, results: [{ ...failing(1, "echoes"), firstFailing: { title: "echoes" } }] }, "stage 1: firstFailing must have a stage and a title"],
    ["a first failing check with no title", { ...base, results: [{ ...failing(1, "echoes"), firstFailing: { stage: 1, title: "" } }] }, "stage 1: firstFailing must have a stage and a title"],
    [`a hint of ${MAX_HINT_LENGTH + 1} characters`, { ...base, results: [failing(1, "echoes", "h".repeat(MAX_HINT_LENGTH + 1))] }, hintRule],
    ["a hint with a control character", { ...base, results: [failing(1, "echoes", "see\u0000here")] }, hintRule],
    ["the same stage twice", { ...base, results: [passing(1), passing(1)] }, "stage 1 is reported twice"],
    [`${MAX_CHECKS + 1} checks`, { ...base, results: [{ stage: 10, status: "passed", checks: checks(MAX_CHECKS + 1, 10) }] }, `a report may hold at most ${MAX_CHECKS} checks (got ${MAX_CHECKS + 1})`],
  ])("with %s: 400, and nothing is stored", async (_, body, problem) => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    const before = await state(session);
    await expectError(await sendReport(session.code, ada.token, body), 400, `The report is not valid: ${problem}.`);
    expect(await state(session)).toEqual(before);
  });

  it("does not count against the rate limit", async () => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    for (let i = 0; i < REPORT_BURST + 2; i++) expect((await sendReport(session.code, ada.token, { kit: "" })).status).toBe(400);
    expect((await sendReport(session.code, ada.token, report(passing(1)))).status).toBe(200);
  });
});

describe("the rate limit", () => {
  it(`lets ${REPORT_BURST} reports through, then 429 with Retry-After until time passes`, async () => {
    // The object runs in this isolate: a fake Date is its clock too.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(1_800_000_000_000);
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    for (let i = 0; i < REPORT_BURST; i++) expect((await sendReport(session.code, ada.token, report(passing(1)))).status).toBe(200);
    const refused = await sendReport(session.code, ada.token, report(passing(2)));
    expect(refused.headers.get("Retry-After")).toBe("1");
    await expectError(refused, 429, "Too many reports: wait 1 s.");
    expect((await snapshot(session)).attendees[0].stages.map((s) => s.stage)).toEqual([1]);

    vi.setSystemTime(Date.now() + REPORT_REFILL_MS / 2);
    await expectError(await sendReport(session.code, ada.token, report(passing(1))), 429, "Too many reports: wait 1 s.");
    vi.setSystemTime(Date.now() + REPORT_REFILL_MS / 2);
    expect((await sendReport(session.code, ada.token, report(passing(2)))).status).toBe(200);
    expect((await sendReport(session.code, ada.token, report(passing(2)))).status).toBe(429);

    // A long pause refills the burst, and no more than the burst.
    vi.setSystemTime(Date.now() + 100 * REPORT_REFILL_MS);
    for (let i = 0; i < REPORT_BURST; i++) expect((await sendReport(session.code, ada.token, report(passing(1)))).status).toBe(200);
    expect((await sendReport(session.code, ada.token, report(passing(1)))).status).toBe(429);
  });

  it("holds for reports sent all at once", async () => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    const statuses = await Promise.all(Array.from({ length: REPORT_BURST + 5 }, () => sendReport(session.code, ada.token, report(passing(1))).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(REPORT_BURST);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });

  it("is per attendee", async () => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    const bob = await join(session.code, "Bob");
    for (let i = 0; i < REPORT_BURST; i++) await sendReport(session.code, ada.token, report(passing(1)));
    expect((await sendReport(session.code, ada.token, report(passing(1)))).status).toBe(429);
    expect((await sendReport(session.code, bob.token, report(passing(1)))).status).toBe(200);
  });
});

describe("failingSince", () => {
  it("stays while the same first check fails, restarts when it changes, and is null once passed", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = 1_800_000_000_000;
    const minute = 60_000;
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    const since = async (at: number, result: ReturnType<typeof passing>) => {
      vi.setSystemTime(at);
      expect((await sendReport(session.code, ada.token, report(result))).status).toBe(200);
      return (await snapshot(session)).attendees[0].stages.find((s) => s.stage === result.stage)!.failingSince;
    };
    expect(await since(t0, failing(2, "broadcasts"))).toBe(t0);
    expect(await since(t0 + minute, failing(2, "broadcasts"))).toBe(t0);
    // Another hint for the same check is still the same check.
    expect(await since(t0 + 2 * minute, failing(2, "broadcasts", "Another hint."))).toBe(t0);
    // The same title in another stage is another check.
    const otherStage = { ...failing(2, "broadcasts"), checks: [{ stage: 1, title: "broadcasts", passed: false }], firstFailing: { stage: 1, title: "broadcasts" } };
    expect(await since(t0 + 3 * minute, otherStage)).toBe(t0 + 3 * minute);
    expect(await since(t0 + 4 * minute, failing(2, "keeps names"))).toBe(t0 + 4 * minute);
    expect(await since(t0 + 5 * minute, failing(2, "keeps names"))).toBe(t0 + 4 * minute);
    expect(await since(t0 + 6 * minute, passing(2))).toBeNull();
    // Failing again at a check that failed before starts over.
    expect(await since(t0 + 7 * minute, failing(2, "keeps names"))).toBe(t0 + 7 * minute);
  });

  it("is kept per stage", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    vi.setSystemTime(1_800_000_000_000);
    await sendReport(session.code, ada.token, report(failing(1, "echoes")));
    vi.setSystemTime(1_800_000_060_000);
    await sendReport(session.code, ada.token, report(failing(2, "broadcasts")));
    const stages = (await snapshot(session)).attendees[0].stages;
    expect(stages.map((s) => s.failingSince)).toEqual([1_800_000_000_000, 1_800_000_060_000]);
  });
});
