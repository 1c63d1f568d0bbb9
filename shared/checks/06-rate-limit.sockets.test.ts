// Stage 06 · Rate limit, over real connections: a frame far over the limit is refused before it
// is parsed, by closing the socket with 1009, as a client sees it.
import { describe } from "vitest";
import { check, CheckFailure, PreconditionFailure, WAIT_MS } from "./helpers/check.ts";
import { MAX_FRAME_LENGTH } from "../protocol.ts";
import { CLOSE_WAIT_MS } from "./helpers/chat-socket.ts";
import { connect, handlerCall, handlerCalls, newRoom, rawJoin } from "./sockets/connect.ts";

const SIZE_HINT =
  "At the start of webSocketMessage, before readMessage parses anything, measure the frame (data.length, " +
  "or data.byteLength for binary) and close a frame longer than MAX_FRAME_LENGTH: ws.close(1009, reason). See TODO(step 6).";
const OPEN_HINT =
  "In broadcast(), send only to sockets whose readyState is WebSocket.OPEN. A socket the room closed (1009) stays " +
  "in getWebSockets() until its client answers the close, and send() on it throws, which ends the loop before the " +
  "others get the frame.";

describe("06 · Rate limit (real connections)", () => {
  check(`a frame over ${MAX_FRAME_LENGTH} characters closes the socket with 1009`, SIZE_HINT, async () => {
    const before = handlerCalls().length;
    const alice = await connect(newRoom(), "alice");
    alice.sendRaw(JSON.stringify({ message: "x".repeat(MAX_FRAME_LENGTH) }));
    const event = await alice.closed(CLOSE_WAIT_MS);
    if (event?.code !== 1009) {
      throw new CheckFailure(
        `the server closes the socket with code 1009 (message too big) within ${CLOSE_WAIT_MS / 1000} s`,
        event ? `close code ${event.code}${event.reason ? ` (${event.reason})` : ""}` : `the socket stayed open (${alice.summary()})`,
      );
    }
    // The client answers the server's close frame, which reaches webSocketClose: closing again must not throw.
    const call = await handlerCall(/^webSocketClose /, before);
    if (call?.includes(" threw ")) throw new CheckFailure("webSocketClose handles the client's reply without throwing", call);
  });

  check("a socket closed with 1009 whose client never answers stops nobody else's messages", OPEN_HINT, async () => {
    const room = newRoom();
    // Readers on both sides of bob: whatever order getWebSockets() lists them in, one comes after him.
    const alice = await connect(room, "alice");
    const bob = await rawJoin(room, "bob");
    const carol = await connect(room, "carol");
    // A frame over the limit: the room closes bob's socket with 1009. Bob never answers the close,
    // as a laptop whose lid just shut would not: his socket stays listed, closing.
    bob.send("x".repeat(MAX_FRAME_LENGTH + 1));
    const close = await bob.closeFrame(WAIT_MS);
    if (close?.code !== 1009) {
      throw new PreconditionFailure("bob's socket closed with 1009", new CheckFailure("a close frame with code 1009", close ? `code ${close.code}` : "no close frame"));
    }
    alice.say("still here");
    await alice.messageWithText("still here", "alice receives her own message, sent while bob's socket is closing");
    await carol.messageWithText("still here", "carol receives alice's message, sent while bob's socket is closing");
  });

  check("binary frames over the limit are closed with 1009 too", SIZE_HINT, async () => {
    const alice = await connect(newRoom(), "alice");
    alice.sendRaw(new Uint8Array(MAX_FRAME_LENGTH + 1).buffer);
    const event = await alice.closed(CLOSE_WAIT_MS);
    if (event?.code !== 1009) {
      throw new CheckFailure(`the server closes the socket with code 1009 within ${CLOSE_WAIT_MS / 1000} s`, event ? `close code ${event.code}` : `the socket stayed open (${alice.summary()})`);
    }
  });

  check("a frame over the limit is closed with 1009 even when the bucket is empty", SIZE_HINT + " Measure the frame before taking its token.", async () => {
    const alice = await connect(newRoom(), "alice");
    for (let i = 1; i <= 5; i++) alice.say(`burst ${i}`);
    alice.sendRaw(JSON.stringify({ message: "x".repeat(MAX_FRAME_LENGTH) }));
    const event = await alice.closed(CLOSE_WAIT_MS);
    if (event?.code !== 1009) {
      throw new CheckFailure(`the server closes the socket with code 1009 within ${CLOSE_WAIT_MS / 1000} s, right after a burst of 5 (no token left)`, event ? `close code ${event.code}` : `the socket stayed open (${alice.summary()})`);
    }
  });
});
