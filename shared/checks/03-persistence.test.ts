// Stage 03 · Persistence: messages are stored in the room's Durable Object with an id, and a
// newcomer first receives one history frame holding the last 100, oldest first. A client that
// reconnects with ?after=<id> receives only what it missed.
import { describe } from "vitest";
import type { HistoryFrame, MessageFrame } from "../protocol.ts";
import { check, CheckFailure, needs, PreconditionFailure, show, sleep } from "./helpers/check.ts";
import { withClock } from "./helpers/clock.ts";
import { evict, join, newRoom } from "./helpers/chat-client.ts";
import { expectMessage, expectTexts } from "./helpers/expect.ts";
import { heaviest, rowsReadDuring, seedMessages } from "./helpers/rows-read.ts";

const HISTORY_HINT =
  'In fetch, before returning the 101, send the new socket one {"type":"history","messages":[…]} frame: ' +
  "the room's newest 100 stored messages, oldest first, and no \"truncated\" unless it is true. See TODO(step 3).";
const STORE_HINT =
  "Store each accepted message (INSERT … RETURNING id) before broadcasting it, with the new row's id in " +
  "its frame, and send the stored ones in the history frame. See TODO(step 3).";
const WRITTEN_HINT =
  "Hand the text to SQL as a binding, never inside the query: sql.exec(\"INSERT INTO messages (name, message) " +
  "VALUES (?, ?) RETURNING id\", name, message). Pasted into the SQL, the text breaks it at the first quote, and a " +
  "message can run SQL of its own. And send every frame with JSON.stringify, never JSON put together by hand.";
const LIMIT_HINT =
  "Read only the newest 100 (ORDER BY id DESC LIMIT 100), then reverse them so the oldest is sent first. A " +
  "newcomer (after=0) has missed nothing: truncated is for a client that reconnects.";
const RESUME_HINT =
  "Read ?after=<id> in fetch (the Worker has checked it): select only rows with id > after, the newest 100 " +
  '(ask for 101 to know whether there were more), and add "truncated": true when there were.';

/** Sends `texts` from fresh sockets, 5 per socket (under every stage's rate limit); returns the frames that came back. */
async function post(room: string, texts: string[]): Promise<MessageFrame[]> {
  const echoes: MessageFrame[] = [];
  for (let i = 0; i < texts.length; i += 5) {
    const writer = await join(room, "writer");
    const batch = texts.slice(i, i + 5);
    for (const text of batch) writer.say(text);
    for (const text of batch) echoes.push(await writer.messageWithText(text, `the message "${text}" is accepted`));
    await writer.close();
  }
  return echoes;
}

/** The history frame a newcomer (reconnecting after `after`, if given) receives. */
async function historyOf(room: string, after?: number): Promise<HistoryFrame> {
  const reader = await join(room, "reader", after);
  return reader.next("history", `a history frame first${after === undefined ? "" : ` (joining with after=${after})`}`);
}

const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `message ${from + i}`);

