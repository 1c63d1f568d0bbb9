// How a check reads to an attendee: a behaviour as its name, and on failure
// "Expected … / Got … / Hint …". The check runner prints these lines as they are.
import { test } from "vitest";

/** How long (ms) a check waits for a frame before it says that nothing arrived. */
export const WAIT_MS = 2000;

/** A failed expectation, worded for a person rather than a stack trace. */
export class CheckFailure extends Error {
  constructor(expected: string, got: string) {
    super(`Expected: ${expected}\nGot:      ${got}`);
    this.name = "CheckFailure";
  }
}

/** Declares one check: `name` says the behaviour, `hint` says where to look when it fails. */
export function check(name: string, hint: string, body: () => Promise<void>) {
  // Checks run side by side: each uses its own room, and a failing one waits for frames that never come.
  test.concurrent(name, async () => {
    try {
      await body();
    } catch (error) {
      const reason = error instanceof CheckFailure ? error.message : `Got:      ${describeError(error)}`;
      throw new FailedCheck(`${reason}\nHint:     ${hint}`);
    }
  });
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
