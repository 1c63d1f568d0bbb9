import { DurableObject } from "cloudflare:workers";
import { readJoin, readMessage, type ServerFrame } from "../../../shared/protocol.ts";

/** What each socket carries through hibernation (serializeAttachment). */
type Attachment = { name: string };

/** The Worker: it checks the request and hands it to the room's Durable Object. */
export default {
  async fetch(request, env): Promise<Response> {
    if (new URL(request.url).pathname !== "/ws") {
      return new Response("Not found", { status: 404 });
    }
    const join = readJoin(request);
    if (join instanceof Response) return join;
    // The same room name always reaches the same object, wherever the request comes from.
    const room = env.CHAT.getByName(join.room);
    return room.fetch(request);
  },
} satisfies ExportedHandler<Env>;

/** One instance per room: it owns the room's sockets. */
export class Chat extends DurableObject<Env> {
  // TODO(step 3): add a constructor(ctx: DurableObjectState, env: Env) that calls super(ctx, env),
  // then creates the room's table once: ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS messages (…)").
  // An `id INTEGER PRIMARY KEY` column orders the messages, and two in one millisecond never collide.

  async fetch(request: Request): Promise<Response> {
    // The Worker has already validated the name.
    const name = new URL(request.url).searchParams.get("name")!.trim();
    const [client, server] = Object.values(new WebSocketPair());
    // acceptWebSocket (not server.accept()) lets the object sleep while sockets stay open.
    this.ctx.acceptWebSocket(server);
    // The page sends "ping" every 30 s, so that proxies and routers keep an idle connection
    // open. The runtime answers "pong" by itself, without waking the object.
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    const attachment: Attachment = { name };
    server.serializeAttachment(attachment);
    // TODO(step 3): first of all, send `server` one {"type":"history","messages":[…]} frame: the
    // room's newest 100 stored messages, oldest first (SELECT … ORDER BY id DESC LIMIT 101: one
    // more than fits, then send the first 100, reversed), each a message frame with its row's "id".
    // A client that reconnects adds ?after=<id> (the Worker has checked it is a number): then only
    // messages with a larger id, and "truncated": true when a 101st row came back. Only a client
    // that reconnects (after > 0) can have missed some; otherwise leave "truncated" out (no false).
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer) {
    const frame = readMessage(data);
    if ("type" in frame) return send(ws, frame);

    const sender = ws.deserializeAttachment() as Attachment;
    // TODO(step 3): store the message before broadcasting it, and put the new row's id in the frame:
    // this.ctx.storage.sql.exec("INSERT INTO messages (name, message) VALUES (?, ?) RETURNING id", …).one().
    this.broadcast({ type: "message", name: sender.name, message: frame.message });
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string) {
    // The runtime does not answer a hibernatable socket's close frame: we must, or the client
    // waits and reports 1006. A connection that dropped without a close frame (a laptop lid)
    // arrives here with 1006. Neither 1005 ("no code given") nor 1006 may be sent: reply 1000.
    ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  private broadcast(frame: ServerFrame) {
    // One JSON text for everyone: the frame is the same, so serialise it once, not per socket.
    const text = JSON.stringify(frame);
    // getWebSockets() lists every socket this object accepted, even after it hibernated.
    for (const ws of this.ctx.getWebSockets()) {
      // A socket that is closing can no longer be written to; it will be gone shortly.
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    }
  }
}

function send(ws: WebSocket, frame: ServerFrame) {
  // A socket that is closing can no longer be written to; it will be gone shortly.
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}
