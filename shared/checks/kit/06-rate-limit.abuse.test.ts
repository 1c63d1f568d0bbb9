// Kit check for the solutions (stage 06): a flood of invalid frames is limited like a flood of
// messages. Each frame costs a token before it is parsed, so garbage cannot buy unlimited parsing
// and error frames; the first 5 get the real reason (bad_message), the rest "slow down".
import { expect, test } from "vitest";
import { join, newRoom } from "../helpers/chat-client.ts";
import { withClock } from "../helpers/clock.ts";

test("a flood of 50 invalid frames: 5 bad_message answers, then rate_limited, and nothing stored or sent on", async () => {
  const room = newRoom("flood");
  const alice = await join(room, "alice");
  const bob = await join(room, "bob");
  // The clock stands still during the flood: on a busy machine 50 frames can take over a second,
  // and a second refills a token (CI once saw a sixth bad_message).
  await withClock(async () => {
    for (let i = 0; i < 50; i++) alice.sendRaw(i % 2 ? "not json" : JSON.stringify({ message: " " }));
    for (let i = 1; i <= 50; i++) await alice.nextError(`an answer to invalid frame ${i}`);
  });
  const codes = alice.all("error").map((error) => error.code);
  expect(codes).toEqual([...Array(5).fill("bad_message"), ...Array(45).fill("rate_limited")]);
  await bob.expectNoMore("message", "bob receives nothing from the flood");
  const reader = await join(room, "reader");
  expect((await reader.next("history", "the history frame")).messages).toEqual([]);
});
