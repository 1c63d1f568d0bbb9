// Stage 08 · Room directory, over real connections: the directory follows people who close
// their tab, and people whose connection dropped without a close frame (a laptop lid).
import { describe } from "vitest";
import { check, needs } from "./helpers/check.ts";
import { directoryAt, ROOM_LABEL } from "./helpers/directory.ts";
import { connect, newRoom, rawJoin } from "./sockets/connect.ts";
import { served } from "./sockets/target.ts";

const LEAVE_HINT =
  "Tell the lobby from sendPresence, which runs after people leave too, with onlineNames().size: it counts the " +
  "open sockets only. this.ctx.getWebSockets().length still counts a socket that is closing, in " +
  "webSocketClose; and a lobby that stores 0 must not list the room (delete its line).";

const { listed } = directoryAt((path) => fetch(`${served().origin}${path}`));

describe("08 · Room directory (real connections)", () => {
  check("a room whose people all closed their tabs leaves the directory within 2 s", LEAVE_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    const alice = await connect(room, "alice");
    const bob = await connect(room, "bob");
    await needs("alice to see bob arrive (stage 05)", alice.expectPresence(["alice", "bob"], "alice sees bob arrive"));
    await listed(room, 2, "the room with alice and bob");
    await bob.close(1000, "bye");
    await listed(room, 1, "the room, once bob closed his tab");
    await alice.close(1000, "bye");
    await listed(room, 0, "the room, once alice closed hers too");
  });

  check("a connection that dropped without a close frame lowers the room's count within 2 s", LEAVE_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    const alice = await connect(room, "alice");
    const bob = await rawJoin(room, "bob");
    await needs("alice to see bob arrive (stage 05)", alice.expectPresence(["alice", "bob"], "alice sees bob arrive"));
    await listed(room, 2, "the room with alice and bob");
    bob.end("fin");
    await listed(room, 1, "the room, once bob's connection dropped");
  });
});
