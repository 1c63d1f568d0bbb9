// Stage 05 · User count, over real connections: a client that leaves, one that vanishes without a
// close frame (a laptop lid, a phone leaving the Wi-Fi) and one that breaks the protocol all reach
// the object as they do in production. In-process test sockets behave differently, so these run
// against your Worker served by wrangler's dev server.
import { describe } from "vitest";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { expectEqual } from "./helpers/expect.ts";
import type { ChatClient } from "./helpers/chat-socket.ts";
import { connect, newRoom, rawJoin, type Ending } from "./sockets/connect.ts";

const LEAVE_HINT =
  "In webSocketClose, if that was the name's last open socket, note it with presenceChanged(name): the next presence " +
  "frame lists it in left. The closing socket is still in this.ctx.getWebSockets(), but its readyState is no longer " +
  "WebSocket.OPEN. See TODO(step 5).";
const DROP_HINT =
  "A connection that drops without a close frame reaches webSocketClose with code 1006. ws.close() may " +
  "not send 1006 back (it throws, and nothing after it runs): reply 1000, then note the name as gone.";
const ERROR_HINT =
  "A connection that breaks the WebSocket protocol reaches webSocketError(ws), not webSocketClose: " +
  "add that handler, and note the name as gone from it too.";

/** alice receives a presence frame that says `name` left, and that only alice is online. */
async function expectLeft(alice: ChatClient, name: string) {
  const presence = await alice.frameWhere("presence", (frame) => frame.left.includes(name), `alice receives {"type":"presence","joined":[],"left":["${name}"],"count":1} within 2 s`);
  expectEqual({ joined: presence.joined, count: presence.count }, { joined: [], count: 1 }, `in the presence frame that names ${name} in "left"`);
}

/** alice and `name` join a room; `name` then ends its connection `how`; alice must see it go. */
async function leaveRudely(how: Ending, name: string) {
  const room = newRoom();
  const alice = await connect(room, "alice");
  const other = await rawJoin(room, name);
  await needs(`alice to see ${name} arrive (stage 05's join)`, alice.expectPresence(["alice", name], `alice sees ${name} arrive`));
  other.end(how);
  await expectLeft(alice, name);
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
    await expectLeft(alice, "bob");
  });

  check("closing one of two tabs tells nobody; closing the last one does", LEAVE_HINT + " A name with another open socket is still online: send nothing.", async () => {
    const room = newRoom();
    const alice = await connect(room, "alice");
    const zoe = await connect(room, "zoe");
    const zoeAgain = await connect(room, "zoe");
    await needs("alice to see zoe arrive", alice.expectPresence(["alice", "zoe"], "alice sees zoe arrive"));
    await needs("zoe's tabs to be told who is here", Promise.all([zoe, zoeAgain].map((tab) => tab.expectPresence(["alice", "zoe"], "zoe's tab sees alice and zoe"))));
    const before = alice.all("presence").length;
    await zoeAgain.close(1000, "one tab closed");
    // A wrong frame would come 50 ms after the close; a busy machine has been seen to take 300 ms.
    await alice.expectNoMore("presence", "no presence frame while zoe still has a tab open", 1000, before);
    await zoe.close(1000, "last tab closed");
    await expectLeft(alice, "zoe");
  });

  check("people who leave together are told in one presence frame, its left names sorted", LEAVE_HINT + " Sort the " +
    "changed names once, before splitting them into joined and left, so both lists come sorted.", async () => {
    // Two connections reset at the same moment reach the object milliseconds apart, well within one
    // presence frame's 50 ms. A busy machine may still split them: then the check tries again.
    for (let attempt = 1; ; attempt++) {
      const room = newRoom();
      const alice = await connect(room, "alice");
      const zed = await rawJoin(room, "zed");
      const yan = await rawJoin(room, "yan");
      await needs("alice to see yan and zed arrive", alice.expectPresence(["alice", "yan", "zed"], "alice sees yan and zed arrive"));
      zed.end("rst");
      yan.end("rst");
      const presence = await alice.frameWhere("presence", (frame) => frame.left.length > 0, 'alice receives {"type":"presence","joined":[],"left":["yan","zed"],"count":1} within 2 s');
      if (presence.left.length === 2) return expectEqual(presence.left, ["yan", "zed"], "left, in the presence frame that tells alice yan and zed are gone (sorted)");
      if (attempt === 3) throw new CheckFailure("yan and zed, who left at the same moment, in one presence frame (3 tries)", show(presence));
    }
  });

  check("everyone is told when a connection drops without a close frame", DROP_HINT, () => leaveRudely("fin", "bob"));

  check("everyone is told when a connection is reset", DROP_HINT, () => leaveRudely("rst", "carol"));

  check("everyone is told when a connection breaks the protocol", ERROR_HINT, () => leaveRudely("bad frame", "mallory"));
});
