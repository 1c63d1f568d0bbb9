// Stage 05 · User count, over real connections: a client that leaves, one that vanishes without a
// close frame (a laptop lid, a phone leaving the Wi-Fi) and one that breaks the protocol all reach
// the object as they do in production. In-process test sockets behave differently, so these run
// against your Worker served by wrangler's dev server.
import { describe } from "vitest";
import { check, needs } from "./helpers/check.ts";
import { expectEqual } from "./helpers/expect.ts";
import { connect, newRoom, rawJoin, type Ending } from "./sockets/connect.ts";

const LEAVE_HINT =
  'In webSocketClose, if that was the name\'s last open socket, send the others {"type":"left","name":…,"count":…}. ' +
  "The closing socket is still in this.ctx.getWebSockets(), but its readyState is no longer WebSocket.OPEN. See TODO(step 5).";
const DROP_HINT =
  "A connection that drops without a close frame reaches webSocketClose with code 1006. ws.close() may " +
  "not send 1006 back (it throws, and nothing after it runs): reply 1000, then send the left frame.";
const ERROR_HINT =
  "A connection that breaks the WebSocket protocol reaches webSocketError(ws), not webSocketClose: " +
  "add that handler, and send the left frame from it too.";

/** alice and `name` join a room; `name` then ends its connection `how`; alice must see it go. */
async function leaveRudely(how: Ending, name: string) {
  const room = newRoom();
  const alice = await connect(room, "alice");
  const other = await rawJoin(room, name);
  await needs(`alice to see ${name} arrive (stage 05's join)`, alice.expectPresence(["alice", name], `alice sees ${name} arrive`));
  other.end(how);
  const left = await alice.next("left", `alice receives {"type":"left","name":"${name}","count":1} within 2 s`);
  expectEqual(left, { type: "left", name, count: 1 }, "alice is told");
}

describe("05 · User count (real connections)", () => {
  check("everyone is told when someone leaves", LEAVE_HINT, async () => {
    const room = newRoom();
    const alice = await connect(room, "alice");
    const bob = await connect(room, "bob");
    await needs("alice to see bob arrive (stage 05's join)", alice.expectPresence(["alice", "bob"], "alice sees bob arrive"));
    // bob reads his own users frame first: Node's WebSocket, closed before reading a frame on its way, drops the connection.
    await needs("bob to be told who is here", bob.expectPresence(["alice", "bob"], "bob sees alice and himself"));
    await bob.close(1000, "bye");
    const left = await alice.next("left", 'alice receives {"type":"left","name":"bob","count":1} when bob leaves');
    expectEqual(left, { type: "left", name: "bob", count: 1 }, "alice is told");
  });

  check("closing one of two tabs tells nobody; closing the last one does", LEAVE_HINT + " A name with another open socket is still online: send nothing.", async () => {
    const room = newRoom();
    const alice = await connect(room, "alice");
    const zoe = await connect(room, "zoe");
    const zoeAgain = await connect(room, "zoe");
    await needs("alice to see zoe arrive", alice.expectPresence(["alice", "zoe"], "alice sees zoe arrive"));
    await needs("zoe's tabs to be told who is here", Promise.all([zoe, zoeAgain].map((tab) => tab.expectPresence(["alice", "zoe"], "zoe's tab sees alice and zoe"))));
    const before = alice.all("left").length;
    await zoeAgain.close(1000, "one tab closed");
    await alice.expectNoMore("left", "no left frame while zoe still has a tab open", 300, before);
    await zoe.close(1000, "last tab closed");
    const left = await alice.next("left", 'alice receives {"type":"left","name":"zoe","count":1} when zoe\'s last tab closes');
    expectEqual(left, { type: "left", name: "zoe", count: 1 }, "alice is told");
  });

  check("everyone is told when a connection drops without a close frame", DROP_HINT, () => leaveRudely("fin", "bob"));

  check("everyone is told when a connection is reset", DROP_HINT, () => leaveRudely("rst", "carol"));

  check("everyone is told when a connection breaks the protocol", ERROR_HINT, () => leaveRudely("bad frame", "mallory"));
});
