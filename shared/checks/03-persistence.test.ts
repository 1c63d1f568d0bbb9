// Stage 03 · Persistence: messages are stored in the room's Durable Object, and a
// newcomer first receives the last 100 of them, oldest first.
import { describe } from "vitest";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { withClock } from "./helpers/clock.ts";
import { evict, join, newRoom, type ChatClient } from "./helpers/chat-client.ts";
import { expectMessage, expectTexts } from "./helpers/expect.ts";
import { heaviest, rowsReadDuring, seedMessages } from "./helpers/rows-read.ts";

const STORE_HINT =
  "Store each accepted message with this.ctx.storage (sql.exec INSERT, or put with a key that sorts and never " +
  "repeats), and in fetch send the stored messages to the new socket before returning the 101. See TODO(step 3).";
const LIMIT_HINT =
  "Read only the newest 100 (ORDER BY … DESC LIMIT 100, or list({ reverse: true, limit: 100 })), " +
  "then reverse them so the oldest is sent first.";

/** Sends `texts` from fresh sockets, 5 per socket (under every stage's rate limit), and waits for each echo. */
async function post(room: string, texts: string[]) {
  for (let i = 0; i < texts.length; i += 5) {
    const writer = await join(room, "writer");
    const batch = texts.slice(i, i + 5);
    for (const text of batch) writer.say(text);
    for (const text of batch) await writer.messageWithText(text, `the message "${text}" is accepted`);
    await writer.close();
  }
}

/** The history a newcomer receives: the message frames that arrive before anything is sent. */
async function historyOf(room: string, expectedCount: number): Promise<ChatClient> {
  const reader = await join(room, "reader");
  for (let i = 0; i < expectedCount; i++) {
    await reader.nextMessage(`a newcomer receives the ${count(expectedCount)} stored so far`);
  }
  await reader.expectNoMore("message", `a newcomer receives exactly ${count(expectedCount)} of history`);
  return reader;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function count(messages: number): string {
  return messages === 1 ? "1 message" : `${messages} messages`;
}

describe("03 · Persistence", () => {
  check("a newcomer first receives the earlier messages, oldest first", STORE_HINT, async () => {
    const room = newRoom();
    await post(room, ["first", "second", "third"]);
    const reader = await historyOf(room, 3);
    expectTexts(reader.all("message"), ["first", "second", "third"], "the history, oldest first");
  });

  check("history comes before live messages", STORE_HINT, async () => {
    const room = newRoom();
    await post(room, ["old"]);
    const reader = await join(room, "reader");
    reader.say("new");
    expectMessage(await reader.nextMessage('first, the stored message "old"'), "writer", "old");
    expectMessage(await reader.nextMessage('then the reader\'s own live message "new"'), "reader", "new");
  });

  check("only the newcomer receives the history", "Send the history with send(server, …) to the new socket " +
    "alone; the others have seen those messages already.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    alice.say("hello");
    await needs("alice to receive her own message", alice.messageWithText("hello", "alice receives her message"));
    await join(room, "bob");
    await sleep(300);
    const more = alice.all("message").slice(1);
    if (more.length > 0) throw new CheckFailure("alice receives nothing more when bob joins", `alice received ${show(more[0])}`);
  });

  check("a newcomer receives only the last 100 messages, oldest first", LIMIT_HINT, async () => {
    const room = newRoom();
    const texts = Array.from({ length: 105 }, (_, i) => `message ${i + 1}`);
    await post(room, texts);
    const reader = await historyOf(room, 100);
    expectTexts(reader.all("message"), texts.slice(5), "messages 6 to 105");
  });

  check("invalid messages are not stored", "Only store a message after readMessage accepted it.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    alice.sendRaw("not json");
    alice.say("x".repeat(1001));
    alice.say("kept");
    await alice.nextMessage("the valid message is accepted");
    const reader = await historyOf(room, 1);
    expectTexts(reader.all("message"), ["kept"], "only the valid message");
  });

  check("history survives the object's eviction", "Keep messages in this.ctx.storage, not in a field of the object: " +
    "fields are lost when the object is evicted from memory.", async () => {
    const room = newRoom();
    await post(room, ["before eviction"]);
    await evict(room, "close");
    const reader = await historyOf(room, 1);
    expectTexts(reader.all("message"), ["before eviction"], "the history after eviction");
  });

  // The checks below run alone: one counts every query the isolate makes, one stops the clock.
  check.alone("joining a room of 300 messages reads about 100 rows, not all of them", "Every query should " +
    "read only the rows it needs: LIMIT in the SQL, not slice() in JavaScript after reading every row; the " +
    "newest row by its key (ORDER BY id DESC LIMIT 1), not MAX() over every row.", async () => {
    const room = newRoom("large");
    await needs("300 messages stored in the room", seedMessages(room, 300));
    // The object starts afresh, as it does after hibernation: its constructor's queries count too.
    await evict(room, "close");
    const reads = await rowsReadDuring(async () => {
      // Only the reads count here: other checks hold that exactly 100 arrive.
      const reader = await join(room, "reader");
      for (let i = 0; i < 100; i++) await reader.nextMessage("a newcomer receives the newest 100 of 300 stored messages");
      expectMessage(reader.all("message").at(-1)!, "writer", "message 300");
    });
    if (reads.total > 150) {
      throw new CheckFailure("at most about 100 rows read (150 allowed) to send the newest 100 of 300", `${reads.total} rows read: ${heaviest(reads)}`);
    }
  });

  check.alone("messages sent in the same instant are all kept", STORE_HINT + " Keys must not collide: " +
    "Date.now() is the same for messages in one millisecond.", () => withClock(async () => {
    // The clock stands still, as it does for messages that arrive within one millisecond.
    const room = newRoom();
    await post(room, ["a", "b", "c", "d", "e"]);
    const reader = await historyOf(room, 5);
    expectTexts(reader.all("message"), ["a", "b", "c", "d", "e"], "all five messages");
  }));
});
