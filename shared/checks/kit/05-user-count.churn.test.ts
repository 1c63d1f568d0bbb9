// Kit check for the solutions (stage 05 on): 200 clients that connect and disconnect in quick
// succession leave everyone's view of who is online exact. Joins and closes overlap, so the object handles
// them interleaved, and a close must never leave a ghost name (or drop a live one).
import { test } from "vitest";
import { join, newRoom, type ChatClient } from "../helpers/chat-client.ts";

const CLIENTS = 200;

/** The client's view of who is online (users, then joined and left frames) comes to `names`. */
function expectUsers(client: ChatClient, names: string[]) {
  return client.expectPresence(names, `${client.name} sees ${JSON.stringify(names)} online`);
}

test(`${CLIENTS} clients joining and leaving in quick succession leave the user list exact`, async () => {
  const room = newRoom("churn");
  const watcher = await join(room, "watcher");
  // Every other client leaves as soon as it is in; the rest stay. All joins overlap.
  const stayers: ChatClient[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const client = await join(room, `c${String(i).padStart(3, "0")}`);
      if (i % 2 === 0) stayers.push(client);
      else await client.close();
    }),
  );
  const staying = ["watcher", ...stayers.map((c) => c.name)].sort();
  await expectUsers(watcher, staying);
  const latecomer = await join(room, "latecomer");
  await expectUsers(latecomer, [...staying, "latecomer"].sort());

  await Promise.all(stayers.map((client) => client.close()));
  await expectUsers(watcher, ["latecomer", "watcher"]);
  // Nothing further arrives: the watcher's view stays the exact list.
  await watcher.expectNoMore("presence", "no presence frame after the room settled");
  // 4-9 s alone; twice that on a busy 2-core machine (measured), so it gets more than the default 20 s.
}, 60_000);
