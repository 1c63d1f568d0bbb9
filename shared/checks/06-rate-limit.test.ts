// Stage 06 · Rate limit: each connection may send a burst of 5 messages, then 1 per second.
// The checks about time stop the clock (helpers/clock.ts) and move it by hand: no waiting, and
// a clock that goes back, which real time rarely shows.
import { describe } from "vitest";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { evict, join, newRoom, type ChatClient } from "./helpers/chat-client.ts";
import { withClock } from "./helpers/clock.ts";
import { expectCode, expectTexts } from "./helpers/expect.ts";

const HINT =
  "Keep a token bucket per socket in its attachment ({ tokens, refilledAt }): refill 1 token per second up to 5, " +
  'take one per message, and when none is left send {"type":"error","code":"rate_limited","retryAfterMs":…} ' +
  "instead of storing and broadcasting. See TODO(step 6).";

const RETRY_HINT =
  "retryAfterMs is the wait in milliseconds, Math.ceil((1 - tokens) * 1000), and the refill comes from the time " +
  "passed since refilledAt when a message arrives (no timers): once retryAfterMs has passed, a token is back.";
const CAP_HINT = "Cap the refill: tokens = Math.min(5, tokens + elapsed / 1000). After a quiet minute the bucket holds 5 tokens, not 65.";
const BACKWARDS_HINT =
  "Clocks can go backwards: refill by Math.max(0, now - refilledAt) / 1000, so time that did not pass " +
  "earns no tokens and takes none away, then set refilledAt = now as usual.";

/** What the clock checks build on: a burst of 6, whose 6th message is refused. Returns that error. */
function refusesSixth(client: ChatClient) {
  for (let i = 1; i <= 6; i++) client.say(`burst ${i}`);
  return needs("the 6th message of a burst refused with a rate_limited error", client.nextError("a rate_limited error for the 6th message"));
}

/** Sends 6 messages at once and expects exactly 5 through and a rate_limited error for the 6th. */
async function sendSix(client: ChatClient, label: string, when: string) {
  const before = client.all("message").length;
  for (let i = 1; i <= 6; i++) client.say(`${label} ${i}`);
  for (let i = 1; i <= 5; i++) await client.nextMessage(`message ${i} of 6 sent ${when} is delivered`);
  const error = await client.nextError(`a rate_limited error for the 6th message sent ${when}: the bucket holds at most 5 tokens`);
  expectCode(error.code, "rate_limited");
  const texts = [1, 2, 3, 4, 5].map((i) => `${label} ${i}`);
  expectTexts(client.all("message").slice(before), texts, `the first 5 of the 6 messages sent ${when}`);
}

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
    const history = await reader.next("history", "the history frame");
    expectTexts(history.messages, ["burst 1", "burst 2", "burst 3", "burst 4", "burst 5"], "only the 5 accepted messages in the history");
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

  // The checks below set the clock, so each runs alone, after the ones above.
  check.alone("after waiting retryAfterMs, sending works again", RETRY_HINT, () =>
    withClock(async (clock) => {
      const alice = await join(newRoom(), "alice");
      const { retryAfterMs } = await refusesSixth(alice);
      clock.advance(retryAfterMs ?? 1000);
      alice.say("patient");
      for (let i = 1; i <= 6; i++) {
        await alice.nextMessage(`the 5 burst messages, then the one sent ${show(retryAfterMs)} ms after the error`);
      }
      expectTexts(alice.all("message").slice(5), ["patient"], "the message sent after waiting");
    }),
  );

  check.alone("an idle bucket refills to 5 tokens, never more", CAP_HINT, () =>
    withClock(async (clock) => {
      const alice = await join(newRoom(), "alice");
      await refusesSixth(alice);
      for (let i = 1; i <= 5; i++) await alice.nextMessage("the first burst is delivered");
      clock.advance(60_000);
      await sendSix(alice, "after a minute", "after a quiet minute");
    }),
  );

  check.alone("a clock that goes back neither drains nor overfills the bucket", BACKWARDS_HINT, () =>
    withClock(async (clock) => {
      await refusesSixth(await join(newRoom(), "probe"));
      const alice = await join(newRoom(), "alice");
      clock.advance(-10_000);
      await sendSix(alice, "back", "with the clock 10 s behind the moment alice joined");
      clock.advance(20_000);
      await sendSix(alice, "forward", "once the clock is 10 s past the moment alice joined");
    }),
  );
});
