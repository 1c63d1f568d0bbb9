// The chat page's rule for "which messages are new after a reconnect" (shared/public/history.js),
// run in Node: the page's module is plain JavaScript with no DOM in it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../paths.ts";

type Frame = { type: "message"; name: string; message: string; timestamp?: number };
type History = { tail: string[]; lastTimestamp: number };
type HistoryModule = {
  createHistory(): History;
  remember(history: History, frame: Frame): void;
  isNew(history: History, frame: Frame): boolean;
  unseen(history: History, batch: Frame[]): Frame[];
};

const { createHistory, remember, isNew, unseen }: HistoryModule = await import(
  pathToFileURL(join(REPO_ROOT, "shared/public/history.js")).href
);

const bare = (name: string, message: string): Frame => ({ type: "message", name, message });
const stamped = (message: string, timestamp: number): Frame => ({ type: "message", name: "ada", message, timestamp });

/** A page that showed `frames`, as the page does: everything it shows, it remembers. */
function shown(frames: Frame[]): History {
  const history = createHistory();
  for (const frame of frames) remember(history, frame);
  return history;
}

const texts = (frames: Frame[]) => frames.map((frame) => frame.message);

describe("stage 03 (no timestamps): the received run overlaps the tail of what was shown", () => {
  const log = ["a", "b", "c", "d", "e"].map((m) => bare("ada", m));

  test("first connection: everything is new", () => {
    assert.deepEqual(texts(unseen(createHistory(), log)), ["a", "b", "c", "d", "e"]);
  });

  test("nothing happened while away: nothing is new", () => {
    assert.deepEqual(unseen(shown(log), log), []);
  });

  test("messages written while away are new, the rest is not", () => {
    const later = [...log, bare("bob", "f"), bare("ada", "g")];
    assert.deepEqual(texts(unseen(shown(log), later)), ["f", "g"]);
  });

  test("the server's window of 100 has moved on: only its start overlaps", () => {
    const history = shown(log);
    // The server now keeps only c..e plus two newer ones.
    assert.deepEqual(texts(unseen(history, [...log.slice(2), bare("bob", "f"), bare("bob", "g")])), ["f", "g"]);
  });

  test("more than the window was missed: no overlap, all of it is new", () => {
    assert.deepEqual(texts(unseen(shown(log), [bare("bob", "x"), bare("bob", "y")])), ["x", "y"]);
  });

  test("the same text from someone else is a different message", () => {
    const history = shown([bare("ada", "hi")]);
    assert.deepEqual(unseen(history, [bare("ada", "hi"), bare("bob", "hi")]), [bare("bob", "hi")]);
  });

  test("repeated lines: the longest overlap wins, nothing is shown twice", () => {
    const history = shown([bare("ada", "hi"), bare("ada", "hi")]);
    assert.deepEqual(texts(unseen(history, [bare("ada", "hi"), bare("ada", "hi"), bare("ada", "hi")])), ["hi"]);
  });

  test("live messages (stages 01-03) are always new", () => {
    assert.equal(isNew(shown(log), bare("ada", "a")), true);
  });
});

describe("stage 04+: timestamps decide", () => {
  test("only stamps after the last one shown are new, in batches and live", () => {
    const history = shown([stamped("a", 100), stamped("b", 200)]);
    assert.deepEqual(texts(unseen(history, [stamped("a", 100), stamped("b", 200), stamped("c", 300)])), ["c"]);
    assert.equal(isNew(history, stamped("b", 200)), false);
    assert.equal(isNew(history, stamped("c", 300)), true);
  });

  test("timestamp 0 (saved before stage 04) is older than any stamped message", () => {
    const history = shown([bare("ada", "old"), stamped("new", 500)]);
    const batch = [{ ...bare("ada", "old"), timestamp: 0 }, stamped("new", 500), stamped("newer", 600)];
    assert.deepEqual(texts(unseen(history, batch)), ["newer"]);
  });

  test("a room upgraded from stage 03: old unstamped messages are matched like stage 03", () => {
    const history = shown([bare("ada", "old 1"), bare("ada", "old 2")]);
    const batch = [
      { ...bare("ada", "old 1"), timestamp: 0 },
      { ...bare("ada", "old 2"), timestamp: 0 },
      stamped("first stamped", 700),
    ];
    assert.deepEqual(texts(unseen(history, batch)), ["first stamped"]);
  });
});
