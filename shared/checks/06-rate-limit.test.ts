// Stage 06 · Rate limit: each name may send a burst of 5 frames, then 1 per second, however many
// connections it opens. Frames far over the size limit are checked over real connections, in
// 06-rate-limit.sockets.test.ts.
// The checks about time stop the clock (helpers/clock.ts) and move it by hand: no waiting, and
// a clock that goes back, which real time rarely shows.
import { describe } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { env } from "./helpers/target.ts";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { evict, join, newRoom, type ChatClient } from "./helpers/chat-client.ts";
import { withClock } from "./helpers/clock.ts";
import { expectCode, expectTexts } from "./helpers/expect.ts";
import { MAX_FRAME_LENGTH } from "../protocol.ts";

const HINT =
  "Keep a token bucket per name in a Map field ({ tokens, refilledAt }): refill 1 token per second up to 5, " +
  'take one per frame, and when none is left send {"type":"error","code":"rate_limited","retryAfterMs":…} ' +
  "instead of storing and broadcasting. See TODO(step 6).";
const NAME_HINT =
  "The bucket belongs to the name, not to the socket: keep it in a Map<string, Bucket> field keyed by the sender's " +
  "name, not in the attachment, so every connection of that name takes from the same one.";
const EVERY_FRAME_HINT =
  "Take the token, and answer rate_limited when there is none, before readMessage(data): an invalid frame costs a " +
  "token too, and with none left it is refused unread. A flood of garbage is limited like a flood of messages.";

const SIZE_HINT =
  "Close only frames longer than the limit: if (length > MAX_FRAME_LENGTH), not >=. A frame of exactly " +
  "MAX_FRAME_LENGTH characters is read like any other (a message that long gets too_long). See TODO(step 6).";

const RETRY_HINT =
  "retryAfterMs is the wait in milliseconds, Math.ceil((1 - tokens) * 1000), and the refill comes from the time " +
  "passed since refilledAt when a message arrives (no timers): once retryAfterMs has passed, a token is back.";
const CAP_HINT =
  "Cap the bucket, not the refill: tokens = Math.min(5, tokens + elapsed / 1000). After a quiet minute the bucket " +
  "holds 5 tokens, not 65; and tokens += Math.min(5, elapsed / 1000) lets a bucket that still had 4 reach 9.";
const FORGET_HINT =
  "When a new name gets its bucket, forget only the buckets that are full again: now - refilledAt >= 5000 " +
  "(5 tokens at 1 per second). A bucket that has refilled for less still counts, and forgetting it gives its name a fresh burst.";
const BACKWARDS_HINT =
  "Clocks can go backwards: refill by Math.max(0, now - refilledAt) / 1000, so time that did not pass " +
  "earns no tokens and takes none away, then set refilledAt = now as usual.";

/** What the clock checks build on: a burst of 6, whose 6th message is refused. Returns that error. */
function refusesSixth(client: ChatClient) {
  for (let i = 1; i <= 6; i++) client.say(`burst ${i}`);
  return needs("the 6th message of a burst refused with a rate_limited error", client.nextError("a rate_limited error for the 6th message", "burst 6"));
}

/** The error's retryAfterMs is `ms` (within 1 ms, for rounding). */
function expectRetry(error: { retryAfterMs?: unknown }, ms: number, when: string) {
  // A whole number of milliseconds: (1 - 0.7) × 1000 is 300.00000000000006 until Math.ceil rounds it.
  if (typeof error.retryAfterMs !== "number" || !Number.isInteger(error.retryAfterMs) || Math.abs(error.retryAfterMs - ms) > 1) {
    throw new CheckFailure(`retryAfterMs ${ms}, a whole number of milliseconds (${when})`, show(error));
  }
}

/** A new room with alice and bob, where alice's burst of 6 has had its 6th message refused. */
async function burstBesideBob() {
  const room = newRoom();
  const alice = await join(room, "alice");
  const bob = await join(room, "bob");
  await refusesSixth(alice);
  return { room, bob };
}

/** Sends `through` + 1 messages at once and expects exactly `through` delivered and a rate_limited error for the last. */
async function sendExpecting(client: ChatClient, through: number, label: string, when: string) {
  const before = client.all("message").length;
  for (let i = 1; i <= through + 1; i++) client.say(`${label} ${i}`);
  for (let i = 1; i <= through; i++) await client.nextMessage(`message ${i} of ${through + 1} sent ${when} is delivered`);
  const error = await client.nextError(`a rate_limited error for message ${through + 1} of ${through + 1} sent ${when}: the bucket holds ${through} token(s) then`, `${label} ${through + 1}`);
  expectCode(error.code, "rate_limited");
  const texts = Array.from({ length: through }, (_, i) => `${label} ${i + 1}`);
  expectTexts(client.all("message").slice(before), texts, `the first ${through} of the ${through + 1} messages sent ${when}`);
}

