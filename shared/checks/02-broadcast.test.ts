// Stage 02 · Broadcast: every socket in the room receives every message, in one order.
import { describe } from "vitest";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { evict, join, newRoom, type ChatClient } from "./helpers/chat-client.ts";
import { expectMessage, expectTexts } from "./helpers/expect.ts";
import { whileReplaced } from "./helpers/replaced.ts";

const HINT =
  "In webSocketMessage, send the frame to every socket in the room: this.ctx.getWebSockets() lists them, " +
  "even after the object has hibernated. See TODO(step 2).";
const ONCE_HINT =
  "Serialise the frame once, before the loop that sends it to every socket: const text = JSON.stringify(frame), then ws.send(text) " +
  "for each open socket. send(ws, frame) inside the loop serialises it again for every reader.";

/** How many times JSON.stringify serialises the message frame saying `text` while `body` runs (in any object). */
async function serialisedDuring(text: string, body: () => Promise<void>): Promise<number> {
  let calls = 0;
  await whileReplaced(JSON, {
    stringify: (stringify) => (...args: unknown[]) => {
      const frame = args[0] as { type?: unknown; message?: unknown } | null;
      if (frame?.type === "message" && frame.message === text) calls++;
      return stringify.apply(JSON, args);
    },
  }, body);
  return calls;
}

describe("02 · Broadcast", () => {
  check("a second client in the same room receives the message", HINT, async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    alice.say("hi bob");
    expectMessage(await bob.nextMessage("bob receives alice's message"), "alice", "hi bob");
  });

  check("someone who joins after the first message receives the next ones", HINT +
    " Ask this.ctx.getWebSockets() at every message: a list kept in a field misses whoever joined since it was made.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    alice.say("before bob");
    await needs("alice's first message to come back to her", alice.messageWithText("before bob", "alice receives her message back"));
    const bob = await join(room, "bob");
    alice.say("after bob joined");
    // By text: from stage 03 on, what was said before bob came may reach him too, as history.
    expectMessage(await bob.messageWithText("after bob joined", "bob, who joined after alice's first message, receives her next one"), "alice", "after bob joined");
    bob.say("bob here");
    expectMessage(await bob.messageWithText("bob here", "bob receives his own message back"), "bob", "bob here");
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

  check("a message is serialised once, however many are in the room: the work does not grow with its readers", ONCE_HINT, async () => {
    const counts: number[] = [];
    for (const size of [2, 6]) {
      const room = newRoom();
      const clients: ChatClient[] = [];
      for (let i = 1; i <= size; i++) clients.push(await join(room, `reader${i}`));
      const text = `to a room of ${size}`;
      counts.push(await serialisedDuring(text, async () => {
        clients[0].say(text);
        for (const client of clients) await needs(`everyone in a room of ${size} to receive the message`, client.messageWithText(text, `${client.name} receives it`));
      }));
    }
    if (counts[1] > counts[0]) {
      throw new CheckFailure("JSON.stringify of the message frame as often in a room of 6 as in a room of 2: once per broadcast", `${counts[0]} times for 2 readers, ${counts[1]} times for 6`);
    }
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
