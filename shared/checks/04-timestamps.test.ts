// Stage 04 · Timestamps: the server stamps each message with its own clock, and
// the stamp is stored, so history carries it too. The checks of live stamps stop the clock
// (helpers/clock.ts): then no result depends on when a millisecond ticks, and they can show what
// real time rarely does: messages within one millisecond, and a clock that goes back.
import { describe } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { evict, join, newRoom, type ChatClient } from "./helpers/chat-client.ts";
import { withClock } from "./helpers/clock.ts";
import { env } from "./helpers/target.ts";
import { expectEqual } from "./helpers/expect.ts";
import type { MessageFrame } from "../protocol.ts";

const STAMP_HINT =
  "Before storing a message, take timestamp = Date.now() (but at least the last one + 1) and add " +
  "timestamp and serverTime: new Date(timestamp).toISOString() to the frame. See TODO(step 4).";
const SAME_MS_HINT =
  "Date.now() can return the same value for several messages: stamp with " +
  "Math.max(Date.now(), this.lastTimestamp + 1), keep the result in this.lastTimestamp, and make serverTime " +
  "from that same stamp: new Date(timestamp).toISOString(). See TODO(step 4).";
const RESTORE_HINT =
  "The constructor runs again after an eviction, with empty fields, and the clock may read earlier than the " +
  "last stamp: restore lastTimestamp from storage in the constructor, " +
  "SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1 (0 when the room is empty).";
const STORE_HINT = "Store the timestamp with the message (a new column or field), and send it with the history.";

function expectStamped(frame: MessageFrame) {
  const { timestamp, serverTime } = frame;
  if (!Number.isInteger(timestamp) || Math.abs((timestamp as number) - Date.now()) > 60_000) {
    throw new CheckFailure("timestamp: the server's clock in whole milliseconds since 1970", show(frame));
  }
  if (serverTime !== new Date(timestamp as number).toISOString()) {
    throw new CheckFailure(
      `serverTime: the same instant as an ISO 8601 string, ${show(new Date(timestamp as number).toISOString())}`,
      show(frame),
    );
  }
}

/** The next `count` messages, each stamped, each stamp greater than the one before. */
async function nextStamped(client: ChatClient, count: number, sent: string): Promise<MessageFrame[]> {
  const frames: MessageFrame[] = [];
  for (let i = 0; i < count; i++) {
    const frame = await client.nextMessage(`all ${count} messages`);
    expectStamped(frame);
    frames.push(frame);
  }
  const stamps = frames.map((frame) => frame.timestamp as number);
  if (stamps.some((stamp, i) => i > 0 && !(stamp > stamps[i - 1]))) {
    throw new CheckFailure("each timestamp greater than the one before", `timestamps ${show(stamps)} for ${count} messages sent ${sent}`);
  }
  return frames;
}

/** alice joins `room` and sends two messages within one millisecond; returns her and the second's frame. */
async function twoStamped(room: string) {
  const alice = await join(room, "alice");
  alice.say("first");
  alice.say("second");
  const [, before] = await needs("two messages within one millisecond stamped in increasing order", nextStamped(alice, 2, "within one millisecond"));
  return { alice, before };
}

describe("04 · Timestamps", () => {
  // The clock stands still here too, so the result never depends on whether a millisecond
  // ticked between two readings of the clock (serverTime from a second Date() would pass or fail by luck).
  check.alone("messages carry the server's timestamp and serverTime", STAMP_HINT, () =>
    withClock(async () => {
      const alice = await join(newRoom(), "alice");
      alice.say("what time is it?");
      expectStamped(await alice.nextMessage("a message frame with timestamp and serverTime"));
    }),
  );

  check.alone("timestamps strictly increase, even within one millisecond", SAME_MS_HINT +
    " Keep it in a field of the object: a variable of the module is shared by every room of the isolate.", () =>
    withClock(async () => {
      // The clock stands still: all five messages arrive in the same millisecond.
      const room = newRoom();
      const alice = await join(room, "alice");
      for (const text of ["1", "2", "3", "4", "5"]) alice.say(text);
      const fifth = (await nextStamped(alice, 5, "within one millisecond"))[4];
      // Another room starts (its constructor runs) in the same millisecond: this room's last stamp
      // stays its own. (carol sends the 6th: from stage 06, alice's burst is spent.)
      await join(newRoom(), "bob");
      const carol = await join(room, "carol");
      carol.say("6");
      const sixth = await carol.messageWithText("6", "carol's message, the room's 6th, after another room started");
      if (!((sixth.timestamp as number) > (fifth.timestamp as number))) {
        throw new CheckFailure(`a timestamp greater than the 5th's, ${show(fifth.timestamp)}, after another room started`, `timestamp ${show(sixth.timestamp)}`);
      }
    }),
  );

  // Alone, the clock stopped: two messages then share a millisecond, and the second is stamped
  // 1 ms later than the clock says, so a row that stores a reading of its own differs from the frame.
  check.alone("history carries the original timestamps", STORE_HINT, () =>
    withClock(async () => {
      const room = newRoom();
      const alice = await join(room, "alice");
      alice.say("remember when");
      alice.say("and then");
      const live = [await alice.nextMessage("alice's first message"), await alice.nextMessage("alice's second message")];
      const reader = await join(room, "reader");
      const stored = (await reader.next("history", "the history frame")).messages;
      if (stored.length !== 2) throw new CheckFailure("the two stored messages in the history frame", `${stored.length} message(s)`);
      stored.forEach(expectStamped);
      const times = (messages: MessageFrame[]) => messages.map(({ timestamp, serverTime }) => ({ timestamp, serverTime }));
      expectEqual(times(stored), times(live), "the stored messages' times, as they were sent");
    }),
  );

  check.alone("timestamps keep increasing after a restart, even when the clock went back", RESTORE_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom();
      const { before } = await twoStamped(room);
      // The newest stamp as a run of the object in another isolate (before a deploy, say) left
      // it, an hour ahead: only storage knows it, not a variable of this isolate.
      const newest = (before.timestamp as number) + 3_600_000;
      await runInDurableObject(env.CHAT.getByName(room), (_instance, state) => {
        state.storage.sql.exec("UPDATE messages SET timestamp = ? WHERE id = (SELECT MAX(id) FROM messages)", newest);
      });
      // The object leaves memory (its constructor runs again), and its clock now reads 30 s earlier.
      await evict(room, "close");
      clock.advance(-30_000);
      const bob = await join(room, "bob");
      bob.say("after the restart");
      const after = await bob.messageWithText("after the restart", "bob's message after the restart");
      if (!((after.timestamp as number) > newest)) {
        throw new CheckFailure(
          `a timestamp greater than the newest stored before the restart, ${show(newest)}`,
          `timestamp ${show(after.timestamp)} (the object restarted, and its clock read 30 s earlier)`,
        );
      }
    }),
  );

  check.alone("timestamps keep increasing after the object hibernated, with everyone still connected", RESTORE_HINT, () =>
    withClock(async () => {
      const room = newRoom();
      const { alice, before } = await twoStamped(room);
      // The object leaves memory while alice stays connected: her next message wakes it, and no fetch runs.
      await evict(room);
      alice.say("after the nap");
      const after = await alice.messageWithText("after the nap", "alice's message after the object hibernated");
      if (!((after.timestamp as number) > (before.timestamp as number))) {
        throw new CheckFailure(
          `a timestamp greater than the last one before the object hibernated, ${show(before.timestamp)}`,
          `timestamp ${show(after.timestamp)} (the clock stood still; alice's message woke the object)`,
        );
      }
    }),
  );
});
