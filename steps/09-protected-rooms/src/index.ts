import { DurableObject } from "cloudflare:workers";
import { MAX_FRAME_LENGTH, readJoin, readMessage, type HistoryFrame, type MessageFrame, type RoomEntry, type ServerFrame } from "../../../shared/protocol.ts";
// TODO(step 9): import what checks the API's requests for you from the same file: readNewRoom
// (POST /api/rooms), readPassword (POST .../tickets), jsonError, ROOM_PATTERN, and the type
// ListedRoom, a directory line with `protected` (it replaces RoomEntry).

/** How many earlier messages a newcomer sees. */
const HISTORY_SIZE = 100;

/** The rate limit, a token bucket per name: a burst of 5 frames, then 1 per second. */
const BURST = 5;
const REFILL_MS = 1000;
type Bucket = { tokens: number; refilledAt: number };

/** How long presence changes gather before one frame tells everyone. */
const PRESENCE_DELAY_MS = 50;

/** How long after a failed call to the lobby a room tries once more, with its count as it is then. */
const LOBBY_RETRY_MS = 1000;

/** The directory lists the busiest rooms, at most this many. */
const DIRECTORY_SIZE = 100;

/** A room that has not told the lobby anything for this long is asked (see Lobby.list). */
const CONFIRM_AFTER_MS = 60_000;

// TODO(step 9): the stage's numbers, named: PBKDF2_ITERATIONS = 100_000 (the most Workers
// allow), TICKET_MS = 60_000, MAX_WRONG_PASSWORDS = 5 within WRONG_PASSWORD_WINDOW_MS = 60_000,
// and the close code 4004 with the reason "This room was deleted by its owner."

/** What each socket carries through hibernation (serializeAttachment). */
type Attachment = { name: string };

/** The Worker: it checks the request and hands it to the room's Durable Object. */
export default {
  async fetch(request, env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/api/")) {
      // A call to another object can fail (a deploy restarts it, say): the API still answers in
      // JSON, and the error stays in the log, never in the answer.
      return api(request, pathname, env).catch((error) => {
        console.error(error);
        return Response.json({ error: "The server could not answer just now: try again in a moment." }, { status: 503 });
      });
    }
    if (pathname !== "/ws") {
      return new Response("Not found", { status: 404 });
    }
    const join = readJoin(request);
    if (join instanceof Response) return join;
    // The same room name always reaches the same object, wherever the request comes from.
    const room = env.CHAT.getByName(join.room);
    return room.fetch(request);
  },
} satisfies ExportedHandler<Env>;

/** The JSON API: the directory of rooms. Every answer is JSON, errors too. */
// TODO(step 9): the API grows; the Worker speaks HTTP, the room's object keeps the secrets:
// - POST /api/rooms: readNewRoom(request) (a Response is an error: return it), then
//   env.CHAT.getByName(name).create(password): 201 {name, ownerToken}, or 409 when undefined;
// - GET /api/rooms/<room>: 200 {name, protected: await room.isProtected()};
// - POST /api/rooms/<room>/tickets: readPassword(request), then room.ticket(password):
//   201 {ticket, expiresAt}; 403 "wrong"; 404 "open"; 429 with Retry-After in whole seconds,
//   rounded up (Math.ceil), for {retryAfterMs};
// - DELETE /api/rooms/<room> with "Authorization: Bearer <token>": 401 without a token (and a
//   WWW-Authenticate: Bearer header), 403 when room.remove(token) is false, else 204;
// - 400 for a <room> that does not match ROOM_PATTERN; 405 for other methods, with Allow
//   listing the path's methods: "GET, POST" for /api/rooms, "GET, DELETE", "POST" for tickets.
async function api(request: Request, pathname: string, env: Env): Promise<Response> {
  if (pathname !== "/api/rooms") return Response.json({ error: `Nothing at ${pathname}: the API has /api/rooms.` }, { status: 404 });
  if (request.method !== "GET") {
    return Response.json({ error: "/api/rooms only answers GET." }, { status: 405, headers: { Allow: "GET" } });
  }
  // One lobby for the whole app: every request for "lobby" reaches the same object.
  const rooms = await env.LOBBY.getByName("lobby").list();
  return Response.json({ rooms });
}

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
    // TODO(step 9): a delete erases every table, and the room then needs them again: move the
    // table setup below (CREATE TABLE and ALTER TABLE) into a method, setUp(), called here.
    // setUp() also creates three tables, hashes only, never a secret itself:
    // - owner (id INTEGER PRIMARY KEY CHECK (id = 1), token_hash BLOB NOT NULL, password_hash BLOB,
    //   salt BLOB): one row for a room created with POST /api/rooms, none for the others;
    // - tickets (hash BLOB PRIMARY KEY, expires_at INTEGER NOT NULL);
    // - guesses (at INTEGER NOT NULL): when each recent guess came, kept through restarts.
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
    // TODO(step 9): a protected room lets in only a connection with a valid ticket (&ticket=):
    // if (this.isProtected() && !(await this.useTicket(...))), answer 401 with jsonError, before
    // any upgrade, and say how to get a ticket.
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

  // TODO(step 9): the room's RPC methods, for the Worker's API:
  // - async create(password?): string | undefined. Hash first (hashPassword with a new 16-byte
  //   salt, sha256 of a randomToken() as the owner token), then, with no await in between,
  //   check the room is unused (no owner row, no message, nobody online: else undefined) and
  //   insert the owner row. Return the token itself: it is shown this once.
  // - isProtected(): boolean, true when the owner row has a password_hash.
  // - async ticket(password): "open" without a password; { retryAfterMs } when
  //   MAX_WRONG_PASSWORDS guesses are in the last minute; else record this guess BEFORE
  //   hashing (guesses sent at once must all count); hash the password and a new ticket, then
  //   read the owner row again (the awaits let a delete in) and compare with its hash using
  //   crypto.subtle.timingSafeEqual: "wrong", or delete the guess and store the ticket's sha256
  //   with expires_at, and return { ticket, expiresAt }.
  // - private async useTicket(ticket): boolean. DELETE ... WHERE hash = ? AND expires_at > ?
  //   RETURNING 1: the delete is what makes a ticket single-use.
  // - async remove(ownerToken): boolean. Compare sha256(ownerToken) with token_hash in
  //   constant time; then close every socket with 4004 and the reason, await
  //   this.ctx.storage.deleteAll(), this.setUp(), and tell the lobby.

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
    // Not awaited: the frame above has gone, and nothing waits for the lobby.
    void this.tellLobby();
  }

  /**
   * Tells the lobby how many people are here now: a count, not "one more", so any call that
   * arrives puts the directory right. A call that fails (the lobby restarting, say) is made once
   * more a second later, with the count as it is then; after that, the room's next change tells
   * the lobby again. Retrying without end would keep the room awake while the lobby is down.
   */
  private async tellLobby(retry = true) {
    try {
      // ctx.id.name: the name this object was reached by, getByName(room) in the Worker. Every
      // room is reached by name, so it is never undefined here (hence the !).
      // TODO(step 9): tell the lobby whether the room is protected, too: this.isProtected().
      await this.env.LOBBY.getByName("lobby").setOnline(this.ctx.id.name!, this.onlineNames().size);
    } catch {
      if (retry) setTimeout(() => void this.tellLobby(false), LOBBY_RETRY_MS);
    }
  }

  /** How many people are here: the lobby asks when it has not heard from this room for a while. */
  online(): number {
    return this.onlineNames().size;
  }

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

