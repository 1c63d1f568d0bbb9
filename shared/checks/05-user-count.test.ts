// Stage 05 · User count: a newcomer is told who is here, everyone else what changed, a burst of
// changes in one frame, even after the object hibernated. Leaving is checked over real connections, in 05-user-count.sockets.test.ts.
import { describe } from "vitest";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { evict, join, newRoom, type ChatClient } from "./helpers/chat-client.ts";
import { expectEqual } from "./helpers/expect.ts";
import { whileReplaced } from "./helpers/replaced.ts";

const USERS_HINT =
  'Right after the history frame, send the newcomer alone {"type":"users","count":…,"names":[…]}: the distinct ' +
  "names of the open sockets, sorted. Build them from this.ctx.getWebSockets() and each socket's " +
  "deserializeAttachment(). See TODO(step 5).";
const PRESENCE_HINT =
  "When a name comes online (its first socket), note it with presenceChanged(name): the first change starts a 50 ms " +
  'timer, and when it fires one {"type":"presence","joined":[…],"left":[…],"count":…} frame goes to everyone. ' +
  "See TODO(step 5).";

describe("05 · User count", () => {
  check("a client that joins is told who is here, right after the history", USERS_HINT, async () => {
    const alice = await join(newRoom(), "alice");
    const first = await alice.firstFrame("the history frame first");
    const users = await alice.next("users", 'a users frame after the history: {"type":"users","count":1,"names":["alice"]}');
    expectEqual(users, { type: "users", count: 1, names: ["alice"] }, "alice's users frame");
    if (first.type !== "history") throw new CheckFailure("the history frame comes first, then the users frame", `the first frame was ${show(first)}`);
    const second = await alice.frameAt(1, "the users frame right after the history");
    if (second.type !== "users") throw new CheckFailure("the users frame right after the history, before any other frame", `the second frame was ${show(second)}`);
  });

  check("a newcomer is told every name once, sorted", USERS_HINT + " Use a Set for distinct names, then sort().", async () => {
    const room = newRoom();
    // Neither the order they came in nor its reverse is sorted.
    for (const name of ["mia", "zoe", "adam"]) await join(room, name);
    const zoeAgain = await join(room, "zoe");
    const users = await zoeAgain.next("users", "a users frame for zoe's second tab");
    expectEqual(users, { type: "users", count: 3, names: ["adam", "mia", "zoe"] }, "zoe has two tabs open, so");
  });

  check("the others are told who joined, in a presence frame", PRESENCE_HINT, async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    await needs("alice to be told who is here (the check above)", alice.next("users", "alice's users frame"));
    await join(room, "bob");
    // alice may also see herself in "joined", in the frame about her own arrival (or in this one).
    const presence = await alice.frameWhere("presence", (frame) => frame.joined.includes("bob"), 'alice receives {"type":"presence","joined":["bob"],"left":[],"count":2}');
    expectEqual({ left: presence.left, count: presence.count }, { left: [], count: 2 }, 'in the presence frame that names bob in "joined"');
    await alice.expectNoMore("users", "alice receives no second users frame: only the newcomer gets the whole list", 300, 1);
  });

  check("people who arrive together are told in one presence frame, not one each", PRESENCE_HINT +
    " Start the timer only for the first change (when `changed` is empty): later ones join that frame. Sort the names it lists.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    await needs("alice to be told who is here", alice.next("users", "alice's users frame"));
    // They arrive in the reverse of sorted order: a frame must list them sorted all the same.
    const names = Array.from({ length: 10 }, (_, i) => `guest-${9 - i}`);
    await Promise.all(names.map((name) => join(room, name)));
    await alice.expectPresence(["alice", ...names].sort(), "alice sees the 10 guests online, count 11");
    await alice.quiet();
    const frames = alice.all("presence").length;
    if (frames > 3) {
      throw new CheckFailure("10 people arriving at once reach alice in 1 to 3 presence frames", `${frames} presence frames: ${show(alice.all("presence").slice(0, 3))}…`);
    }
    const unsorted = alice.all("presence").find(({ joined, left }) => [joined, left].some((list) => show(list) !== show([...list].sort())));
    if (unsorted) throw new CheckFailure("each presence frame lists its joined and left names sorted", show(unsorted));
  });

  check("a second tab of someone already here tells nobody, and counts once", PRESENCE_HINT + " A name that already has an open socket is already online: note nothing. count is the number of distinct names.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    await join(room, "zoe");
    await needs("alice to be told zoe joined (the checks above)", alice.expectPresence(["alice", "zoe"], "alice sees zoe online"));
    const before = alice.all("presence").length;
    await join(room, "zoe");
    await alice.expectNoMore("presence", "no presence frame when zoe opens a second tab: zoe was online already", 300, before);
    // Then bob arrives: the frame that names him counts people, and zoe's two tabs are one.
    await join(room, "bob");
    const presence = await alice.frameWhere("presence", (frame) => frame.joined.includes("bob"), "alice receives a presence frame that names bob");
    expectEqual(presence.count, 3, 'the count in the presence frame that names bob in "joined": alice, zoe (in two tabs) and bob');
  });

  check("who is here is right after the object hibernates", "Derive the names from this.ctx.getWebSockets() and " +
    "attachments, not from a Map kept in memory: memory is empty after hibernation.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    await needs("alice to be told who is here", alice.next("users", "alice's users frame"));
    await evict(room);
    const bob = await join(room, "bob");
    const users = await bob.next("users", "bob's users frame");
    expectEqual(users, { type: "users", count: 2, names: ["alice", "bob"] }, "after hibernation, bob is told");
    await alice.expectPresence(["alice", "bob"], "alice is told bob joined, with count 2");
  });

  // Alone: it replaces JSON.stringify for the whole isolate while it counts.
  check.alone("a presence frame is serialised once, however many are in the room", PRESENCE_HINT +
    " Send it with this.broadcast(…), which serialises once, not with send() to each socket.", async () => {
    const counts: number[] = [];
    for (const size of [2, 4]) {
      const room = newRoom();
      const names = Array.from({ length: size }, (_, i) => `reader${i + 1}`);
      const readers: ChatClient[] = [];
      for (const name of names) readers.push(await join(room, name));
      await needs("everyone to be told who is here (the checks above)", readers[0].expectPresence(names, `${names[0]} sees ${names.join(", ")}`));
      const newcomer = `new${crypto.randomUUID().slice(0, 8)}`;
      let calls = 0;
      await whileReplaced(JSON, {
        stringify: (stringify) => (...args: unknown[]) => {
          const frame = args[0] as { type?: unknown; joined?: unknown } | null;
          if (frame?.type === "presence" && Array.isArray(frame.joined) && frame.joined.includes(newcomer)) calls++;
          return stringify.apply(JSON, args);
        },
      }, async () => {
        await join(room, newcomer);
        for (const reader of readers) await needs(`everyone in a room of ${size} to be told ${newcomer} joined`, reader.expectPresence([...names, newcomer].sort(), `${reader.name} is told ${newcomer} joined`));
      });
      counts.push(calls);
    }
    if (counts[1] > counts[0]) {
      throw new CheckFailure("JSON.stringify of the presence frame as often in a room of 4 as in a room of 2: once per frame", `${counts[0]} times for 2 readers, ${counts[1]} times for 4`);
    }
  });
});
