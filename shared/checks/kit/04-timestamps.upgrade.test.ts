// Kit check for the solutions (stage 04 on): a room saved by stage 03, before messages had
// timestamps, still opens after the upgrade; its old messages keep their text, new ones get a time.
import { env } from "../helpers/target.ts";
import { runInDurableObject } from "cloudflare:test";
import { expect, test } from "vitest";
import { evict, join, newRoom } from "../helpers/chat-client.ts";

test("a room stored before stage 04 is upgraded in place, losing nothing", async () => {
  const room = newRoom("upgrade");
  await runInDurableObject(env.CHAT.getByName(room), (_instance, state) => {
    // Put the room back as stage 03 left it.
    state.storage.sql.exec("DROP TABLE messages");
    state.storage.sql.exec("CREATE TABLE messages (id INTEGER PRIMARY KEY, name TEXT NOT NULL, message TEXT NOT NULL)");
    state.storage.sql.exec("INSERT INTO messages (name, message) VALUES ('ann', 'from stage 03')");
  });
  await evict(room, "close");

  const alice = await join(room, "alice");
  const { messages } = await alice.next("history", "the history with the message stored by stage 03");
  expect(messages).toMatchObject([{ id: 1, name: "ann", message: "from stage 03", timestamp: 0 }]);
  alice.say("after the upgrade");
  const fresh = await alice.nextMessage("the new message");
  expect(fresh.message).toBe("after the upgrade");
  expect(fresh.timestamp).toBeGreaterThan(1_700_000_000_000);
  // The upgrade kept the ids, so a client that had the old message resumes after it.
  expect(fresh.id).toBe(2);
});
