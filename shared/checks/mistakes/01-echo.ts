import type { Mistake } from "./mistake.ts";

const KEEPALIVE = 'this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));';

export const mistakes: Mistake[] = [
  {
    did: "escapes HTML in the message before sending it back, to be safe: <3 arrives as &lt;3",
    patch: [["send(ws, { type: \"message\", name: sender.name, message: frame.message });", "const message = frame.message.replace(/&/g, \"&amp;\").replace(/</g, \"&lt;\").replace(/>/g, \"&gt;\");\n    send(ws, { type: \"message\", name: sender.name, message });"]],
    fails: 'a message comes back exactly as written: <, >, & and " are not escaped',
    says: "&lt;b&gt;fish &amp; chips",
  },
  {
    did: "leaves out the keepalive: nobody answers the page's ping",
    patch: [[`    ${KEEPALIVE}\n`, ""]],
    fails: "the runtime answers the page's keepalive ping with pong, without waking the object",
    says: 'received no "pong"',
  },
  {
    did: "answers ping in webSocketMessage, which wakes the object for every ping",
    patch: [
      [`    ${KEEPALIVE}\n`, ""],
      ["    const frame = readMessage(data);", '    if (data === "ping") return ws.send("pong");\n    const frame = readMessage(data);'],
    ],
    fails: "the runtime answers the page's keepalive ping with pong, without waking the object",
    says: "your code sent it",
  },
  {
    did: "accepts the socket with server.accept() instead of this.ctx.acceptWebSocket(server)",
    patch: [["this.ctx.acceptWebSocket(server);", "server.accept();"]],
    fails: "a message comes back to its sender, with the sender's name",
    says: "received no \"message\" frame",
  },
  {
    did: "keeps the sender's name in a field of the object",
    patch: [
      ["export class Chat extends DurableObject<Env> {", "export class Chat extends DurableObject<Env> {\n  private name = \"\";\n"],
      ["server.serializeAttachment(attachment);", "this.name = name;"],
      ["const sender = ws.deserializeAttachment() as Attachment;", "const sender = { name: this.name };"],
    ],
    fails: "with two people in a room, each message carries its own sender's name",
    says: '"name":"bob","message":"I am alice"',
  },
  {
    did: "keeps each socket's name in a Map field, which is empty after hibernation",
    patch: [
      ["export class Chat extends DurableObject<Env> {", "export class Chat extends DurableObject<Env> {\n  private names = new Map<WebSocket, string>();\n"],
      ["server.serializeAttachment(attachment);", "this.names.set(server, name);"],
      ["const sender = ws.deserializeAttachment() as Attachment;", "const sender = { name: this.names.get(ws)! };"],
    ],
    fails: "the sender's name is still known after the object hibernated",
    says: '{"type":"message","message":"still me"}',
  },
  {
    did: "forgets to trim the name",
    patch: [['searchParams.get("name")!.trim()', 'searchParams.get("name")!']],
    fails: "the name and the message arrive trimmed",
    says: '"name":"  alice  "',
  },
  {
    did: "ignores frames that are not valid instead of answering them",
    patch: [['if ("type" in frame) return send(ws, frame);', 'if ("type" in frame) return;']],
    fails: "a frame that is not JSON gets a bad_message error, and the socket stays open",
    says: "received no \"error\" frame",
  },
  {
    did: "sends every request to the object without checking it first",
    patch: [["if (join instanceof Response) return join;", "if (join instanceof Response) return env.CHAT.getByName(\"default\").fetch(request);"]],
    fails: "GET without a name gets 400 with a JSON error",
    says: "an error was thrown",
  },
  {
    did: "answers every path, not only /ws",
    patch: [['if (new URL(request.url).pathname !== "/ws") {\n      return new Response("Not found", { status: 404 });\n    }\n', ""]],
    fails: "an unknown path gets 404",
    says: "Expected: status 404",
  },
  {
    did: "leaves webSocketClose empty, so the client's close frame is never answered",
    patch: [["ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);", ""]],
    fails: "closing completes the handshake: the client sees the code it sent",
    says: "no close frame came back",
  },
  {
    did: "sends the client's code back as it is, 1005 included",
    patch: [["ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);", "ws.close(code, reason);"]],
    fails: "a close without a code is answered with 1000",
    says: "no close frame came back",
  },
  {
    did: "answers 1005 but sends 1006 back after a dropped connection",
    patch: [["ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);", "ws.close(code === 1005 ? 1000 : code, reason);"]],
    fails: "a connection that drops without a close frame raises no error",
    says: "Invalid WebSocket close code: 1006",
  },
  {
    did: "lets in only the Origin it was built on (localhost:8787), so the page refuses itself anywhere else",
    patch: [[
      "    const join = readJoin(request);",
      '    const origin = request.headers.get("Origin");\n' +
        '    if (origin !== null && origin !== "http://localhost:8787") return Response.json({ error: "not this page" }, { status: 403 });\n' +
        "    const join = readJoin(request);",
    ]],
    fails: "the chat's own page may open a socket (same Origin)",
    says: "the page on this server opens a socket",
  },
  {
    did: "answers a close without a code with a close without a code, which the client reads as 1005 (no status), not 1000",
    patch: [["ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);", "if (code === 1005) ws.close();\n    else ws.close(code === 1006 ? 1000 : code, reason);"]],
    fails: "a close without a code is answered with 1000",
    says: "close code 1005",
  },
];
