// Stage 02 · Broadcast: every socket in the room receives every message, in one order.
import { describe } from "vitest";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { evict, join, newRoom } from "./helpers/chat-client.ts";
import { expectMessage, expectTexts } from "./helpers/expect.ts";

const HINT =
  "In webSocketMessage, send the frame to every socket in the room: this.ctx.getWebSockets() lists them, " +
  "even after the object has hibernated. See TODO(step 2).";

describe("02 · Broadcast", () => {
  check("a second client in the same room receives the message", HINT, async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    alice.say("hi bob");
    expectMessage(await bob.nextMessage("bob receives alice's message"), "alice", "hi bob");
  });

  check("the sender receives its own message too", HINT, async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    await join(room, "bob");
    alice.say("hello");
    expectMessage(await alice.nextMessage("alice receives her own message"), "alice", "hello");
  });

  check("every client sees every message in the same order", HINT, async () => {
    const room = newRoom();
    const clients = [await join(room, "ann"), await join(room, "ben"), await join(room, "cy")];
    const sent: string[] = [];
    for (let round = 1; round <= 3; round++) {
      for (const client of clients) {
        const text = `${client.name} ${round}`;
        client.say(text);
        sent.push(text);
      }
    }
    const orders = [];
    for (const client of clients) {
      for (const _ of sent) await client.nextMessage(`${client.name} receives all ${sent.length} messages`);
      orders.push(client.all("message"));
    }
    for (const [i, order] of orders.entries()) {
      expectTexts(order, orders[0].map((frame) => frame.message), `${clients[i].name} sees the order ann saw`);
    }
  });

  check("a client in another room receives nothing", HINT, async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    const outsider = await join(newRoom("elsewhere"), "eve");
    alice.say("just for this room");
    await needs("bob, in the same room, to receive alice's message", bob.nextMessage("bob receives alice's message"));
    await outsider.expectNoMore("message", "eve, in another room, receives nothing", 300, 0);
  });

  check("an error goes only to the client that caused it", "Send error frames back with send(ws, …) to the " +
    "sender alone; only accepted messages are broadcast.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    alice.sendRaw("not json");
    await needs("alice to get a bad_message error (stage 01)", alice.nextError("alice receives her error"));
    alice.say("sorry");
    await needs("bob to receive alice's next message", bob.messageWithText("sorry", "bob receives alice's next message"));
    const errors = bob.all("error");
    if (errors.length > 0) throw new CheckFailure("bob receives no error frame", `bob received ${show(errors[0])}`);
  });

  check("everyone still receives messages after the object hibernates", HINT + " A list of sockets kept " +
    "in a field is empty after hibernation.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    await evict(room);
    alice.say("still there?");
    expectMessage(await bob.messageWithText("still there?", "after hibernation, bob receives alice's message"), "alice", "still there?");
  });
});
