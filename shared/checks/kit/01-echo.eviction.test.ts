// Kit check for every solution (01 on): evicting the room's object in the middle of a
// conversation loses no stored message and no connection's name. The object's memory is
// gone after eviction; what survives is storage and each socket's attachment.
import { expect, test } from "vitest";
import { target } from "../helpers/target.ts";
import type { MessageFrame } from "../../protocol.ts";
import { evict, join, newRoom, type ChatClient } from "../helpers/chat-client.ts";

const STAGE = target().stage;

const texts = (client: ChatClient) => client.all("message").map((frame) => `${frame.name}: ${frame.message}`);

/** The history frame a newcomer gets (stage 03 on), after checking that its ids only grow, across evictions too. */
async function historyOf(room: string): Promise<MessageFrame[]> {
  const newcomer = await join(room, "newcomer");
  const { messages } = await newcomer.next("history", "the history frame");
  const ids = messages.map((frame) => frame.id!);
  expect(ids.every((id, i) => i === 0 || id > ids[i - 1]), `ids only grow: ${ids}`).toBe(true);
  return messages;
}

/** Waits until `client` has `count` message frames. */
async function received(client: ChatClient, count: number, what: string) {
  while (client.all("message").length < count) await client.nextMessage(what);
}

test("evicting the object between messages keeps every name and every stored message", async () => {
  const room = newRoom("evict");
  const alice = await join(room, "alice");
  const bob = await join(room, "bob");
  const expected: string[] = [];
  const say = async (client: ChatClient, text: string) => {
    client.say(text);
    expected.push(`${client.name}: ${text}`);
    // Before 02 only the sender hears its message.
    await received(client, STAGE >= 2 ? expected.length : expected.filter((t) => t.startsWith(client.name)).length, text);
  };

  await say(alice, "before");
  await evict(room);
  await say(bob, "after one eviction");
  await say(alice, "still alice");
  await evict(room);
  await say(bob, "after two");

  if (STAGE >= 2) {
    await received(alice, expected.length, "alice hears everyone");
    expect(texts(alice)).toEqual(expected);
    expect(texts(bob)).toEqual(expected);
  } else {
    expect(texts(alice)).toEqual(expected.filter((t) => t.startsWith("alice")));
    expect(texts(bob)).toEqual(expected.filter((t) => t.startsWith("bob")));
  }
  if (STAGE >= 3) {
    await evict(room, "close");
    // The same frames as delivered: texts, names and ids.
    expect(await historyOf(room)).toEqual(alice.all("message"));
  }
});

test("evicting the object while messages are in flight loses none of them", async () => {
  const room = newRoom("evict-flight");
  const writers = await Promise.all(["w1", "w2", "w3"].map((name) => join(room, name)));
  const watcher = await join(room, "watcher");
  // 5 per socket: within stage 06's burst. The eviction starts while the object is still working through them.
  for (let i = 1; i <= 5; i++) for (const writer of writers) writer.say(`${i}`);
  await evict(room);

  for (const writer of writers) {
    await received(writer, STAGE >= 2 ? 15 : 5, `${writer.name} hears every message`);
    const own = texts(writer).filter((text) => text.startsWith(writer.name));
    expect(own, "each writer's messages in the order sent").toEqual([1, 2, 3, 4, 5].map((i) => `${writer.name}: ${i}`));
  }
  if (STAGE < 2) return;
  await received(watcher, 15, "the watcher hears every message");
  for (const writer of writers) expect(texts(writer), "the same order for everyone").toEqual(texts(watcher));
  if (STAGE >= 3) {
    expect(await historyOf(room), "the history holds every message, in the order delivered").toEqual(watcher.all("message"));
  }
});
