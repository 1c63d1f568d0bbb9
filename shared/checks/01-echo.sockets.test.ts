// Stage 01 · Echo, over real connections: closing handshakes and dropped connections, which
// in-process test sockets do not reproduce, against your Worker served by wrangler's dev server.
import { describe } from "vitest";
import { check, CheckFailure, needs } from "./helpers/check.ts";
import { CLOSE_WAIT_MS, type ChatClient } from "./helpers/chat-socket.ts";
import { connect, handlerCall, handlerCalls, newRoom, rawJoin } from "./sockets/connect.ts";
import { served } from "./sockets/target.ts";

const CLOSE_HINT =
  "The runtime does not answer a hibernatable socket's close frame: in webSocketClose, call " +
  "ws.close(code, reason) back. Codes 1005 and 1006 may not be sent: reply 1000 for those.";

/** How long (ms) settle() waits for the echo: within the check's own 8 s, well over WAIT_MS. */
const SETTLE_MS = 5000;

/**
 * One message there and back, then a quiet moment, so everything the server sent on joining has
 * been read, the presence frame too (stage 05 on, 50 ms after a join, later on a busy laptop).
 * (Node's WebSocket, closed before it has read a frame already on its way, reports 1006 itself.)
 */
async function settle(client: ChatClient) {
  client.say("ready?");
  // More patience than a check's own waits: this echo is not what these checks test (stage 01's echo
  // check is), and on a busy machine (npm test, beside other files) it has taken over 2 s.
  await needs(`${client.name}'s message to come back`, client.messageWithText("ready?", `${client.name} receives her message back`, SETTLE_MS));
  // Not this check's concern if it never comes: stage 05's checks say so.
  if (served().stage >= 5) await client.next("presence", "the presence frame").catch(() => undefined);
  await client.quiet();
}

describe("01 · Echo (real connections)", () => {
  check("closing completes the handshake: the client sees the code it sent", CLOSE_HINT, async () => {
    const alice = await connect(newRoom(), "alice");
    await settle(alice);
    const event = await alice.close(4001, "done");
    if (event?.code !== 4001) {
      throw new CheckFailure(`the server answers the close frame with code 4001 within ${CLOSE_WAIT_MS / 1000} s`, `close code ${event?.code ?? "none: no close frame came back"}${event?.reason ? ` (${event.reason})` : ""}`);
    }
  });

  check("a close without a code is answered with 1000", CLOSE_HINT, async () => {
    const alice = await connect(newRoom(), "alice");
    await settle(alice);
    const event = await alice.close();
    if (event?.code !== 1000) {
      throw new CheckFailure(`a clean close (1000) within ${CLOSE_WAIT_MS / 1000} s`, `close code ${event?.code ?? "none: no close frame came back"}${event?.reason ? ` (${event.reason})` : ""}`);
    }
  });

  check("a connection that drops without a close frame raises no error", "A dropped connection reaches " +
    "webSocketClose with code 1006, which ws.close() may not send back (it throws): reply 1000 for 1005 and 1006.", async () => {
    const before = handlerCalls().length;
    const bob = await rawJoin(newRoom(), "bob");
    bob.end("fin");
    const call = await handlerCall(/^webSocketClose 1006 /, before);
    if (!call) throw new CheckFailure("webSocketClose is called with code 1006 within 3 s", "it was not called");
    if (call.includes(" threw ")) throw new CheckFailure("webSocketClose handles code 1006 without throwing", call);
  });
});
