// Stage 05 · User count, over real connections: a client that leaves, one that vanishes without a
// close frame (a laptop lid, a phone leaving the Wi-Fi) and one that breaks the protocol all reach
// the object as they do in production. In-process test sockets behave differently, so these run
// against your Worker served by wrangler's dev server.
import { describe } from "vitest";
import { check, needs } from "./helpers/check.ts";
import { expectUsers } from "./helpers/expect.ts";
import { connect, newRoom, rawJoin, type Ending } from "./sockets/connect.ts";

const LEAVE_HINT =
  "In webSocketClose, send the users frame again, leaving out the socket that is closing: it is still " +
  "in this.ctx.getWebSockets(), but its readyState is no longer WebSocket.OPEN. See TODO(step 5).";
const DROP_HINT =
  "A connection that drops without a close frame reaches webSocketClose with code 1006. ws.close() may " +
  "not send 1006 back (it throws, and nothing after it runs): reply 1000, then send the users frame.";
const ERROR_HINT =
  "A connection that breaks the WebSocket protocol reaches webSocketError(ws), not webSocketClose: " +
  "add that handler, and send the users frame from it too.";

/** alice and `name` join a room; `name` then ends its connection `how`; alice must see it go. */
async function leaveRudely(how: Ending, name: string) {
  const room = newRoom();
  const alice = await connect(room, "alice");
  const other = await rawJoin(room, name);
  await needs(`alice to see ${name} arrive (stage 05's join)`, expectUsers(alice, ["alice", name], `alice sees ${name} arrive`));
  other.end(how);
  await expectUsers(alice, ["alice"], `alice receives {"type":"users","count":1,"names":["alice"]} within 2 s`);
}

describe("05 · User count (real connections)", () => {
  check("everyone is told when someone leaves", LEAVE_HINT, async () => {
    const room = newRoom();
    const alice = await connect(room, "alice");
    const bob = await connect(room, "bob");
    await needs("alice to see bob arrive (stage 05's join)", expectUsers(alice, ["alice", "bob"], "alice sees bob arrive"));
    // bob reads his own users frame first: Node's WebSocket, closed before reading a frame on its way, drops the connection.
    await needs("bob to be told who is here", expectUsers(bob, ["alice", "bob"], "bob sees alice and himself"));
    await bob.close(1000, "bye");
    await expectUsers(alice, ["alice"], 'alice receives {"type":"users","count":1,"names":["alice"]} when bob leaves');
  });

  check("everyone is told when a connection drops without a close frame", DROP_HINT, () => leaveRudely("fin", "bob"));

  check("everyone is told when a connection is reset", DROP_HINT, () => leaveRudely("rst", "carol"));

  check("everyone is told when a connection breaks the protocol", ERROR_HINT, () => leaveRudely("bad frame", "mallory"));
});