// TODO(step 9): three helpers with WebCrypto (crypto.subtle):
// - hashPassword(password, salt): importKey("raw", the password's bytes, "PBKDF2", false,
//   ["deriveBits"]), then deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations:
//   PBKDF2_ITERATIONS }, key, 256);
// - sha256(text): crypto.subtle.digest("SHA-256", its bytes), enough for random tokens;
// - randomToken(): 32 bytes from crypto.getRandomValues, as base64url (btoa, then + to -,
//   / to _, and no =).

/**
 * One instance, "lobby": the directory of rooms with someone online, in its own SQLite storage,
 * so it outlives the object's restarts. Rooms call its methods by RPC, as the Worker does.
 */
export class Lobby extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS rooms (
      name TEXT PRIMARY KEY,
      online INTEGER NOT NULL,
      heard_at INTEGER NOT NULL
    )`);
    // Lets list() read the busiest rooms in order, without sorting the whole table.
    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS busiest ON rooms (online DESC, name)");
    // TODO(step 9): a lobby saved by stage 08 has no protected column: if
    // pragma_table_info('rooms') has none, ALTER TABLE rooms ADD COLUMN protected INTEGER NOT
    // NULL DEFAULT 0.
  }

  /** A room says how many people it has now; an empty room leaves the directory. */
  // TODO(step 9): a third argument, isProtected, stored as 1 or 0 in the protected column.
  setOnline(room: string, online: number) {
    if (online === 0) {
      this.ctx.storage.sql.exec("DELETE FROM rooms WHERE name = ?", room);
      return;
    }
    this.ctx.storage.sql.exec(
      `INSERT INTO rooms (name, online, heard_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET online = excluded.online, heard_at = excluded.heard_at`,
      room,
      online,
      Date.now(),
    );
  }

  /** The busiest rooms first, then by name: what GET /api/rooms shows. */
  // TODO(step 9): return ListedRoom[]: each line with protected: true or false (SQLite has no
  // booleans: compare the column with 1). The rooms asked below keep their stored flag.
  async list(): Promise<RoomEntry[]> {
    // A restart or a deploy ends a room's sockets without a close event, so the room never says
    // it emptied. Rooms not heard from for a minute are asked how many they have.
    const quiet = this.ctx.storage.sql
      .exec<{ name: string }>("SELECT name FROM rooms WHERE heard_at < ? ORDER BY online DESC, name LIMIT ?", Date.now() - CONFIRM_AFTER_MS, DIRECTORY_SIZE)
      .toArray();
    await Promise.all(
      quiet.map(async ({ name }) => {
        // A room that cannot answer now keeps its line, and is asked again next time.
        const online = await this.env.CHAT.getByName(name).online().catch(() => undefined);
        if (online !== undefined) this.setOnline(name, online);
      }),
    );
    return this.ctx.storage.sql
      .exec<RoomEntry>("SELECT name, online FROM rooms ORDER BY online DESC, name LIMIT ?", DIRECTORY_SIZE)
      .toArray();
  }
}
