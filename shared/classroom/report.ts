// What a joined checkout sends to the classroom after each check run, what the dashboard
// receives, and how the classroom reads a report. Shared by the Worker (shared/classroom/) and
// the kit's commands (shared/kit/classroom/); plain TypeScript for both Node and workerd.
//
// A report holds, per stage checked: each check's title and result, and for the first failing
// check the hint the kit wrote for it. Never code, output of the attendee's code, or file paths.

export const MAX_ATTENDEES = 200;
/** Bytes of a report's body. A progress table of ten stages, every check listed, is about 60 KiB. */
export const MAX_REPORT_BYTES = 128 * 1024;
/** A progress table of all ten stages lists about 700 (each stage folder is checked against stages 1..N). */
export const MAX_CHECKS = 1_000;
export const MAX_TITLE_LENGTH = 200;
export const MAX_HINT_LENGTH = 600;
export const MAX_KIT_LENGTH = 40;
/** A report's rate limit per attendee: a burst of this many, then one more each REFILL_MS. */
export const REPORT_BURST = 10;
export const REPORT_REFILL_MS = 1_000;

export type CheckLine = { stage: number; title: string; passed: boolean };
export type FirstFailing = { stage: number; title: string; hint?: string };
/** One stage folder's checks (those of stages 1..stage), as `npm run check -- <stage>` ran them. */
export type StageReport = { stage: number; status: "passed" | "failing"; checks: CheckLine[]; firstFailing?: FirstFailing };
/** `POST /api/sessions/<code>/reports`, with `Authorization: Bearer <attendee id>.<secret>`. */
export type Report = { kit: string; at: number; results: StageReport[] };

/** What the dashboard shows of one attendee's stage. */
export type StageView = {
  stage: number;
  status: "passed" | "failing";
  passed: number;
  total: number;
  firstFailing: FirstFailing | null;
  /** Since when (server time, ms) this stage's first failing check has been the same one. */
  failingSince: number | null;
  reportedAt: number;
};
export type AttendeeView = {
  id: string;
  name: string;
  joinedAt: number;
  lastReportAt: number | null;
  leftAt: number | null;
  kit: string | null;
  stages: StageView[];
};
export type StageInfo = { number: number; title: string; optional?: true };
/** The dashboard socket's first frame; `now` is the server's clock, for "3 min ago". */
export type SnapshotFrame = {
  type: "snapshot";
  code: string;
  createdAt: number;
  now: number;
  stuckAfterMs: number;
  stages: StageInfo[];
  attendees: AttendeeView[];
};
/** Sent to every dashboard when an attendee joins, reports or leaves. */
export type AttendeeFrame = { type: "attendee"; now: number; attendee: AttendeeView };
export type DashboardFrame = SnapshotFrame | AttendeeFrame;

/** A join code: six characters nobody confuses when read from a wall (no 0/O, 1/I/L). */
export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const CODE_PATTERN = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$/;

/** The join code in an address like http://host:8790/c/K7MQ4P (any path that ends in it). */
export function codeOf(address: string): string | undefined {
  const url = URL.parse(address);
  const code = url?.pathname.match(/\/c\/([^/]+)/)?.[1]?.toUpperCase();
  return code && CODE_PATTERN.test(code) ? code : undefined;
}

/** A report's body, or what is wrong with it (in words for the attendee's terminal). */
export function readReport(value: unknown, stageNumbers: number[]): Report | string {
  if (!isObject(value)) return "the report must be a JSON object";
  const { kit, at, results } = value;
  if (typeof kit !== "string" || kit.length === 0 || kit.length > MAX_KIT_LENGTH) return `kit must be a string of 1 to ${MAX_KIT_LENGTH} characters`;
  if (typeof at !== "number" || !Number.isSafeInteger(at) || at < 0) return "at must be a time in milliseconds";
  if (!Array.isArray(results) || results.length === 0 || results.length > stageNumbers.length) return `results must list 1 to ${stageNumbers.length} stages`;
  const seen = new Set<number>();
  let checks = 0;
  for (const result of results) {
    const problem = stageProblem(result, stageNumbers);
    if (problem) return problem;
    const { stage } = result as StageReport;
    if (seen.has(stage)) return `stage ${stage} is reported twice`;
    seen.add(stage);
    checks += (result as StageReport).checks.length;
  }
  if (checks > MAX_CHECKS) return `a report may hold at most ${MAX_CHECKS} checks (got ${checks})`;
  return { kit, at, results: results as StageReport[] };
}

function stageProblem(value: unknown, stageNumbers: number[]): string | undefined {
  if (!isObject(value)) return "each result must be an object";
  const { stage, status, checks, firstFailing } = value;
  if (typeof stage !== "number" || !stageNumbers.includes(stage)) return `stage must be one of ${stageNumbers.join(", ")}`;
  if (status !== "passed" && status !== "failing") return `stage ${stage}: status must be "passed" or "failing"`;
  if (!Array.isArray(checks)) return `stage ${stage}: checks must be a list`;
  for (const check of checks) {
    if (!isObject(check)) return `stage ${stage}: each check must be an object`;
    if (typeof check.stage !== "number" || !stageNumbers.includes(check.stage) || check.stage > stage) return `stage ${stage}: a check's stage must be 1 to ${stage}`;
    if (!isText(check.title, MAX_TITLE_LENGTH)) return `stage ${stage}: a check's title must be 1 to ${MAX_TITLE_LENGTH} characters`;
    if (typeof check.passed !== "boolean") return `stage ${stage}: a check's passed must be true or false`;
  }
  const allPass = checks.length > 0 && checks.every((check) => check.passed);
  if ((status === "passed") !== allPass) return `stage ${stage}: status "${status}" does not match its checks`;
  if (status === "failing" && firstFailing === undefined) return `stage ${stage}: a failing stage names its first failing check (firstFailing)`;
  if (firstFailing !== undefined) {
    if (status === "passed") return `stage ${stage}: a passed stage has no failing check`;
    if (!isObject(firstFailing) || typeof firstFailing.stage !== "number" || !isText(firstFailing.title, MAX_TITLE_LENGTH)) {
      return `stage ${stage}: firstFailing must have a stage and a title`;
    }
    if (firstFailing.hint !== undefined && !isText(firstFailing.hint, MAX_HINT_LENGTH)) return `stage ${stage}: a hint must be 1 to ${MAX_HINT_LENGTH} characters`;
  }
  return undefined;
}

function isText(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= max && !/\p{Cc}/u.test(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
