import { DurableObject } from "cloudflare:workers";
import {
  MAX_FRAME_LENGTH,
  ROOM_PATTERN,
  jsonError,
  readJoin,
  readMessage,
  readNewRoom,
  readPassword,
  type HistoryFrame,
  type ListedRoom,
  type MessageFrame,
  type ServerFrame,
} from "../../../shared/protocol.ts";

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

/** PBKDF2 rounds for a password: each makes a guess cost more, and Workers allow at most 100,000. */
const PBKDF2_ITERATIONS = 100_000;

/** A ticket lets one connection into a protected room, within this time. */
const TICKET_MS = 60_000;

/** Guessing is throttled: at most this many wrong passwords per room within a minute. */
const MAX_WRONG_PASSWORDS = 5;
const WRONG_PASSWORD_WINDOW_MS = 60_000;

/** The close code and reason every socket gets when the owner deletes the room. */
const DELETED_CODE = 4004;
const DELETED_REASON = "This room was deleted by its owner.";

// TODO(step 10): the stage's numbers, named: DEFAULT_RETENTION_SECONDS (7 days, when the
// Worker variable RETENTION_SECONDS is missing), DELETE_BATCH = 500, KEEPALIVE_TIMEOUT_MS =
// 90_000, GHOST_SWEEP_MS = 30_000, and the close code 4008 with a reason for ghosts.

/** What each socket carries through hibernation (serializeAttachment). */
// TODO(step 10): add connectedAt, when the socket was accepted: a client that never sent
// "ping" has no auto-response timestamp, and needs some time to compare with. And gone?: true,
// set on a socket closed as a ghost, whose departure is announced already.
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

/**
 * The JSON API: the directory, and rooms with an owner and maybe a password. Every answer is JSON,
 * errors too. The Worker speaks HTTP; the room's object keeps the secrets and answers by RPC.
 */
async function api(request: Request, pathname: string, env: Env): Promise<Response> {
  if (pathname === "/api/rooms") {
    if (request.method === "GET") {
      // One lobby for the whole app: every request for "lobby" reaches the same object.
      return Response.json({ rooms: await env.LOBBY.getByName("lobby").list() });
    }
    if (request.method !== "POST") return methodNotAllowed(pathname, "GET, POST");
    const wanted = await readNewRoom(request);
    if (wanted instanceof Response) return wanted;
    const ownerToken = await env.CHAT.getByName(wanted.name).create(wanted.password);
    if (ownerToken === undefined) {
      return jsonError(409, `The room ${wanted.name} already exists: join it, or create one with another name.`);
    }
    return Response.json({ name: wanted.name, ownerToken }, { status: 201 });
  }

  const [, name, tickets] = /^\/api\/rooms\/([^/]+)(\/tickets)?$/.exec(pathname) ?? [];
  if (name === undefined) {
    return jsonError(404, `Nothing at ${pathname}: the API has /api/rooms, /api/rooms/<room> and /api/rooms/<room>/tickets.`);
  }
  if (!ROOM_PATTERN.test(name)) return jsonError(400, "room must be 1 to 64 letters, digits, '-' or '_'.");
  const room = env.CHAT.getByName(name);

  if (tickets) {
    if (request.method !== "POST") return methodNotAllowed(pathname, "POST");
    const password = await readPassword(request);
    if (password instanceof Response) return password;
    const answer = await room.ticket(password);
    if (answer === "open") return jsonError(404, `The room ${name} has no password: join it without a ticket.`);
    if (answer === "wrong") return jsonError(403, "Wrong password.");
    if ("retryAfterMs" in answer) {
      const seconds = Math.ceil(answer.retryAfterMs / 1000);
      return jsonError(429, `Too many wrong passwords: try again in ${seconds} s.`, { "Retry-After": String(seconds) });
    }
    return Response.json(answer, { status: 201 });
  }

  // TODO(step 10): add retentionSeconds to this answer, so the page can say how long messages
  // stay: a function retentionSeconds(env) that reads env.RETENTION_SECONDS (a string: use
  // Number(), and DEFAULT_RETENTION_SECONDS when it is missing or not a positive number).
  if (request.method === "GET") return Response.json({ name, protected: await room.isProtected() });
  if (request.method !== "DELETE") return methodNotAllowed(pathname, "GET, DELETE");
  const token = /^Bearer (\S+)$/.exec(request.headers.get("Authorization") ?? "")?.[1];
  if (token === undefined) {
    return jsonError(401, "Only the room's owner may delete it: send Authorization: Bearer <ownerToken>.", { "WWW-Authenticate": "Bearer" });
  }
  if (!(await room.remove(token))) return jsonError(403, "That is not this room's owner token.");
  return new Response(null, { status: 204 });
}

