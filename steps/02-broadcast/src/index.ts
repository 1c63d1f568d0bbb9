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
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer) {
    const frame = readMessage(data);
    if ("type" in frame) return send(ws, frame);

    const sender = ws.deserializeAttachment() as Attachment;
    // TODO(step 2): send this frame to everyone in the room, not only to the sender.
    // this.ctx.getWebSockets() lists every socket the object accepted, even after it hibernated.
    // Serialise the frame once, before the loop (JSON.stringify), then ws.send(text) to each
    // socket that is still OPEN: send() inside the loop would serialise it again for each reader.
    send(ws, { type: "message", name: sender.name, message: frame.message });
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string) {
    // The runtime does not answer a hibernatable socket's close frame: we must, or the client
    // waits and reports 1006. A connection that dropped without a close frame (a laptop lid)
    // arrives here with 1006. Neither 1005 ("no code given") nor 1006 may be sent: reply 1000.
    ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
  }
}

function send(ws: WebSocket, frame: ServerFrame) {
  // A socket that is closing can no longer be written to; it will be gone shortly.
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}