describe("06 · Rate limit", () => {
  // An answer, not a close: in the runtime, as a real connection would show it.
  check(`a frame of exactly ${MAX_FRAME_LENGTH} characters is answered, not closed`, SIZE_HINT, async () => {
    const alice = await join(newRoom(), "alice");
    const frame = JSON.stringify({ message: "x".repeat(MAX_FRAME_LENGTH - JSON.stringify({ message: "" }).length) });
    alice.sendRaw(frame);
    const error = await alice.nextError(`a too_long error for a frame of exactly ${frame.length} characters, the socket still open`);
    expectCode(error.code, "too_long");
    // Characters are UTF-16 units (data.length), not UTF-8 bytes: each "€" is 1 unit and 3 bytes.
    const euros = JSON.stringify({ message: "€".repeat(6000) });
    alice.sendRaw(euros);
    const again = await alice.nextError(`a too_long error for 6,000 "€": ${euros.length} characters (UTF-16 units), though ${new TextEncoder().encode(euros).length} UTF-8 bytes`);
    expectCode(again.code, "too_long");
  });

  check("a frame over the limit is not read: nobody receives what it says, and nothing is stored", SIZE_HINT +
    " Return right after ws.close(1009, …): the rest of webSocketMessage must not run for that frame.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    // A valid message, padded past the limit with the spaces JSON allows.
    const frame = `{"message":"too big to read"${" ".repeat(MAX_FRAME_LENGTH)}}`;
    alice.sendRaw(frame);
    await bob.quiet(300);
    const told = alice.all("error")[0];
    if (told) throw new CheckFailure("no error frame for a frame over the limit: the close with 1009 says it all", `alice received ${show(told)}`);
    const read = bob.all("message").find((frame) => frame.message === "too big to read");
    if (read) throw new CheckFailure(`nothing for bob from a frame of ${frame.length} characters: it is closed, not read`, `bob received ${show(read)}`);
    const reader = await join(room, "reader");
    const history = await reader.next("history", "a newcomer's history frame");
    expectTexts(history.messages, [], "the history, after a frame over the limit");
  });

  check("a burst of 5 messages goes through", HINT, async () => {
    const alice = await join(newRoom(), "alice");
    for (let i = 1; i <= 5; i++) alice.say(`burst ${i}`);
    for (let i = 1; i <= 5; i++) await alice.nextMessage(`message ${i} of the burst is delivered`);
    await alice.expectNoMore("error", "no error for the first 5 messages", 300, 0);
  });

  // The checks below stop the clock (a slow machine must not earn a token back halfway through
  // a burst) or move it, so each runs alone, after the ones above.
  check.alone("the 6th message of a burst gets a rate_limited error with retryAfterMs", HINT, () =>
    withClock(async (clock) => {
      const alice = await join(newRoom(), "alice");
      for (let i = 1; i <= 6; i++) alice.say(`burst ${i}`);
      const error = await alice.nextError("a rate_limited error for the 6th message", "burst 6");
      expectCode(error.code, "rate_limited");
      const wait = error.retryAfterMs;
      if (!Number.isInteger(wait) || (wait as number) <= 0 || (wait as number) > 1000) {
        throw new CheckFailure("retryAfterMs: a whole number of milliseconds, above 0 and at most 1000", show(error));
      }
      // Open, and still heard: a second later, a token is back and the next message goes through.
      clock.advance(1000);
      alice.say("after the wait");
      await alice.messageWithText("after the wait", "the socket stays open after the error: a message sent a second later comes back");
    }),
  );

  check.alone("a rate-limited message is neither broadcast nor stored", HINT, () =>
    withClock(async () => {
      const { room, bob } = await burstBesideBob();
      for (let i = 1; i <= 5; i++) await bob.nextMessage("bob receives the 5 accepted messages");
      await bob.expectNoMore("message", "bob does not receive the 6th message", 300, 5);
      const reader = await join(room, "reader");
      const history = await reader.next("history", "the history frame");
      expectTexts(history.messages, ["burst 1", "burst 2", "burst 3", "burst 4", "burst 5"], "only the 5 accepted messages in the history");
    }),
  );

  check.alone("the limit is per name: others can still talk", HINT + " Each name has its own bucket, not one for the whole room.", () =>
    withClock(async () => {
      const { bob } = await burstBesideBob();
      bob.say("my turn");
      await bob.expectNoMore("error", "bob is not rate limited", 300, 0);
    }),
  );

  check.alone("reconnecting does not refill the bucket", NAME_HINT, () =>
    withClock(async () => {
      const room = newRoom();
      const first = await join(room, "alice");
      for (let i = 1; i <= 5; i++) first.say(`burst ${i}`);
      for (let i = 1; i <= 5; i++) await first.nextMessage("the burst is delivered");
      await first.close(1000, "reconnecting");
      const again = await join(room, "alice");
      again.say("one too many");
      const error = await again.nextError("a rate_limited error for alice's 6th message, sent on a new connection", "one too many");
      expectCode(error.code, "rate_limited");
    }),
  );

  check.alone("two connections with one name share one budget", NAME_HINT, () =>
    withClock(async () => {
      const room = newRoom();
      const tab1 = await join(room, "alice");
      const tab2 = await join(room, "alice");
      for (let i = 1; i <= 3; i++) tab1.say(`tab 1, ${i}`);
      for (let i = 1; i <= 3; i++) await tab1.messageWithText(`tab 1, ${i}`, "tab 1's messages are delivered");
      for (let i = 1; i <= 3; i++) tab2.say(`tab 2, ${i}`);
      const error = await tab2.nextError("a rate_limited error for the 6th message alice sent, her 3rd on a second tab", "tab 2, 3");
      expectCode(error.code, "rate_limited");
    }),
  );

  check.alone("invalid frames cost a token too", EVERY_FRAME_HINT, () =>
    withClock(async () => {
      const alice = await join(newRoom(), "alice");
      // Four that are not JSON, and a binary frame (a chat frame is text).
      for (let i = 1; i <= 4; i++) alice.sendRaw("not json");
      alice.sendRaw(new TextEncoder().encode(JSON.stringify({ message: "binary" })).buffer as ArrayBuffer);
      for (let i = 1; i <= 5; i++) expectCode((await alice.nextError(`a bad_message error for invalid frame ${i} (${i < 5 ? "not JSON" : "binary"})`)).code, "bad_message");
      alice.say("hello");
      const error = await alice.nextError("a rate_limited error for the message after 5 invalid frames", "hello");
      expectCode(error.code, "rate_limited");
      // With the bucket empty, an invalid frame is refused for the limit too, before it is parsed.
      alice.sendRaw("not json either");
      const expected = "a rate_limited error for an invalid frame sent with the bucket empty (the limit comes before parsing)";
      const refused = await alice.nextError(expected);
      if (refused.code !== "rate_limited") throw new CheckFailure(expected, show(refused));
    }),
  );

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

  check.alone("a token comes back after 1000 ms, not sooner, and retryAfterMs is the time left", RETRY_HINT +
    " A token takes 1000 ms: refill (now - refilledAt) / 1000 tokens, not the milliseconds themselves.", () =>
    withClock(async (clock) => {
      const alice = await join(newRoom(), "alice");
      expectRetry(await refusesSixth(alice), 1000, "right after a burst of 5, with no token left");
      clock.advance(700);
      alice.say("700 ms later");
      const early = await alice.nextError("a rate_limited error for a message sent 700 ms after the burst: 0.7 of a token is back, not a whole one", "700 ms later");
      expectCode(early.code, "rate_limited");
      expectRetry(early, 300, "700 ms after the burst: (1 - 0.7) × 1000, rounded up");
      clock.advance(300);
      alice.say("1000 ms later");
      await alice.messageWithText("1000 ms later", "the message sent 1000 ms after the burst is delivered: a whole token is back");
    }),
  );

  check.alone("part of a second counts: 1.5 s, then 0.5 s more, bring two tokens back", RETRY_HINT +
    " Refill the fraction too, (now - refilledAt) / 1000 without rounding, and set refilledAt to now: the half of a second already waited stays in the bucket.", () =>
    withClock(async (clock) => {
      const alice = await join(newRoom(), "alice");
      await refusesSixth(alice);
      clock.advance(1500);
      alice.say("1.5 s later");
      await alice.messageWithText("1.5 s later", "the message sent 1.5 s after the burst is delivered: one and a half tokens are back");
      clock.advance(500);
      alice.say("0.5 s after that");
      await alice.messageWithText("0.5 s after that", "the message sent 0.5 s later is delivered: the half token left and half a token more make one");
    }),
  );

  check.alone("an idle bucket refills to 5 tokens, never more", CAP_HINT, () =>
    withClock(async (clock) => {
      const alice = await join(newRoom(), "alice");
      await refusesSixth(alice);
      for (let i = 1; i <= 5; i++) await alice.nextMessage("the first burst is delivered");
      clock.advance(60_000);
      await sendExpecting(alice, 5, "after a minute", "after a quiet minute");
      // From a bucket that was not empty: 4 tokens and a quiet minute make 5, not 9.
      const bob = await join(newRoom(), "bob");
      bob.say("just one");
      await bob.messageWithText("just one", "bob's one message is delivered");
      clock.advance(60_000);
      await sendExpecting(bob, 5, "bob after a minute", "a minute after bob's one message, with 4 tokens left then");
    }),
  );

  check.alone("a newcomer's first message gives nobody a fresh burst: only full buckets are forgotten", FORGET_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom();
      const alice = await join(room, "alice");
      const bob = await join(room, "bob");
      await refusesSixth(alice);
      clock.advance(1000);
      bob.say("hello, I am new here");
      await needs("bob's first message to be delivered", alice.messageWithText("hello, I am new here", "alice receives bob's first message"));
      await sendExpecting(alice, 1, "after bob", "1 s after alice's burst, once bob's first message went through");
    }),
  );

  check.alone("a name that left with an empty bucket finds it empty on its return, even after a newcomer spoke", FORGET_HINT +
    " Whether the name is online does not matter: its bucket is the one that leaving and coming back must not refill.", () =>
    withClock(async () => {
      const room = newRoom();
      const alice = await join(room, "alice");
      await refusesSixth(alice);
      await alice.close(1000, "leaving");
      const carol = await join(room, "carol");
      carol.say("hello, I am new here");
      await needs("carol's first message to be delivered", carol.messageWithText("hello, I am new here", "carol receives her first message back"));
      const back = await join(room, "alice");
      back.say("back again");
      const error = await back.nextError("a rate_limited error for alice's message after she came back: her bucket was empty when she left, and no time has passed", "back again");
      expectCode(error.code, "rate_limited");
    }),
  );

  check.alone("buckets that have refilled are forgotten when a new name arrives: the Map stays small", FORGET_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom();
      const names = ["ann", "ben"];
      for (const name of names) {
        const client = await join(room, name);
        client.say(`${name} was here`);
        await needs(`${name}'s message to come back`, client.messageWithText(`${name} was here`, `${name} receives the message back`));
      }
      clock.advance(5000);
      const zed = await join(room, "zed");
      zed.say("anyone still around?");
      await needs("zed's first message to come back", zed.messageWithText("anyone still around?", "zed receives the message back"));
      // The buckets live in a Map field of the object (TODO 2), a name to { tokens, refilledAt }: whichever
      // field it is, the full ones must be gone. (A Map of names to sockets, from stage 07 on, is not one.)
      const isBucket = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((field) => typeof field === "number");
      const kept = await runInDurableObject(env.CHAT.getByName(room), (instance) =>
        Object.values(instance as object)
          .filter((value): value is Map<unknown, unknown> => value instanceof Map && [...value.values()].every(isBucket))
          .flatMap((map) => [...map.keys()]),
      );
      const stale = kept.filter((key) => names.includes(key as string));
      if (stale.length > 0) {
        throw new CheckFailure("5 s after their last message, once zed gets a bucket, the full buckets of ann and ben are forgotten", `still kept: ${show(stale)}`);
      }
    }),
  );

  check.alone("a clock that goes back neither drains nor overfills the bucket", BACKWARDS_HINT, () =>
    withClock(async (clock) => {
      await refusesSixth(await join(newRoom(), "probe"));
      const alice = await join(newRoom(), "alice");
      alice.say("first");
      await needs("alice's first message to be delivered", alice.nextMessage("alice's first message is delivered"));
      clock.advance(-10_000);
      await sendExpecting(alice, 4, "back", "with the clock 10 s behind alice's first message (4 tokens left)");
      clock.advance(20_000);
      await sendExpecting(alice, 5, "forward", "once the clock is 10 s past alice's first message (refilled, at most 5)");
    }),
  );

  check.alone("after the clock went back, waiting retryAfterMs is enough", BACKWARDS_HINT +
    " refilledAt follows the clock back too: the wait counts from now, not from a time the clock has not reached again.", () =>
    withClock(async (clock) => {
      const alice = await join(newRoom(), "alice");
      await refusesSixth(alice);
      clock.advance(-10_000);
      alice.say("10 s back");
      const error = await alice.nextError("a rate_limited error for a message sent with the clock 10 s back, the bucket still empty", "10 s back");
      expectCode(error.code, "rate_limited");
      // A token is back within a second of now, whatever the clock said before.
      if (typeof error.retryAfterMs !== "number" || error.retryAfterMs < 1 || error.retryAfterMs > 1000) {
        throw new CheckFailure("retryAfterMs from 1 to 1000 with the clock 10 s back: the wait counts from now", show(error.retryAfterMs));
      }
      clock.advance(error.retryAfterMs);
      alice.say("waited");
      await alice.messageWithText("waited", `the message sent ${show(error.retryAfterMs)} ms later, as retryAfterMs said, with the clock 10 s back, is delivered`);
    }),
  );
});
