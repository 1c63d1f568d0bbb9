import { DurableObject } from "cloudflare:workers";
import { readJoin, readMessage, type HistoryFrame, type MessageFrame, type ServerFrame } from "../../../shared/protocol.ts";

/** How many earlier messages a newcomer sees. */
const HISTORY_SIZE = 100;

// TODO(step 5): const PRESENCE_DELAY_MS = 50, how long presence changes gather before one frame
// tells everyone.

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
  /** The newest timestamp handed out, so two messages never share one. */
  private lastTimestamp: number;
  // TODO(step 5): a field `changed`, a Set of the names that came or went since the last
  // presence frame.

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // The id orders messages, so two in the same millisecond never collide.
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      message TEXT NOT NULL
    )`);
    // Storage outlives code: rooms saved before this stage have no timestamp column, so add it
    // where it is missing. Their older messages get 0, "time unknown".
    const columns = ctx.storage.sql.exec("SELECT name FROM pragma_table_info('messages')").toArray();
    if (!columns.some((column) => column.name === "timestamp")) {
      ctx.storage.sql.exec("ALTER TABLE messages ADD COLUMN timestamp INTEGER NOT NULL DEFAULT 0");
    }
    // The constructor runs again after every eviction: memory starts empty, storage does not.
    // The newest row by id holds the newest timestamp, and the key finds it without a scan.
    const newest = ctx.storage.sql.exec<{ timestamp: number }>(
      "SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1",
    );
    this.lastTimestamp = newest.next().value?.timestamp ?? 0;
  }

  async fetch(request: Request): Promise<Response> {
    // The Worker has already validated the name and `after`, the id of the last message a
    // reconnecting client has (0 for a new one).
    const params = new URL(request.url).searchParams;
    const name = params.get("name")!.trim();
    const after = Number(params.get("after") ?? 0);
    const [client, server] = Object.values(new WebSocketPair());
    // TODO(step 5): before accepting, if `name` has no open socket yet, it comes online: note it
    // with this.presenceChanged(name) (below). A second tab of a name already here changes nothing.
    // acceptWebSocket (not server.accept()) lets the object sleep while sockets stay open.
    this.ctx.acceptWebSocket(server);
    // The page sends "ping" every 30 s, so that proxies and routers keep an idle connection
    // open. The runtime answers "pong" by itself, without waking the object.
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    const attachment: Attachment = { name };
    server.serializeAttachment(attachment);
    send(server, this.history(after));
    // TODO(step 5): send the newcomer alone who is here: { type: "users", count, names }, with the
    // distinct names, sorted, this one included. Build them from this.ctx.getWebSockets() (open
    // sockets only: readyState WebSocket.OPEN) and each socket's attachment, not from a Map in
    // memory: memory is empty after the object hibernates.
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer) {
    const frame = readMessage(data);
    if ("type" in frame) return send(ws, frame);

    const sender = ws.deserializeAttachment() as Attachment;
    // The clock can stand still within a request, so step past the last timestamp.
    const timestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    this.lastTimestamp = timestamp;
    // Output gates hold every send below until this write is durable.
    // The new row's id orders the room's messages; a client that reconnects sends the last one it has.
    const { id } = this.ctx.storage.sql
      .exec<{ id: number }>(
        "INSERT INTO messages (name, message, timestamp) VALUES (?, ?, ?) RETURNING id",
        sender.name,
        frame.message,
        timestamp,
      )
      .one();
    this.broadcast(toFrame({ id, name: sender.name, message: frame.message, timestamp }));
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string) {
    // The runtime does not answer a hibernatable socket's close frame: we must, or the client
    // waits and reports 1006. A connection that dropped without a close frame (a laptop lid)
    // arrives here with 1006. Neither 1005 ("no code given") nor 1006 may be sent: reply 1000.
    ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    // TODO(step 5): if this was the name's last open socket (this one is no longer OPEN), it went
    // offline: this.presenceChanged(name). A connection that breaks the protocol comes to
    // webSocketError(ws) instead: add that handler and do the same there.
  }

  /**
   * The newest HISTORY_SIZE messages after `after`, oldest first; `truncated` when a reconnecting
   * client missed more than that. The primary key lets SQLite read only those rows.
   */
  private history(after: number): HistoryFrame {
    // One row more than fits tells whether a reconnecting client missed some.
    const rows = this.ctx.storage.sql
      .exec<StoredMessage>(
        "SELECT id, name, message, timestamp FROM messages WHERE id > ? ORDER BY id DESC LIMIT ?",
        after,
        HISTORY_SIZE + 1,
      )
      .toArray();
    const messages = rows.slice(0, HISTORY_SIZE).reverse().map(toFrame);
    const truncated = after > 0 && rows.length > HISTORY_SIZE;
    return truncated ? { type: "history", messages, truncated } : { type: "history", messages };
  }

  // TODO(step 5): presenceChanged(name): if `changed` is empty (the first change of a burst),
  // start setTimeout(() => this.sendPresence(), PRESENCE_DELAY_MS); then add the name to it.
  // sendPresence() broadcasts { type: "presence", joined, left, count }: the changed names online
  // now, those gone (both sorted), and how many names are online; then clears `changed`. 600
  // people arriving at once then cost everyone a few frames, not 600.

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

type StoredMessage = { id: number; name: string; message: string; timestamp: number };

function toFrame({ id, name, message, timestamp }: StoredMessage): MessageFrame {
  return { type: "message", id, name, message, timestamp, serverTime: new Date(timestamp).toISOString() };
}

function send(ws: WebSocket, frame: ServerFrame) {
  // A socket that is closing can no longer be written to; it will be gone shortly.
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}
