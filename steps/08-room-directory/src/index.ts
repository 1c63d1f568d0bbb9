import { DurableObject } from "cloudflare:workers";
import { MAX_FRAME_LENGTH, readJoin, readMessage, type HistoryFrame, type MessageFrame, type ServerFrame } from "../../../shared/protocol.ts";

/** How many earlier messages a newcomer sees. */
const HISTORY_SIZE = 100;

/** The rate limit, a token bucket per name: a burst of 5 frames, then 1 per second. */
const BURST = 5;
const REFILL_MS = 1000;
type Bucket = { tokens: number; refilledAt: number };

/** How long presence changes gather before one frame tells everyone. */
const PRESENCE_DELAY_MS = 50;

/** What each socket carries through hibernation (serializeAttachment). */
type Attachment = { name: string };

/** The Worker: it checks the request and hands it to the room's Durable Object. */
export default {
  async fetch(request, env): Promise<Response> {
    // TODO(step 8): paths under /api/ get JSON answers: another /api/ path 404; on /api/rooms,
    // GET returns { rooms: await env.LOBBY.getByName("lobby").list() } and another method 405
    // (with an Allow header); should the lobby's call fail, 503 with a JSON error (log the
    // error, never send it). Do it before the /ws test below.
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
  /** Names that came or went since the last presence frame (the object stays awake until it goes). */
  private changed = new Set<string>();
  /**
   * Each name's bucket, shared by all its connections: reconnecting does not refill it.
   * Memory is enough here. The object hibernates only after some seconds without any event,
   * and by then every bucket is full again (5 tokens take 5 s): a forgotten bucket is a full one.
   */
  private buckets = new Map<string, Bucket>();

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
    // A name's first connection brings it online (a second tab changes nothing).
    const online = this.onlineNames();
    if (!online.has(name)) this.presenceChanged(name);
    // acceptWebSocket (not server.accept()) lets the object sleep while sockets stay open. The
    // tag, the name, lets getWebSockets(name) find this socket later: the runtime keeps tags
    // through hibernation, as it keeps the sockets themselves.
    this.ctx.acceptWebSocket(server, [name]);
    // The page sends "ping" every 30 s, so that proxies and routers keep an idle connection
    // open. The runtime answers "pong" by itself, without waking the object.
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    const attachment: Attachment = { name };
    server.serializeAttachment(attachment);
    send(server, this.history(after));
    // The newcomer alone gets the whole list; the others hear of it in the next presence frame.
    online.add(name);
    send(server, { type: "users", count: online.size, names: [...online].sort() });
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer) {
    // Measured before parsing: JSON.parse of a huge frame costs time even to refuse it.
    const length = typeof data === "string" ? data.length : data.byteLength;
    if (length > MAX_FRAME_LENGTH) return ws.close(1009, `Frames may be at most ${MAX_FRAME_LENGTH} long.`);

    const sender = ws.deserializeAttachment() as Attachment;
    // Every frame costs a token, invalid ones too: a flood of garbage is limited like one of messages.
    const waitMs = this.takeToken(sender.name, Date.now());
    if (waitMs > 0) {
      return send(ws, {
        type: "error",
        code: "rate_limited",
        message: `Slow down: you can send again in ${Math.ceil(waitMs / 1000)} s.`,
        retryAfterMs: waitMs,
      });
    }
    const frame = readMessage(data, { privateMessages: true });
    if ("type" in frame) return send(ws, frame);

    // The clock can stand still within a request, so step past the last timestamp.
    const timestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    this.lastTimestamp = timestamp;
    if (frame.to !== undefined) return this.sendPrivately(ws, sender.name, frame.to, frame.message, timestamp);
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
    this.leave(ws);
  }

  async webSocketError(ws: WebSocket) {
    this.leave(ws);
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

  /**
   * Sends a message to every connection of `to` and of its sender, and to nobody else. It is not
   * stored: names are not identities here, so a stored message would reach whoever next picks
   * that name.
   */
  private sendPrivately(ws: WebSocket, from: string, to: string, message: string, timestamp: number) {
    // The tag finds the recipient's sockets without reading every socket's attachment.
    const recipients = this.ctx.getWebSockets(to).filter((socket) => socket.readyState === WebSocket.OPEN);
    if (recipients.length === 0) {
      return send(ws, { type: "error", code: "unknown_user", message: `Nobody called ${to} is in this room right now.` });
    }
    const frame: MessageFrame = { type: "message", name: from, to, message, timestamp, serverTime: new Date(timestamp).toISOString() };
    const text = JSON.stringify(frame);
    // A Set: a message to yourself reaches each of your sockets once.
    for (const socket of new Set([...recipients, ...this.ctx.getWebSockets(from)])) {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    }
  }

  /**
   * Refills the name's bucket for the time that has passed, then takes one token.
   * Returns 0 when the frame may go on, or how many ms until a token is back.
   */
  private takeToken(name: string, now: number): number {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      // Buckets that have refilled are the same as none: forget them, so the map stays small.
      for (const [other, { refilledAt }] of this.buckets) {
        if (now - refilledAt >= BURST * REFILL_MS) this.buckets.delete(other);
      }
      bucket = { tokens: BURST, refilledAt: now };
      this.buckets.set(name, bucket);
    }
    // Clocks can go backwards: time that did not pass earns no tokens, and takes none away.
    const refill = Math.max(0, now - bucket.refilledAt) / REFILL_MS;
    bucket.tokens = Math.min(BURST, bucket.tokens + refill);
    bucket.refilledAt = now;
    if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) * REFILL_MS);
    bucket.tokens -= 1;
    return 0;
  }

  /** A name's last connection has ended (closing one of two tabs changes nothing). */
  private leave(ws: WebSocket) {
    const { name } = ws.deserializeAttachment() as Attachment;
    if (!this.onlineNames().has(name)) this.presenceChanged(name);
  }

  /**
   * Notes that a name came or went. The first change starts a short timer; changes until it
   * fires go into the same presence frame, so 600 people arriving at once cost everyone a few
   * frames, not 600. The timer keeps the object awake for those 50 ms only.
   */
  private presenceChanged(name: string) {
    if (this.changed.size === 0) setTimeout(() => this.sendPresence(), PRESENCE_DELAY_MS);
    this.changed.add(name);
  }

  /** Tells everyone which of the changed names are online now and which are gone. */
  private sendPresence() {
    const online = this.onlineNames();
    const changed = [...this.changed].sort();
    this.changed.clear();
    const joined = changed.filter((name) => online.has(name));
    const left = changed.filter((name) => !online.has(name));
    this.broadcast({ type: "presence", joined, left, count: online.size });
    // TODO(step 8): tell the lobby how many people are here now, by RPC on its stub,
    // setOnline(this.ctx.id.name, online.size), without awaiting it here; if the call fails,
    // call once more a second later, with the count as it is then.
  }

  // TODO(step 8): an online() method that returns how many people are here, for the lobby
  // to call when it has not heard from this room for a minute.

  /**
   * The distinct names on open sockets (a closing one is no longer OPEN). Derived from the
   * sockets and their attachments, not kept in memory, so it is right after hibernation too.
   */
  private onlineNames(): Set<string> {
    const open = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
    return new Set(open.map((ws) => (ws.deserializeAttachment() as Attachment).name));
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

type StoredMessage = { id: number; name: string; message: string; timestamp: number };

function toFrame({ id, name, message, timestamp }: StoredMessage): MessageFrame {
  return { type: "message", id, name, message, timestamp, serverTime: new Date(timestamp).toISOString() };
}

function send(ws: WebSocket, frame: ServerFrame) {
  // A socket that is closing can no longer be written to; it will be gone shortly.
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}

// TODO(step 8): export class Lobby extends DurableObject<Env>, one instance named "lobby": a
// rooms table (name, online, heard_at) in its SQLite storage, with an index on (online DESC,
// name) so that list() need not sort the whole table; setOnline(room, online) upserts
// the line, or deletes it at 0; list() first asks the rooms not heard from for a minute
// (env.CHAT.getByName(name).online(); one that cannot answer keeps its line), then returns the
// busiest 100, most people first, then by name. Then add its binding and its entry in "exports"
// to this folder's wrangler.jsonc.
