// Kit check for the solutions (stage 06): invalid frames do not use up the rate limit.
// A frame that readMessage rejects costs the object one parse and one error frame to the
// sender (nothing stored, nothing fanned out), and its answer should name the real mistake
// (bad_message), not "slow down". So the bucket is only charged for messages it would accept.
import { expect, test } from "vitest";
import { join, newRoom } from "../helpers/chat-client.ts";

test("invalid frames do not use up the burst: after 10 of them, 5 messages still go through", async () => {
  const alice = await join(newRoom("tokens"), "alice");
  for (let i = 0; i < 10; i++) alice.sendRaw(i % 2 ? "not json" : JSON.stringify({ message: " " }));
  for (let i = 1; i <= 5; i++) alice.say(`burst ${i}`);
  for (let i = 1; i <= 5; i++) await alice.nextMessage(`message ${i} of the burst is delivered`);
  await alice.expectNoMore("message", "only the 5 messages");
  expect(alice.all("error").map((e) => e.code)).toEqual(Array(10).fill("bad_message"));
});
