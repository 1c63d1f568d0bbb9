// Stage 06 · Rate limit, over real connections: a frame far over the limit is refused before it
// is parsed, by closing the socket with 1009, as a client sees it.
import { describe } from "vitest";
import { check, CheckFailure } from "./helpers/check.ts";
import { MAX_FRAME_LENGTH } from "../protocol.ts";
import { connect, handlerCall, handlerCalls, newRoom } from "./sockets/connect.ts";

const SIZE_HINT =
  "At the start of webSocketMessage, before readMessage parses anything, measure the frame (data.length, " +
  "or data.byteLength for binary) and close a frame longer than MAX_FRAME_LENGTH: ws.close(1009, reason). See TODO(step 6).";

describe("06 · Rate limit (real connections)", () => {
  check(`a frame over ${MAX_FRAME_LENGTH} characters closes the socket with 1009`, SIZE_HINT, async () => {
    const before = handlerCalls().length;
    const alice = await connect(newRoom(), "alice");
    alice.sendRaw(JSON.stringify({ message: "x".repeat(MAX_FRAME_LENGTH) }));
    const event = await alice.closed();
    if (event?.code !== 1009) {
      throw new CheckFailure(
        "the server closes the socket with code 1009 (message too big) within 2 s",
        event ? `close code ${event.code}${event.reason ? ` (${event.reason})` : ""}` : `the socket stayed open (${alice.summary()})`,
      );
    }
    // The client answers the server's close frame, which reaches webSocketClose: closing again must not throw.
    const call = await handlerCall(/^webSocketClose /, before);
    if (call?.includes(" threw ")) throw new CheckFailure("webSocketClose handles the client's reply without throwing", call);
  });

  check("binary frames over the limit are closed with 1009 too", SIZE_HINT, async () => {
    const alice = await connect(newRoom(), "alice");
    alice.sendRaw(new Uint8Array(MAX_FRAME_LENGTH + 1).buffer);
    const event = await alice.closed();
    if (event?.code !== 1009) {
      throw new CheckFailure("the server closes the socket with code 1009 within 2 s", event ? `close code ${event.code}` : `the socket stayed open (${alice.summary()})`);
    }
  });

  check("a frame over the limit is closed with 1009 even when the bucket is empty", SIZE_HINT + " Measure the frame before taking its token.", async () => {
    const alice = await connect(newRoom(), "alice");
    for (let i = 1; i <= 5; i++) alice.say(`burst ${i}`);
    alice.sendRaw(JSON.stringify({ message: "x".repeat(MAX_FRAME_LENGTH) }));
    const event = await alice.closed();
    if (event?.code !== 1009) {
      throw new CheckFailure("the server closes the socket with code 1009 within 2 s, right after a burst of 5 (no token left)", event ? `close code ${event.code}` : `the socket stayed open (${alice.summary()})`);
    }
  });
});
