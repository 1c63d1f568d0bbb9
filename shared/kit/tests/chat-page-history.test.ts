// The chat page's rules for resuming after a reconnect (shared/public/history.js), run in Node:
// the page's module is plain JavaScript with no DOM in it. Which messages of a history frame
// are new is decided by their ids; where the next connection resumes is the newest id shown.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../paths.ts";

type Frame = { type: "message"; id?: unknown; name: string; message: string };
type HistoryFrame = { type: "history"; messages: unknown[]; truncated?: boolean };
type History = { lastId: number };
type HistoryModule = {
  createHistory(): History;
  remember(history: History, frame: Frame): void;
  resumeAfter(history: History): number | undefined;
  readHistory(history: History, frame: HistoryFrame): { gap: boolean; messages: Frame[] };
};

const { createHistory, remember, resumeAfter, readHistory }: HistoryModule = await import(
  pathToFileURL(join(REPO_ROOT, "shared/public/history.js")).href
);

const message = (id: number, text = `message ${id}`): Frame => ({ type: "message", id, name: "ada", message: text });
const bare = (text: string): Frame => ({ type: "message", name: "ada", message: text });

/** A page that showed `frames`, as the page does: everything it shows, it remembers. */
function shown(frames: Frame[]): History {
  const history = createHistory();
  for (const frame of frames) remember(history, frame);
  return history;
}

const ids = (frames: Frame[]) => frames.map((frame) => frame.id);

/** The messages a history frame of `messages` adds to a page that shows what `history` remembers. */
const unseen = (history: History, messages: unknown[]) => readHistory(history, { type: "history", messages }).messages;

describe("which messages of a history frame are new", () => {
  test("first connection: all of them, oldest first", () => {
    assert.deepEqual(ids(unseen(createHistory(), [message(1), message(2), message(3)])), [1, 2, 3]);
  });

  test("a message the page already shows is dropped by its id, even with other text", () => {
    const history = shown([message(1), message(2)]);
    assert.deepEqual(ids(unseen(history, [message(1), message(2, "edited?"), message(3)])), [3]);
  });

  test("the same text under a new id is a new message", () => {
    const history = shown([message(7, "hi")]);
    assert.deepEqual(unseen(history, [message(7, "hi"), message(8, "hi")]), [message(8, "hi")]);
  });

  test("nothing missed: nothing is new", () => {
    assert.deepEqual(unseen(shown([message(1), message(2)]), []), []);
    assert.deepEqual(unseen(shown([message(1), message(2)]), [message(2)]), []);
  });

  test("new messages come out in the order of their ids, whatever order they came in", () => {
    const history = shown([message(4)]);
    assert.deepEqual(ids(unseen(history, [message(9), message(3), message(6), message(5)])), [5, 6, 9]);
  });

  test("messages without an id (a stage in progress) cannot be recognised: they are new", () => {
    const history = shown([message(1), bare("no id")]);
    assert.deepEqual(unseen(history, [bare("no id"), bare("again")]), [bare("no id"), bare("again")]);
  });

  test("entries that are not chat lines are left out, not shown broken", () => {
    const odd = [null, 7, "text", { id: 3, name: "ada" }, { id: 4, message: "who?" }, { ...message(5), name: 5 }];
    assert.deepEqual(ids(unseen(createHistory(), [...odd, message(6)])), [6]);
  });
});

describe("a gap: more were missed than the history frame holds", () => {
  test('"truncated": true marks a gap before the new messages', () => {
    const history = shown([message(1)]);
    const window = Array.from({ length: 100 }, (_, i) => message(i + 7));
    const { gap, messages } = readHistory(history, { type: "history", messages: window, truncated: true });
    assert.equal(gap, true);
    assert.deepEqual(ids(messages), ids(window));
  });

  test("no gap without it, nor for anything but true", () => {
    const history = shown([message(1)]);
    for (const truncated of [undefined, false, "true", 1] as unknown[]) {
      const frame = { type: "history", messages: [message(2)], truncated } as HistoryFrame;
      assert.equal(readHistory(history, frame).gap, false, `truncated: ${String(truncated)}`);
    }
  });
});

describe("where the next connection resumes", () => {
  test("nothing shown yet, or only messages without ids (stages 01-02): no `after`", () => {
    assert.equal(resumeAfter(createHistory()), undefined);
    assert.equal(resumeAfter(shown([bare("echo"), bare("echo again")])), undefined);
  });

  test("after the newest message shown", () => {
    assert.equal(resumeAfter(shown([message(1), message(2), message(41)])), 41);
    assert.equal(resumeAfter(shown([message(41), bare("no id")])), 41, "a message without an id moves nothing");
  });

  test("ids that are not whole numbers above 0 are not resumed from", () => {
    for (const id of [0, -3, 1.5, "12", null, Number.MAX_SAFE_INTEGER + 2]) {
      assert.equal(resumeAfter(shown([{ ...bare("odd"), id }])), undefined, `id ${String(id)}`);
    }
  });

  test("a stage started afresh, whose ids begin at 1 again: the page resumes from what it shows last", () => {
    // Shown: 1..50 from one state folder, then live messages 1 and 2 from a fresh one.
    const history = shown([message(49), message(50), message(1, "fresh"), message(2, "fresh too")]);
    assert.equal(resumeAfter(history), 2);
    assert.deepEqual(ids(unseen(history, [message(3)])), [3]);
  });
});
