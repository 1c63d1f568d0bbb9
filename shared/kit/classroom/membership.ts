// Whether this checkout has joined a classroom (`npm run classroom:join`), and sending each check
// run's results there. Nothing is sent without joining; a classroom that cannot be reached costs a
// check at most REPORT_TIMEOUT_MS and one line of output, never its result.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { MAX_HINT_LENGTH, type Report, type StageReport } from "../../classroom/report.ts";
import { REPO_ROOT } from "../paths.ts";
import { firstToFix, suitePassed, type TargetResult } from "../run-checks.ts";

export const REPORT_TIMEOUT_MS = 2_000;

/** What `classroom:join` keeps: where to report, and the secret that proves it is this checkout. */
export type Membership = { origin: string; code: string; name: string; id: string; secret: string };

/** `.state/classroom-join.json` (CLASSROOM_JOIN_FILE lets the kit's tests simulate many checkouts). */
export function membershipFile(): string {
  return process.env.CLASSROOM_JOIN_FILE ?? join(REPO_ROOT, ".state", "classroom-join.json");
}

export function readMembership(file = membershipFile()): Membership | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

export function writeMembership(membership: Membership, file = membershipFile()): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(membership, null, 2) + "\n");
  // The secret is this checkout's alone.
  chmodSync(file, 0o600);
}

export function removeMembership(): void {
  rmSync(membershipFile(), { force: true });
}

export function kitVersion(): string {
  return JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version;
}

/** What is sent: per stage folder, each check's title and result, and the first failure's hint. */
export function reportOf(results: TargetResult[], at = Date.now()): Report {
  return { kit: kitVersion(), at, results: results.map(stageReport) };
}

function stageReport(result: TargetResult): StageReport {
  const stage = result.stage.number;
  const checks = result.suites.flatMap((suite) => suite.checks.map((c) => ({ stage: suite.stage.number, title: c.name, passed: c.passed })));
  const passed = result.suites.every(suitePassed);
  if (passed) return { stage, status: "passed", checks };
  const toFix = firstToFix(result);
  // A suite that could not run (the code does not load) has no check to name: say that.
  const broken = result.suites.find((suite) => suite.error);
  const firstFailing = toFix
    ? { stage: toFix.suite.stage.number, title: toFix.check.name, ...hintOf(toFix.check.error) }
    : { stage: broken?.stage.number ?? stage, title: "the code loads", hint: `It did not load: npm run check -- ${stage} shows the error.` };
  return { stage, status: "failing", checks, firstFailing };
}

/** The "Hint:" line a check wrote (the kit's words), never "Expected"/"Got", which may quote the attendee's output. */
function hintOf(error: string | undefined): { hint?: string } {
  const hint = error && stripVTControlCharacters(error).split(/\nHint:\s+/)[1]?.replace(/\s+/g, " ").trim();
  return hint ? { hint: hint.slice(0, MAX_HINT_LENGTH) } : {};
}

/**
 * Sends the results if this checkout joined a classroom. Returns the one line to print
 * ("Reported to …" or "Not reported to the classroom: …"), or undefined when not joined.
 */
export async function sendReport(results: TargetResult[], membership = readMembership()): Promise<string | undefined> {
  if (!membership || results.length === 0) return undefined;
  const { origin, code, name, id, secret } = membership;
  try {
    const response = await fetch(`${origin}/api/sessions/${code}/reports`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${id}.${secret}` },
      body: JSON.stringify(reportOf(results)),
      signal: AbortSignal.timeout(REPORT_TIMEOUT_MS),
    });
    if (response.ok) return `Reported to classroom ${code} as ${name}.`;
    const error = await response.json().then((body) => (body as { error?: string }).error, () => `HTTP ${response.status}`);
    return `Not reported to the classroom: ${error}`;
  } catch (error) {
    const why = error instanceof DOMException && error.name === "TimeoutError"
      ? `no answer from ${origin} within ${REPORT_TIMEOUT_MS / 1000} s`
      : `${origin} cannot be reached (${causeOf(error)})`;
    return `Not reported to the classroom: ${why}. Your check ran as usual.`;
  }
}

/** fetch's reason in a few words: "ECONNREFUSED", not a stack. */
export function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
