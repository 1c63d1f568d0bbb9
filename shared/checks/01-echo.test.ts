// Stage 01 · Echo: the Worker routes /ws to the room's Durable Object, which
// accepts the socket (hibernation API) and sends each message back to its sender.
import { describe } from "vitest";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { expectCode, expectMessage } from "./helpers/expect.ts";
import { autoResponseTime, evict, join, newRoom, request } from "./helpers/chat-client.ts";

const ROUTE_HINT =
  "In the Worker's fetch, get the room's object with env.CHAT.getByName(room) and return its fetch(request); " +
  "in Chat.fetch, accept the server end with this.ctx.acceptWebSocket(server). See TODO(step 1) in src/index.ts.";
const ECHO_HINT =
  "In webSocketMessage, read the sender's name with ws.deserializeAttachment() and ws.send() a JSON " +
  '{"type":"message","name":…,"message":…} back (from stage 02 on, to every socket: the sender\'s too). See TODO(step 1).';

const KEEPALIVE_HINT =
  "In Chat.fetch, after acceptWebSocket, call this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(" +
  '"ping", "pong")): the runtime then answers the page\'s keepalive itself, without waking the object. See TODO(step 1).';

describe("01 · Echo", () => {
  check("GET /ws with a room and a name opens a WebSocket", ROUTE_HINT, async () => {
    await join(newRoom(), "alice");
  });

  check("a message comes back to its sender, with the sender's name", ECHO_HINT, async () => {
    const alice = await join(newRoom(), "alice");
    alice.say("hello");
    const frame = await alice.nextMessage('alice receives {"type":"message","name":"alice","message":"hello"}');
    expectMessage(frame, "alice", "hello");
  });

  check("the name and the message arrive trimmed", ECHO_HINT, async () => {
    const alice = await join(newRoom(), "  alice  ");
    alice.say("  hi there \n");
    expectMessage(await alice.nextMessage("alice receives her message back"), "alice", "hi there");
  });

  check("a message comes back exactly as written: <, >, & and \" are not escaped", "The server sends text, not " +
    "HTML: leave <, > and & as they are. The page shows a message with textContent, which never reads it as HTML, " +
    "so text escaped on the server reaches everyone as &lt;3 instead of <3.", async () => {
    const alice = await join(newRoom(), "alice");
    // No single quote: text pasted into SQL breaks on one, and stage 03 has a check of its own for that.
    const text = `<b>fish & chips</b> <3 "yes"`;
    alice.say(text);
    expectMessage(await alice.nextMessage("alice receives her message back"), "alice", text);
  });

  check("with two people in a room, each message carries its own sender's name", ECHO_HINT +
    " One object serves the whole room: keep the name with the socket (its attachment), not in a field.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    alice.say("I am alice");
    expectMessage(await alice.messageWithText("I am alice", "alice receives her message back"), "alice", "I am alice");
    bob.say("I am bob");
    expectMessage(await bob.messageWithText("I am bob", "bob receives his message back"), "bob", "I am bob");
  });

  check("the sender's name is still known after the object hibernated", ECHO_HINT +
    " A field is empty in the instance that wakes from hibernation; the socket's attachment is still there.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    // As when nobody spoke for a while: the object leaves memory, alice's socket stays open.
    await needs("the room's object to leave memory (a later stage's check says more when it cannot)", evict(room));
    alice.say("still me");
    const frame = await alice.messageWithText("still me", "alice receives her message back, after the room's object hibernated");
    expectMessage(frame, "alice", "still me");
  });

  check("messages come back in the order they were sent", ECHO_HINT, async () => {
    const alice = await join(newRoom(), "alice");
    for (const text of ["one", "two", "three"]) alice.say(text);
    for (const text of ["one", "two", "three"]) {
      expectMessage(await alice.nextMessage(`alice receives "${text}" back`), "alice", text);
    }
  });

  check("a frame that is not JSON gets a bad_message error, and the socket stays open", ECHO_HINT, async () => {
    const alice = await join(newRoom(), "alice");
    alice.sendRaw("hello?");
    const error = await alice.nextError('an {"type":"error","code":"bad_message"} frame');
    expectCode(error.code, "bad_message");
    alice.say("still here");
    expectMessage(await alice.nextMessage("the socket still works after an error"), "alice", "still here");
  });

  check("a message over 1000 characters gets a too_long error and is not echoed", ECHO_HINT, async () => {
    const alice = await join(newRoom(), "alice");
    alice.say("x".repeat(1001));
    expectCode((await alice.nextError('an {"type":"error","code":"too_long"} frame')).code, "too_long");
    await alice.expectNoMore("message", "no message frame for a rejected message", 300, 0);
    // An error is an answer, not a goodbye: the same socket goes on.
    const open = "the socket stays open after the too_long error: the next message comes back";
    if (!alice.isOpen) throw new CheckFailure(open, `the socket was closed (${alice.summary()})`);
    alice.say("still here");
    await alice.messageWithText("still here", open);
  });

  check("the runtime answers the page's keepalive ping with pong, without waking the object", KEEPALIVE_HINT, async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    alice.sendRaw("ping");
    await alice.nextText("pong", 'alice receives "pong" for her "ping"');
    if ((await autoResponseTime(room)) === null) {
      throw new CheckFailure(
        "the runtime sends the pong (an auto-response)",
        "your code sent it: every ping wakes the object, and a sleeping room costs as much as a busy one",
      );
    }
  });

  describe("the Worker turns away bad requests", () => {
    const rejections: [string, string, RequestInit, number][] = [
      ["without a name", "/ws?room=lobby", upgrade(), 400],
      ["with a name of 33 characters", `/ws?name=${"a".repeat(33)}`, upgrade(), 400],
      ["with a room name that is not allowed", "/ws?room=no%20spaces&name=alice", upgrade(), 400],
      ["with an after that is not a message id", "/ws?name=alice&after=-1", upgrade(), 400],
      ["without an Upgrade: websocket header", "/ws?name=alice", {}, 426],
      ["from a page on another site (its Origin)", "/ws?name=alice", upgrade("https://elsewhere.example"), 403],
    ];
    for (const [label, path, init, status] of rejections) {
      check(`GET ${label} gets ${status} with a JSON error`, "The Worker should return readJoin(request)'s response when it is one.", async () => {
        const response = await request(path, init);
        const body = await response.text();
        if (response.status !== status || !body.includes('"error"')) {
          throw new CheckFailure(`status ${status} with a body like {"error": "…"}`, `status ${response.status} with ${show(body)}`);
        }
      });
    }

    check("the chat's own page may open a socket (same Origin)", "Send every /ws request through readJoin(request): it allows the chat's own origin.", async () => {
      const response = await request("/ws?name=alice", upgrade("http://chat.test"));
      if (response.status !== 101) throw new CheckFailure("status 101: the page on this server opens a socket", `status ${response.status} with ${show(await response.text())}`);
      response.webSocket?.accept();
      response.webSocket?.close(1000);
    });

    check("an unknown path gets 404", "The Worker should answer 404 for any path other than /ws.", async () => {
      const response = await request("/no-such-page");
      if (response.status !== 404) throw new CheckFailure("status 404", `status ${response.status}`);
    });
  });
});

/** An upgrade request, as a browser page at `origin` sends it (no Origin: a command-line client). */
function upgrade(origin?: string): RequestInit {
  return { headers: origin ? { Upgrade: "websocket", Origin: origin } : { Upgrade: "websocket" } };
}
