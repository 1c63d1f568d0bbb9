// Stage 04 · Timestamps: the server stamps each message with its own clock, and
// the stamp is stored, so history carries it too.
import { describe } from "vitest";
import { check, CheckFailure, show } from "./helpers/check.ts";
import { join, newRoom } from "./helpers/chat-client.ts";
import { expectEqual } from "./helpers/expect.ts";
import type { MessageFrame } from "../protocol.ts";

const STAMP_HINT =
  "Before storing a message, take timestamp = Date.now() (but at least the last one + 1) and add " +
  "timestamp and serverTime: new Date(timestamp).toISOString() to the frame. See TODO(step 4).";
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

describe("04 · Timestamps", () => {
  check("messages carry the server's timestamp and serverTime", STAMP_HINT, async () => {
    const alice = await join(newRoom(), "alice");
    alice.say("what time is it?");
    expectStamped(await alice.nextMessage("a message frame with timestamp and serverTime"));
  });

  check("timestamps strictly increase, even within one millisecond", STAMP_HINT, async () => {
    const alice = await join(newRoom(), "alice");
    for (const text of ["1", "2", "3", "4", "5"]) alice.say(text);
    const stamps = [];
    for (let i = 0; i < 5; i++) stamps.push((await alice.nextMessage("all five messages")).timestamp as number);
    for (let i = 1; i < stamps.length; i++) {
      if (!(stamps[i] > stamps[i - 1])) {
        throw new CheckFailure("each timestamp greater than the one before", `timestamps ${show(stamps)}`);
      }
    }
  });

  check("history carries the original timestamps", STORE_HINT, async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    alice.say("remember when");
    const live = await alice.nextMessage("alice's message");
    const reader = await join(room, "reader");
    const stored = await reader.nextMessage("the stored message");
    expectStamped(stored);
    expectEqual(
      { timestamp: stored.timestamp, serverTime: stored.serverTime },
      { timestamp: live.timestamp, serverTime: live.serverTime },
      "the stored message's time, as it was sent",
    );
  });
});
