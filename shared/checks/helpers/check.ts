// How a check reads to an attendee: a behaviour as its name, and on failure
// "Expected … / Got … / Hint …". The check runner prints these lines as they are.
import { inject, test, type TestContext } from "vitest";

/**
 * How many times longer than in `npm run check` a check waits for what must come. The kit's own
 * proof (npm test) runs seven runtimes at once on two cores, and there a frame that takes
 * milliseconds alone once took over 2 s; only a check that fails pays the longer wait.
 */
export const PATIENCE = inject("patience");

/** How long (ms) a check waits for a frame before it says that nothing arrived. */
export const WAIT_MS = 2000 * PATIENCE;

/** How long (ms) one check may take in all before it reports that it got no answer. */
const CHECK_MS = 8000;

/** A failed expectation, worded for a person rather than a stack trace. */
export class CheckFailure extends Error {
  constructor(expected: string, got: string) {
    super(`Expected: ${expected}\nGot:      ${got}`);
    this.name = "CheckFailure";
  }
}

/**
 * Thrown when what a check needs first did not happen (a message that stage 02 delivers, say):
 * the check could not test its own behaviour, and says so instead of blaming it.
 */
export class PreconditionFailure extends CheckFailure {
  constructor(needed: string, failure: CheckFailure) {
    super(needed, "");
    const got = failure.message.split("\n").find((line) => line.startsWith("Got:")) ?? failure.message;
    this.message = `Could not test this yet: it needs ${needed} first, and that did not happen.\n${got}`;
  }
}

/** Runs a step the check depends on; if it fails, the failure is worded as a precondition. */
export async function needs<T>(needed: string, step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (error) {
    throw error instanceof CheckFailure && !(error instanceof PreconditionFailure) ? new PreconditionFailure(needed, error) : error;
  }
}

/**
 * How a check's body runs, as set when the check is declared, and the folder it checks. The
 * suites are declared once per folder (suites.test.ts, sockets/suites.test.ts), each body bound
 * to its folder.
 */
export const declaring = { bind: (body: () => Promise<void>) => body, folder: "" };

/**
 * For each folder, the place (in declaration order) of the earliest check that failed on its
 * behaviour. The mistakes catalogue asks only which check fails first, so with `stopAtFirst`
 * provided, a check declared after that one is skipped instead of run: it could not come first.
 * (A "Could not test" failure stops nothing: the report puts a behaviour failure before it.)
 */
const firstFailure = new Map<string, number>();
const declared = new Map<string, number>();

function declare(name: string, hint: string, body: () => Promise<void>, ms: number) {
  const bound = declaring.bind(body);
  const folder = declaring.folder;
  const place = declared.get(folder) ?? 0;
  declared.set(folder, place + 1);
  return async (context: TestContext) => {
    if (inject("stopAtFirst") && (firstFailure.get(folder) ?? Infinity) < place) return context.skip();
    try {
      await run(name, hint, bound, ms);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("Could not test"))) firstFailure.set(folder, Math.min(place, firstFailure.get(folder) ?? Infinity));
      throw error;
    }
  };
}

/**
 * Declares one check: `name` says the behaviour, `hint` says where to look when it fails. `ms`:
 * how long it may take, longer only for checks that start servers of their own or wait for the
 * room's own timers.
 */
export function check(name: string, hint: string, body: () => Promise<void>, ms = CHECK_MS) {
  // Checks run side by side: each uses its own room, and a failing one waits for frames that never come.
  test.concurrent(name, declare(name, hint, body, ms * PATIENCE), ms * PATIENCE + 5000);
}

/** Like check(), but alone: for checks that move the clock, which every check in the file shares. */
check.alone = (name: string, hint: string, body: () => Promise<void>, ms = CHECK_MS) => {
  test(name, declare(name, hint, body, ms * PATIENCE), ms * PATIENCE + 5000);
};

async function run(name: string, hint: string, body: () => Promise<void>, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailure(
      `an answer within ${ms / 1000} s`,
      "the check was still waiting. Is something keeping the object busy: a timer (setInterval, " +
        "setTimeout) or an await that never settles?",
    )), ms);
  });
  try {
    await Promise.race([body(), deadline]);
  } catch (error) {
    const reason = error instanceof CheckFailure ? error.message : `Expected: ${name}\nGot:      ${describeError(error)}`;
    throw new FailedCheck(`${reason}\nHint:     ${hint}`);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** What the runner receives: the message alone, since a stack would point into the kit, not your code. */
class FailedCheck extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FailedCheck";
    this.stack = message;
  }
}

/** Short, readable JSON for messages (long strings are cut). */
export function show(value: unknown): string {
  const text = JSON.stringify(value, (_key, v) =>
    typeof v === "string" && v.length > 80 ? `${v.slice(0, 77)}…(${v.length} characters)` : v,
  );
  return text === undefined ? String(value) : text;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `an error was thrown: ${error.message}`;
  return `an error was thrown: ${String(error)}`;
}

/** Waits `ms` of real time (the checks' clock stops Date only, never timers). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
