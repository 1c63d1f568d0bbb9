import { DurableObject } from "cloudflare:workers";
import { readJoin, readMessage, type HistoryFrame, type MessageFrame, type ServerFrame } from "../../../shared/protocol.ts";

/** How many earlier messages a newcomer sees. */
const HISTORY_SIZE = 100;

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

/** One instance per room: it owns the room's sockets and its stored messages. */
export class Chat extends DurableObject<Env> {
  // TODO(step 4): keep the newest timestamp handed out in a field, e.g. private lastTimestamp: number.
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // The id orders messages, so two in the same millisecond never collide.
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      message TEXT NOT NULL
    )`);
    // TODO(step 4): give messages a timestamp column. Rooms saved before this step already have a
    // table without one, and CREATE TABLE IF NOT EXISTS leaves it as it is: if
    // pragma_table_info('messages') lists no "timestamp", ALTER TABLE … ADD COLUMN it (DEFAULT 0).
    // The constructor runs again after every eviction, so then start lastTimestamp from the
    // newest stored row (ORDER BY id DESC LIMIT 1), or 0 in an empty room: .one() would throw
    // there, so read it with .next().value?.timestamp ?? 0.
  }

  async fetch(request: Request): Promise<Response> {
    // The Worker has already validated the name and `after`, the id of the last message a
    // reconnecting client has (0 for a new one).
    const params = new URL(request.url).searchParams;
    const name = params.get("name")!.trim();
    const after = Number(params.get("after") ?? 0);
    const [client, server] = Object.values(new WebSocketPair());
    // acceptWebSocket (not server.accept()) lets the object sleep while sockets stay open.
    this.ctx.acceptWebSocket(server);
    // The page sends "ping" every 30 s, so that proxies and routers keep an idle connection
    // open. The runtime answers "pong" by itself, without waking the object.
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    const attachment: Attachment = { name };
    server.serializeAttachment(attachment);
    send(server, this.history(after));
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer) {
    const frame = readMessage(data);
    if ("type" in frame) return send(ws, frame);

    const sender = ws.deserializeAttachment() as Attachment;
    // TODO(step 4): stamp the message with the server's clock: Date.now(), but at least
    // lastTimestamp + 1 (the clock can stand still within a request). Keep it in
    // this.lastTimestamp, store it and send it.
    // Output gates hold every send below until this write is durable.
    // The new row's id orders the room's messages; a client that reconnects sends the last one it has.
    const { id } = this.ctx.storage.sql
      .exec<{ id: number }>("INSERT INTO messages (name, message) VALUES (?, ?) RETURNING id", sender.name, frame.message)
      .one();
    this.broadcast(toFrame({ id, name: sender.name, message: frame.message }));
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string) {
    // The runtime does not answer a hibernatable socket's close frame: we must, or the client
    // waits and reports 1006. A connection that dropped without a close frame (a laptop lid)
    // arrives here with 1006. Neither 1005 ("no code given") nor 1006 may be sent: reply 1000.
    ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  /**
   * The newest HISTORY_SIZE messages after `after`, oldest first; `truncated` when a reconnecting
   * client missed more than that. The primary key lets SQLite read only those rows.
   */
  private history(after: number): HistoryFrame {
    // One row more than fits tells whether a reconnecting client missed some.
    // TODO(step 4): select the timestamp too.
    const rows = this.ctx.storage.sql
      .exec<StoredMessage>(
        "SELECT id, name, message FROM messages WHERE id > ? ORDER BY id DESC LIMIT ?",
        after,
        HISTORY_SIZE + 1,
      )
      .toArray();
    const messages = rows.slice(0, HISTORY_SIZE).reverse().map(toFrame);
    const truncated = after > 0 && rows.length > HISTORY_SIZE;
    return truncated ? { type: "history", messages, truncated } : { type: "history", messages };
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

type StoredMessage = { id: number; name: string; message: string };

// TODO(step 4): carry timestamp in StoredMessage, and add it to the frame together with
// serverTime, the same instant as an ISO 8601 string: new Date(timestamp).toISOString().
function toFrame({ id, name, message }: StoredMessage): MessageFrame {
  return { type: "message", id, name, message };
}

function send(ws: WebSocket, frame: ServerFrame) {
  // A socket that is closing can no longer be written to; it will be gone shortly.
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}