function methodNotAllowed(pathname: string, allow: string): Response {
  return jsonError(405, `${pathname} answers ${allow.replace(", ", " and ")} only.`, { Allow: allow });
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
    this.setUp();
    // The constructor runs again after every eviction: memory starts empty, storage does not.
    // The newest row by id holds the newest timestamp, and the key finds it without a scan.
    const newest = ctx.storage.sql.exec<{ timestamp: number }>(
      "SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1",
    );
    this.lastTimestamp = newest.next().value?.timestamp ?? 0;
  }

  /** Creates the tables a new room needs: in the constructor, and again after a delete emptied it. */
  private setUp() {
    const sql = this.ctx.storage.sql;
    // The id orders messages, so two in the same millisecond never collide.
    // TODO(step 10): the id must only grow, even once the alarm has deleted every message: SQLite
    // gives a new row the largest id + 1, so an emptied table would start again at 1, and a page
    // that reconnects with after=<its last id> would miss what follows. Make it INTEGER PRIMARY
    // KEY AUTOINCREMENT (the timestamp column can join this CREATE TABLE too). ALTER TABLE cannot
    // add AUTOINCREMENT: when the table's CREATE statement (SELECT sql FROM sqlite_master WHERE
    // name = 'messages') has none, copy the table into a new one that has it, in transactionSync().
    sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      message TEXT NOT NULL
    )`);
    // Storage outlives code: rooms saved before this stage have no timestamp column, so add it
    // where it is missing. Their older messages get 0, "time unknown".
    const columns = sql.exec("SELECT name FROM pragma_table_info('messages')").toArray();
    if (!columns.some((column) => column.name === "timestamp")) {
      sql.exec("ALTER TABLE messages ADD COLUMN timestamp INTEGER NOT NULL DEFAULT 0");
    }
    // A room created with POST /api/rooms has one row here: hashes of its secrets, never the
    // secrets. password_hash and salt are NULL for a room without a password.
    sql.exec(`CREATE TABLE IF NOT EXISTS owner (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      token_hash BLOB NOT NULL,
      password_hash BLOB,
      salt BLOB
    )`);
    // Tickets, also as hashes: someone who reads the storage cannot use one.
    sql.exec("CREATE TABLE IF NOT EXISTS tickets (hash BLOB PRIMARY KEY, expires_at INTEGER NOT NULL)");
    // When each recent guess came: stored, so that restarting the object does not reset the count.
    sql.exec("CREATE TABLE IF NOT EXISTS guesses (at INTEGER NOT NULL)");
  }

  async fetch(request: Request): Promise<Response> {
    // The Worker has already validated the name and `after`, the id of the last message a
    // reconnecting client has (0 for a new one).
    const params = new URL(request.url).searchParams;
    const name = params.get("name")!.trim();
    const after = Number(params.get("after") ?? 0);
    // A protected room lets in only those with a ticket, each ticket once: a 401 answer, before
    // any upgrade, tells the page to ask for the password.
    if (this.isProtected() && !(await this.useTicket(params.get("ticket") ?? ""))) {
      return jsonError(401, "This room is protected: get a ticket with POST /api/rooms/<room>/tickets and its password, then connect with &ticket=. A ticket works once, within 60 s.");
    }
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
    // TODO(step 10): open sockets need the alarm, to look for ghosts: void this.scheduleAlarm()
    // (not awaited: the newcomer need not wait).
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
    // TODO(step 10): a stored message must be deleted one day: when no alarm is set
    // ((await this.ctx.storage.getAlarm()) === null), await this.scheduleAlarm().
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

  // TODO(step 10): async alarm(), which the runtime calls at the time given to setAlarm, even
  // when the object hibernated, and again if it throws. In it:
  // - closeGhosts(now): each OPEN socket whose last sign of life, the runtime's
  //   this.ctx.getWebSocketAutoResponseTimestamp(ws) (or connectedAt when it never pinged), is
  //   more than KEEPALIVE_TIMEOUT_MS old gets ws.close(4008, reason) and this.leave(ws): a ghost
  //   sends no close frame back, so webSocketClose may never come. Then mark it gone in its
  //   attachment, and have leave() skip a socket marked gone: should the ghost answer after
  //   all, webSocketClose must not announce its departure twice;
  // - if the oldest message is older than the retention (retentionSeconds(this.env) seconds;
  //   one row tells, so that a ghost sweep among recent messages reads no more), delete those,
  //   oldest first and at most DELETE_BATCH of them in one statement: DELETE ... WHERE id IN
  //   (SELECT id ... WHERE timestamp <= ? ORDER BY id LIMIT ?); .rowsWritten says how many went;
  // - delete expired tickets and guesses older than the window;
  // - scheduleAlarm(now) when the batch was full (more may be left), else scheduleAlarm().
  // TODO(step 10): private async scheduleAlarm(soon?): setAlarm at the earliest of `soon`, the
  // oldest message's timestamp + the retention, and Date.now() + GHOST_SWEEP_MS while any socket
  // is OPEN; with none of them, deleteAlarm(): an empty, idle room must cost nothing. An alarm
  // set for sooner (getAlarm()) stays: each arrival must not put off the next ghost sweep.

  /**
   * POST /api/rooms: makes this room the caller's, with a password or without. Returns the owner
   * token, shown this once, or undefined when the room is already in use.
   */
  async create(password?: string): Promise<string | undefined> {
    // Await first, then check and insert with no await between them. While an await waits,
    // other requests may run (which awaits allow it is the runtime's choice, not a promise), and
    // two creates of one name could then both pass the check.
    const salt = crypto.getRandomValues(new Uint8Array(16)).buffer;
    const passwordHash = password === undefined ? null : await hashPassword(password, salt);
    const ownerToken = randomToken();
    const tokenHash = await sha256(ownerToken);
    const used = this.owner() !== undefined || this.onlineNames().size > 0 ||
      this.ctx.storage.sql.exec("SELECT 1 FROM messages LIMIT 1").toArray().length > 0;
    if (used) return undefined;
    this.ctx.storage.sql.exec(
      "INSERT INTO owner (id, token_hash, password_hash, salt) VALUES (1, ?, ?, ?)",
      tokenHash,
      passwordHash,
      passwordHash === null ? null : salt,
    );
    return ownerToken;
  }

  /** Whether joining takes a password: what GET /api/rooms/<room> and the directory show. */
  isProtected(): boolean {
    return this.owner()?.password_hash != null;
  }

  /**
   * POST /api/rooms/<room>/tickets: a ticket for the right password. "wrong" for a wrong one;
   * after MAX_WRONG_PASSWORDS of those within a minute, how long until the next guess.
   */
  async ticket(password: string): Promise<{ ticket: string; expiresAt: number } | { retryAfterMs: number } | "wrong" | "open"> {
    const owner = this.owner();
    if (owner?.password_hash == null) return "open";
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    sql.exec("DELETE FROM guesses WHERE at <= ?", now - WRONG_PASSWORD_WINDOW_MS);
    const recent = sql.exec<{ at: number }>("SELECT at FROM guesses ORDER BY at DESC LIMIT ?", MAX_WRONG_PASSWORDS).toArray();
    if (recent.length === MAX_WRONG_PASSWORDS) {
      // The oldest of those leaves the window first.
      return { retryAfterMs: recent[MAX_WRONG_PASSWORDS - 1].at + WRONG_PASSWORD_WINDOW_MS - now };
    }
    // Counted before the await of the slow hash, not after: guesses that arrive while one waits
    // must see it counted. A right password takes its guess back below.
    const { id } = sql.exec<{ id: number }>("INSERT INTO guesses (at) VALUES (?) RETURNING rowid AS id", now).one();
    const hash = await hashPassword(password, owner.salt!);
    const ticket = randomToken();
    const ticketHash = await sha256(ticket);
    // The awaits let other requests in: the room may have been deleted meanwhile, even created
    // again with another password. So the hash is compared with the owner row as it is now.
    const current = this.owner();
    if (current?.password_hash == null) return "open";
    if (!crypto.subtle.timingSafeEqual(hash, current.password_hash)) return "wrong";
    sql.exec("DELETE FROM guesses WHERE rowid = ?", id);
    const expiresAt = Date.now() + TICKET_MS;
    sql.exec("DELETE FROM tickets WHERE expires_at <= ?", Date.now());
    sql.exec("INSERT INTO tickets (hash, expires_at) VALUES (?, ?)", ticketHash, expiresAt);
    return { ticket, expiresAt };
  }

  /** Spends a ticket: true if it was valid. Deleting it is what makes it single-use. */
  private async useTicket(ticket: string): Promise<boolean> {
    const hash = await sha256(ticket);
    const used = this.ctx.storage.sql.exec("DELETE FROM tickets WHERE hash = ? AND expires_at > ? RETURNING 1", hash, Date.now());
    return used.toArray().length === 1;
  }

  /**
   * DELETE /api/rooms/<room>: with the owner's token, closes every socket and erases the room,
   * so that its name starts again as a new, open room. False for any other token.
   */
  async remove(ownerToken: string): Promise<boolean> {
    const tokenHash = await sha256(ownerToken);
    const owner = this.owner();
    if (owner === undefined || !crypto.subtle.timingSafeEqual(tokenHash, owner.token_hash)) return false;
    for (const ws of this.ctx.getWebSockets()) ws.close(DELETED_CODE, DELETED_REASON);
    // Every table and row of this object, in one call; then the tables of a new room.
    await this.ctx.storage.deleteAll();
    this.setUp();
    await this.tellLobby();
    return true;
  }

  /** The room's owner row, or undefined for a room nobody created with POST /api/rooms. */
  private owner(): StoredOwner | undefined {
    return this.ctx.storage.sql.exec<StoredOwner>("SELECT token_hash, password_hash, salt FROM owner").toArray()[0];
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
      await this.env.LOBBY.getByName("lobby").setOnline(this.ctx.id.name!, this.onlineNames().size, this.isProtected());
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
type StoredOwner = { token_hash: ArrayBuffer; password_hash: ArrayBuffer | null; salt: ArrayBuffer | null };

function toFrame({ id, name, message, timestamp }: StoredMessage): MessageFrame {
  return { type: "message", id, name, message, timestamp, serverTime: new Date(timestamp).toISOString() };
}

function send(ws: WebSocket, frame: ServerFrame) {
  // A socket that is closing can no longer be written to; it will be gone shortly.
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}

/**
 * A password's hash: PBKDF2 with SHA-256 and a random salt per room. The salt makes each room's
 * hash different for the same password; the rounds make every guess slow.
 */
async function hashPassword(password: string, salt: ArrayBuffer): Promise<ArrayBuffer> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  return crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: PBKDF2_ITERATIONS }, key, 256);
}

/** One SHA-256 is enough for random tokens: unlike passwords, they cannot be guessed from a list. */
function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}

/** 32 random bytes (256 bits), as base64url: safe in a URL and in a header. */
function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

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
    // A lobby saved by stage 08 has no protected column: add it, 0 (open) for the rooms it lists.
    const columns = ctx.storage.sql.exec("SELECT name FROM pragma_table_info('rooms')").toArray();
    if (!columns.some((column) => column.name === "protected")) {
      ctx.storage.sql.exec("ALTER TABLE rooms ADD COLUMN protected INTEGER NOT NULL DEFAULT 0");
    }
  }

  /** A room says how many people it has now, and whether it is protected; an empty room leaves the directory. */
  setOnline(room: string, online: number, isProtected: boolean) {
    if (online === 0) {
      this.ctx.storage.sql.exec("DELETE FROM rooms WHERE name = ?", room);
      return;
    }
    this.ctx.storage.sql.exec(
      `INSERT INTO rooms (name, online, heard_at, protected) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET online = excluded.online, heard_at = excluded.heard_at, protected = excluded.protected`,
      room,
      online,
      Date.now(),
      isProtected ? 1 : 0,
    );
  }

  /** The busiest rooms first, then by name: what GET /api/rooms shows. */
  async list(): Promise<ListedRoom[]> {
    // A restart or a deploy ends a room's sockets without a close event, so the room never says
    // it emptied. Rooms not heard from for a minute are asked how many they have.
    const quiet = this.ctx.storage.sql
      .exec<{ name: string; protected: number }>("SELECT name, protected FROM rooms WHERE heard_at < ? ORDER BY online DESC, name LIMIT ?", Date.now() - CONFIRM_AFTER_MS, DIRECTORY_SIZE)
      .toArray();
    await Promise.all(
      // A room changes protection only while empty (create), or by leaving the directory (delete),
      // so the flag stored here is still right.
      quiet.map(async ({ name, protected: isProtected }) => {
        // A room that cannot answer now keeps its line, and is asked again next time.
        const online = await this.env.CHAT.getByName(name).online().catch(() => undefined);
        if (online !== undefined) this.setOnline(name, online, isProtected === 1);
      }),
    );
    // SQLite has no booleans: the column holds 1 or 0, and the directory says true or false.
    const rooms = this.ctx.storage.sql
      .exec<{ name: string; online: number; protected: number }>("SELECT name, online, protected FROM rooms ORDER BY online DESC, name LIMIT ?", DIRECTORY_SIZE)
      .toArray();
    return rooms.map((room) => ({ ...room, protected: room.protected === 1 }));
  }
}
