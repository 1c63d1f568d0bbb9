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
    // TODO(step 1): hand the request to the room's Durable Object.
    // env.CHAT.getByName(join.room) returns a stub for the room's one instance;
    // return the answer of its fetch(request).
    return new Response("Not implemented yet: see TODO(step 1) in src/index.ts", { status: 501 });
  },
} satisfies ExportedHandler<Env>;

/** One instance per room: it owns the room's sockets. */
export class Chat extends DurableObject<Env> {
  async fetch(request: Request): Promise<Response> {
    // The Worker has already validated the name.
    const name = new URL(request.url).searchParams.get("name")!.trim();
    const [client, server] = Object.values(new WebSocketPair());
    // TODO(step 1): accept `server` with this.ctx.acceptWebSocket(server): unlike server.accept(),
    // it lets the object sleep while the socket stays open. Then remember who is on this socket:
    // server.serializeAttachment(attachment), with const attachment: Attachment = { name }.
    // Last, let the runtime answer the page's keepalive: every 30 s it sends "ping", so that
    // proxies keep an idle connection open. this.ctx.setWebSocketAutoResponse(
    // new WebSocketRequestResponsePair("ping", "pong")) answers "pong" without waking the object.
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer) {
    const frame = readMessage(data);
    if ("type" in frame) return send(ws, frame);

    // TODO(step 1): send the message back to its sender as { type: "message", name, message }.
    // The sender's name is in the socket's attachment: ws.deserializeAttachment() as Attachment.
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
