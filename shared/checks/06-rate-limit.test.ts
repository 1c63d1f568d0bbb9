// Stage 06 · Rate limit: each connection may send a burst of 5 messages, then 1 per second.
import { describe } from "vitest";
import { check, CheckFailure, show } from "./helpers/check.ts";
import { evict, join, newRoom } from "./helpers/chat-client.ts";
import { expectCode, expectTexts } from "./helpers/expect.ts";

const HINT =
  "Keep a token bucket per socket in its attachment ({ tokens, refilledAt }): refill 1 token per second up to 5, " +
  'take one per message, and when none is left send {"type":"error","code":"rate_limited","retryAfterMs":…} ' +
  "instead of storing and broadcasting. See TODO(step 6).";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("06 · Rate limit", () => {
  check("a burst of 5 messages goes through", HINT, async () => {
    const alice = await join(newRoom(), "alice");
    for (let i = 1; i <= 5; i++) alice.say(`burst ${i}`);
    for (let i = 1; i <= 5; i++) await alice.nextMessage(`message ${i} of the burst is delivered`);
    await alice.expectNoMore("error", "no error for the first 5 messages");
  });

  check("the 6th message of a burst gets a rate_limited error with retryAfterMs", HINT, async () => {
    const alice = await join(newRoom(), "alice");
    for (let i = 1; i <= 6; i++) alice.say(`burst ${i}`);
    const error = await alice.nextError("a rate_limited error for the 6th message");
    expectCode(error.code, "rate_limited");
    const wait = error.retryAfterMs;
    if (!Number.isInteger(wait) || (wait as number) <= 0 || (wait as number) > 1000) {
      throw new CheckFailure("retryAfterMs: a whole number of milliseconds, above 0 and at most 1000", show(error));
    }
    if (!alice.isOpen) throw new CheckFailure("the socket stays open after the error", "the server closed it");
  });

  check("a rate-limited message is neither broadcast nor stored", HINT, async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    for (let i = 1; i <= 6; i++) alice.say(`burst ${i}`);
    await alice.nextError("a rate_limited error for the 6th message");
    for (let i = 1; i <= 5; i++) await bob.nextMessage("bob receives the 5 accepted messages");
    await bob.expectNoMore("message", "bob does not receive the 6th message");
    const reader = await join(room, "reader");
    for (let i = 1; i <= 5; i++) await reader.nextMessage("the 5 accepted messages in history");
    await reader.expectNoMore("message", "only 5 messages in history");
    expectTexts(reader.all("message"), ["burst 1", "burst 2", "burst 3", "burst 4", "burst 5"], "the history");
  });

  check("after waiting retryAfterMs, sending works again", HINT, async () => {
    const alice = await join(newRoom(), "alice");
    for (let i = 1; i <= 6; i++) alice.say(`burst ${i}`);
    const { retryAfterMs } = await alice.nextError("a rate_limited error for the 6th message");
    await sleep((retryAfterMs ?? 1000) + 50);
    alice.say("patient");
    for (let i = 1; i <= 6; i++) await alice.nextMessage("the 5 burst messages, then the patient one");
    expectTexts(alice.all("message").slice(5), ["patient"], "the message sent after waiting");
  });

  check("the limit is per connection: others can still talk", HINT + " The bucket belongs to the socket, not the room.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    for (let i = 1; i <= 6; i++) alice.say(`burst ${i}`);
    await alice.nextError("alice is rate limited");
    bob.say("my turn");
    await bob.expectNoMore("error", "bob is not rate limited");
  });

  check("the limit holds across hibernation", "Store the bucket with ws.serializeAttachment() after every change: " +
    "fields of the object are lost when it hibernates.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    for (let i = 1; i <= 5; i++) alice.say(`burst ${i}`);
    for (let i = 1; i <= 5; i++) await alice.nextMessage("the burst is delivered");
    await evict(room);
    alice.say("one too many");
    const error = await alice.nextError("a rate_limited error, even though the object hibernated");
    expectCode(error.code, "rate_limited");
  });
});