describe("03 · Persistence", () => {
  // First and alone: it stops the clock, which every check in the file shares.
  check.alone("messages sent in the same instant are all kept", STORE_HINT + " Keys must not collide: " +
    "Date.now() is the same for messages in one millisecond.", () => withClock(async () => {
    // The clock stands still, as it does for messages that arrive within one millisecond.
    const room = newRoom();
    await post(room, ["a", "b", "c", "d", "e"]);
    const history = await needs("a history frame (the next checks)", historyOf(room));
    const got = history.messages.map((frame) => frame.message);
    // Lost messages are what this check is about; an empty or reordered history is another check's.
    if (got.length === 0 || (got.length === 5 && show(got) !== show(["a", "b", "c", "d", "e"]))) {
      throw new PreconditionFailure("the stored messages in the history, oldest first (the next checks)", new CheckFailure("", show(got)));
    }
    expectTexts(history.messages, ["a", "b", "c", "d", "e"], "all five messages");
  }));

  check("the first frame is the history, an empty one in a new room", HISTORY_HINT, async () => {
    const reader = await join(newRoom(), "reader");
    const first = await reader.firstFrame('{"type":"history","messages":[]} before any other frame');
    if (show(first) !== show({ type: "history", messages: [] })) {
      throw new CheckFailure('{"type":"history","messages":[]} before any other frame', show(first));
    }
  });

  check("the history holds the earlier messages, oldest first, before live ones", HISTORY_HINT, async () => {
    const room = newRoom();
    await post(room, ["first", "second", "third"]);
    const reader = await join(room, "reader");
    reader.say("new");
    const first = await reader.firstFrame("the history frame first");
    if (first.type !== "history") throw new CheckFailure("the history frame first", show(first));
    expectTexts(first.messages, ["first", "second", "third"], "the history, oldest first");
    expectMessage(await reader.nextMessage('then the reader\'s own live message "new"'), "reader", "new");
  });

  check("a message with quotes, a backslash and SQL in it is stored and sent back exactly as written", WRITTEN_HINT, async () => {
    const room = newRoom();
    const tricky = `it's "quoted" \\ back'); DELETE FROM messages; --`;
    await post(room, ["before", tricky]);
    expectTexts((await historyOf(room)).messages, ["before", tricky], "the history, with the message as written");
  });

  check("each message carries its row's id, which only grows, in live frames and in the history", STORE_HINT, async () => {
    const room = newRoom();
    const live = await post(room, ["a", "b", "c"]);
    const ids = live.map((frame) => frame.id);
    if (!ids.every((id, i) => Number.isInteger(id) && (i === 0 || (id as number) > (ids[i - 1] as number)))) {
      throw new CheckFailure('message frames with an "id": whole numbers, each greater than the one before', `ids ${show(ids)}`);
    }
    const history = (await historyOf(room)).messages;
    const stored = history.map((frame) => frame.id);
    if (show(stored) !== show(ids)) throw new CheckFailure(`the same ids in the history: ${show(ids)}`, show(stored));
    // Each one a message frame as it was broadcast, "type" included, not the row as SQL gave it (the time
    // fields are stage 04's).
    const ours = ({ type, id, name, message }: MessageFrame) => show({ type, id, name, message });
    const differs = history.findIndex((frame, i) => ours(frame) !== ours(live[i]));
    if (differs >= 0) throw new CheckFailure(`in the history, each message as it was broadcast: ${ours(live[differs])}`, show(history[differs]));
  });

  check("only the newcomer receives the history", "Send the history with send(server, …) to the new socket " +
    "alone; the others have seen those messages already.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    alice.say("hello");
    await needs("alice to receive her own message", alice.messageWithText("hello", "alice receives her message"));
    await join(room, "bob");
    await sleep(300);
    const histories = alice.all("history");
    if (histories.length > 1) throw new CheckFailure("alice receives no second history frame when bob joins", `alice received ${show(histories[1])}`);
    const more = alice.all("message").slice(1);
    if (more.length > 0) throw new CheckFailure("alice receives nothing more when bob joins", `alice received ${show(more[0])}`);
  });

  check("a newcomer receives only the last 100 messages, oldest first", LIMIT_HINT, async () => {
    const room = newRoom();
    await needs("105 messages stored in the room", seedMessages(room, 105));
    const history = await historyOf(room);
    expectTexts(history.messages, numbered(6, 105), "messages 6 to 105");
    if (history.truncated !== undefined) {
      throw new CheckFailure("no truncated flag for a newcomer: only a client that reconnects with after= can have missed some", show({ ...history, messages: "…" }));
    }
  });

  check("a client that reconnects with after=<id> receives only what it missed", RESUME_HINT +
    " Send the history frame even when it is empty: it is the first frame of every connection.", async () => {
    const room = newRoom();
    const live = await post(room, ["one", "two", "three", "four"]);
    const history = await historyOf(room, live[1].id);
    expectTexts(history.messages, ["three", "four"], `the messages after "two" (id ${live[1].id})`);
    if ("truncated" in history) throw new CheckFailure('no "truncated" key: nothing was left out', show(history));
    // One that missed nothing is told so, first.
    const expected = `{"type":"history","messages":[]} first, for a client that reconnects with after=${live[3].id}, the newest id: it missed nothing`;
    const first = await (await join(room, "reader", live[3].id)).firstFrame(expected);
    if (show(first) !== show({ type: "history", messages: [] })) throw new CheckFailure(expected, show(first));
  });

  check("after more than 100 missed: the newest 100, and truncated: true", RESUME_HINT, async () => {
    const room = newRoom();
    await needs("110 messages stored in the room", seedMessages(room, 110));
    // Stored by one statement into an empty table, the rows have consecutive ids.
    const first = (await historyOf(room)).messages[0];
    if (first?.message !== "message 11") {
      throw new PreconditionFailure("the newest 100 of 110 in the history", new CheckFailure("", `the first is ${show(first)}`));
    }
    const exactly = await historyOf(room, (first.id as number) - 1);
    expectTexts(exactly.messages, numbered(11, 110), "with exactly 100 missed, all of them");
    if (exactly.truncated) throw new CheckFailure("no truncated flag with exactly 100 missed", show({ ...exactly, messages: "…" }));
    const more = await historyOf(room, (first.id as number) - 6);
    expectTexts(more.messages, numbered(11, 110), "with 105 missed, the newest 100");
    if (more.truncated !== true) throw new CheckFailure('"truncated": true with 105 missed', show({ ...more, messages: "…" }));
  });

  check("invalid messages are not stored", "Only store a message after readMessage accepted it.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    alice.sendRaw("not json");
    alice.say("x".repeat(1001));
    alice.say("kept");
    await alice.nextMessage("the valid message is accepted");
    expectTexts((await historyOf(room)).messages, ["kept"], "only the valid message");
  });

  check("history survives the object's eviction", "Keep messages in this.ctx.storage, not in a field of the object: " +
    "fields are lost when the object is evicted from memory. Let SQLite number them too (RETURNING id): a counter " +
    "in a field starts again at 0.", async () => {
    const room = newRoom();
    const [before] = await post(room, ["before eviction"]);
    await evict(room, "close");
    expectTexts((await historyOf(room)).messages, ["before eviction"], "the history after eviction");
    // The object that starts again numbers the next message after the stored ones.
    const [after] = await post(room, ["after the eviction"]);
    if (!((after.id as number) > (before.id as number))) {
      throw new CheckFailure(`the message sent after the eviction has an id greater than ${show(before.id)}`, `id ${show(after.id)}`);
    }
    expectTexts((await historyOf(room)).messages, ["before eviction", "after the eviction"], "the history, with the message sent after the eviction");
  });

  // Alone: it counts every query the isolate makes.
  check.alone("joining a room of 300 messages reads about 100 rows, not all of them", "Every query should " +
    "read only the rows it needs: LIMIT in the SQL, not slice() in JavaScript after reading every row; from " +
    "stage 4, the newest row by its key (ORDER BY id DESC LIMIT 1), not MAX() over every row; truncated from the one row more " +
    "(LIMIT 101), not COUNT(*) over every missed row.", async () => {
    const room = newRoom("large");
    await needs("300 messages stored in the room", seedMessages(room, 300));
    // The object starts afresh, as it does after hibernation: its constructor's queries count too.
    await evict(room, "close");
    const reads = await rowsReadDuring(async () => {
      const history = await historyOf(room);
      expectMessage(history.messages.at(-1)!, "writer", "message 300");
    });
    if (reads.total > 150) {
      throw new CheckFailure("at most about 100 rows read (150 allowed) to send the newest 100 of 300", `${reads.total} rows read: ${heaviest(reads)}`);
    }
    // A client that reconnects having missed 299 learns of the gap from the one row more, not by counting them.
    const resumed = await rowsReadDuring(async () => {
      const history = await historyOf(room, 1);
      if (history.truncated !== true) throw new PreconditionFailure("truncated: true for a client that missed 299 (the checks above)", new CheckFailure("", show({ ...history, messages: "…" })));
    });
    if (resumed.total > 150) {
      throw new CheckFailure("at most about 100 rows read (150 allowed) for a client that reconnects having missed 299", `${resumed.total} rows read: ${heaviest(resumed)}`);
    }
  });

  // Alone: it counts every query the isolate makes.
  check.alone("a message sent into a room of 300 messages reads a few rows, not all of them", "Storing a message " +
    "needs no reading: INSERT … RETURNING id hands back the new row's id. COUNT(*) or MAX() over the table at every " +
    "message reads every row, and rows read are billed; from stage 4, the newest row by its key (ORDER BY id DESC LIMIT 1).", async () => {
    const room = newRoom("large");
    await needs("300 messages stored in the room", seedMessages(room, 300));
    const alice = await join(room, "alice");
    await needs("alice's history frame", alice.next("history", "alice's history frame"));
    const reads = await rowsReadDuring(async () => {
      alice.say("one more");
      await alice.messageWithText("one more", "alice's message comes back");
    });
    if (reads.total > 10) {
      throw new CheckFailure("a few rows read (10 allowed) to store and send one message", `${reads.total} rows read: ${heaviest(reads)}`);
    }
  });

});
