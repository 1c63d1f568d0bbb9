// Stage 05 · User count: a newcomer is told who is here, everyone else what changed, even after
// the object hibernated. Leaving is checked over real connections, in 05-user-count.sockets.test.ts.
import { describe } from "vitest";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { evict, join, newRoom } from "./helpers/chat-client.ts";
import { expectEqual } from "./helpers/expect.ts";

const USERS_HINT =
  'Right after the history frame, send the newcomer alone {"type":"users","count":…,"names":[…]}: the distinct ' +
  "names of the open sockets, sorted. Build them from this.ctx.getWebSockets() and each socket's " +
  "deserializeAttachment(). See TODO(step 5).";
const JOINED_HINT =
  'Before accepting the new socket, if its name has no open socket yet, send everyone {"type":"joined","name":…,"count":…}: ' +
  "one small frame instead of the whole list, which would cost every reader the full list at every join. See TODO(step 5).";

describe("05 · User count", () => {
  check("a client that joins is told who is here, right after the history", USERS_HINT, async () => {
    const alice = await join(newRoom(), "alice");
    const first = await alice.firstFrame("the history frame first");
    const users = await alice.next("users", 'a users frame after the history: {"type":"users","count":1,"names":["alice"]}');
    expectEqual(users, { type: "users", count: 1, names: ["alice"] }, "alice's users frame");
    if (first.type !== "history") throw new CheckFailure("the history frame comes first, then the users frame", `the first frame was ${show(first)}`);
  });

  check("a newcomer is told every name once, sorted", USERS_HINT + " Use a Set for distinct names, then sort().", async () => {
    const room = newRoom();
    // Neither the order they came in nor its reverse is sorted.
    for (const name of ["mia", "zoe", "adam"]) await join(room, name);
    const zoeAgain = await join(room, "zoe");
    const users = await zoeAgain.next("users", "a users frame for zoe's second tab");
    expectEqual(users, { type: "users", count: 3, names: ["adam", "mia", "zoe"] }, "zoe has two tabs open, so");
  });

  check("the others are told who joined, with one small frame", JOINED_HINT, async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    await needs("alice to be told who is here (the check above)", alice.next("users", "alice's users frame"));
    await join(room, "bob");
    const joined = await alice.next("joined", 'alice receives {"type":"joined","name":"bob","count":2}');
    expectEqual(joined, { type: "joined", name: "bob", count: 2 }, "alice is told");
    const onlyNewcomers = "alice receives no second users frame: only the newcomer gets the whole list";
    await alice.expectNoMore("users", onlyNewcomers, 300, 1);
    await alice.expectPresence(["alice", "bob"], "alice sees alice and bob online");
  });

  check("a second tab of someone already here tells nobody", JOINED_HINT + " A name that already has an open socket is already online: send nothing.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    await join(room, "zoe");
    await needs("alice to be told zoe joined (the check above)", alice.next("joined", "alice is told zoe joined"));
    const before = alice.all("joined").length;
    await join(room, "zoe");
    await alice.expectNoMore("joined", "no joined frame when zoe opens a second tab: zoe was online already", 300, before);
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
});
