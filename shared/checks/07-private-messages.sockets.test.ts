// Stage 07 · Private messages, over real connections: a recipient who closed a tab, or whose
// connection dropped without a close frame, as a browser and a laptop lid do it.
import { describe } from "vitest";
import { MAX_FRAME_LENGTH } from "../protocol.ts";
import { check, CheckFailure, needs, PreconditionFailure, WAIT_MS } from "./helpers/check.ts";
import { expectCode } from "./helpers/expect.ts";
import { connect, newRoom, rawJoin } from "./sockets/connect.ts";

const GONE_HINT =
  "Find the recipient's sockets when the message arrives, with this.ctx.getWebSockets(to), and keep only those " +
  "whose readyState is WebSocket.OPEN: a socket that closed or dropped is no longer a way to reach anyone. A Map " +
  "of sockets kept in a field still holds it.";

describe("07 · Private messages (real connections)", () => {
  check("a recipient whose connection dropped without a close frame is gone: unknown_user", GONE_HINT, async () => {
    const room = newRoom();
    const alice = await connect(room, "alice");
    const bob = await rawJoin(room, "bob");
    await needs("alice to see bob arrive (stage 05)", alice.expectPresence(["alice", "bob"], "alice sees bob arrive"));
    bob.end("fin");
    await needs("alice to see bob leave (stage 05)", alice.expectPresence(["alice"], "alice sees bob leave"));
    alice.sayTo("bob", "are you there?");
    const error = await alice.nextError('an {"type":"error","code":"unknown_user",…} frame: bob\'s only connection dropped');
    expectCode(error.code, "unknown_user");
  });

  check("a recipient whose only connection is closing is gone: unknown_user", GONE_HINT, async () => {
    const room = newRoom();
    const alice = await connect(room, "alice");
    const bob = await rawJoin(room, "bob");
    await needs("alice to see bob arrive (stage 05)", alice.expectPresence(["alice", "bob"], "alice sees bob arrive"));
    // A frame over the limit: the room closes bob's socket with 1009 (stage 06). Bob never answers
    // the close, as a laptop whose lid just closed would not: his socket stays listed, closing.
    bob.send("x".repeat(MAX_FRAME_LENGTH + 1));
    const close = await bob.closeFrame(WAIT_MS);
    if (close?.code !== 1009) {
      throw new PreconditionFailure("bob's socket closed with 1009 (stage 06)", new CheckFailure("a close frame with code 1009", close ? `code ${close.code}` : "no close frame"));
    }
    alice.sayTo("bob", "are you there?");
    const error = await alice.nextError('an {"type":"error","code":"unknown_user",…} frame: bob\'s only connection is closing', "are you there?");
    expectCode(error.code, "unknown_user");
  });

  check("a recipient who closed one of two tabs still gets private messages in the other", GONE_HINT, async () => {
    const room = newRoom();
    const alice = await connect(room, "alice");
    const bob = await connect(room, "bob");
    const bobAgain = await connect(room, "bob");
    await needs("bob's second tab to be told who is here", bobAgain.expectPresence(["alice", "bob"], "bob's second tab sees alice and bob"));
    await bobAgain.close(1000, "one tab closed");
    alice.sayTo("bob", "still there?");
    await bob.messageWithText("still there?", "bob's remaining tab receives alice's private message");
    await alice.messageWithText("still there?", "alice receives her own private message back");
  });
});
