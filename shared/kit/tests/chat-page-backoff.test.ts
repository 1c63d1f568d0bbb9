// How the chat page spaces its reconnection attempts (shared/public/connection.js, run in Node).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../paths.ts";

const { retryDelay }: { retryDelay(attempt: number, random?: () => number): number } = await import(
  pathToFileURL(join(REPO_ROOT, "shared/public/connection.js")).href
);

test("the backoff doubles from 0.5 s and stops growing at 10 s", () => {
  const longest = Array.from({ length: 8 }, (_, attempt) => retryDelay(attempt, () => 1));
  assert.deepEqual(longest, [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
});

test("jitter picks a time in the upper half of the backoff", () => {
  assert.equal(retryDelay(3, () => 0), 2000);
  assert.equal(retryDelay(3, () => 0.5), 3000);
  for (let i = 0; i < 200; i++) {
    const delay = retryDelay(4);
    assert.ok(delay >= 4000 && delay <= 8000, `${delay} ms is outside 4-8 s`);
  }
});
