// Stage 09 · Protected rooms: POST /api/rooms makes a room its creator's, with a password or
// without; a protected room lets in only connections with a ticket, which the right password
// gets, each ticket once; wrong guesses are limited; the owner's token deletes the room. Secrets
// are kept only as hashes. What a browser sees of a refusal and of a delete is checked over real
// connections, in 09-protected-rooms.sockets.test.ts.
// The checks about time stop the clock (helpers/clock.ts) and move it by hand: no waiting.
import { describe } from "vitest";
import { env } from "./helpers/target.ts";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { ListedRoom } from "../protocol.ts";
import { check, CheckFailure, needs, PreconditionFailure, show } from "./helpers/check.ts";
import { evict, join, joinWithTicket, newRoom, request, type ChatClient } from "./helpers/chat-client.ts";
import { withClock } from "./helpers/clock.ts";
import { directoryAt, ROOM_LABEL } from "./helpers/directory.ts";
import { expectEqual } from "./helpers/expect.ts";
import { firstDerivationHeld, keyDerivationsDuring, timingSafeEqualCallsDuring } from "./helpers/key-derivation.ts";
import { got, PASSWORD, roomsApiAt, type Answer } from "./helpers/rooms-api.ts";
import { storedValues, whereStored } from "./helpers/stored.ts";

const CREATE_HINT =
  "In the Worker's fetch, POST /api/rooms: readNewRoom(request) reads the body (a Response is an error: return it), " +
  "then env.CHAT.getByName(name).create(password) makes the room and returns the owner token, which the Worker " +
  "answers with Response.json({ name, ownerToken }, { status: 201 }). The token is randomToken(): 32 bytes from " +
  "crypto.getRandomValues, as base64url, not Math.random(). See TODO(step 9) in fetch and above the room's methods.";
const USED_HINT =
  "In create(), a room is in use when it has an owner row, a stored message, or someone online " +
  "(this.onlineNames().size): return undefined then, and the Worker answers 409. Its messages belong to the people " +
  "who wrote them: creating the room would hand them to a stranger. Check and insert with no await in between.";
const BODY_HINT =
  "Let the protocol's readers read the bodies: readNewRoom(request) for POST /api/rooms, readPassword(request) for " +
  "the tickets. They answer 415 when the Content-Type is not application/json, 413 over 1 KiB, 400 for a bad name or " +
  "password: when they return a Response, return it as it is. Another method gets 405 with an Allow header that " +
  "lists the path's methods (GET, POST for /api/rooms; GET, DELETE for a room; POST for its tickets), and a " +
  "<room> that does not match ROOM_PATTERN gets 400, both with jsonError.";
const GET_HINT =
  "GET /api/rooms/<room> answers Response.json({ name, protected: await room.isProtected() }). isProtected() is true " +
  "when the owner row has a password_hash: false for a room created without a password, and for a room nobody created.";
const GATE_HINT =
  "At the start of the room's fetch, before new WebSocketPair(): if this.isProtected() and " +
  "!(await this.useTicket(params.get(\"ticket\") ?? \"\")), return jsonError(401, …). Once upgraded it is too " +
  "late: the socket is open. See TODO(step 9) in the room's fetch.";
const TICKET_HINT =
  "ticket(password) hashes the password with the room's salt (hashPassword) and compares the hash with password_hash " +
  "using crypto.subtle.timingSafeEqual (=== compares two ArrayBuffers by identity: never equal). For the right one, " +
  "store sha256(ticket) with expires_at = Date.now() + TICKET_MS and return { ticket, expiresAt }: the Worker answers " +
  "201. In fetch, useTicket(ticket) looks for that hash.";
const ONCE_HINT =
  "useTicket deletes the ticket as it checks it: DELETE FROM tickets WHERE hash = ? AND expires_at > ? RETURNING 1. " +
  "A SELECT leaves it there, and a link someone copied lets anyone in, again and again.";
const WRONG_HINT =
  'ticket() returns "wrong" for a wrong password, which the Worker answers 403, and "open" for a room without a ' +
  "password_hash, which it answers 404: a ticket there would mean nothing.";
const OPEN_HINT =
  "Only a password makes a room protected: isProtected() is this.owner()?.password_hash != null, not \"has an " +
  "owner\". A room created without a password stays open, like every room of stage 08.";
const SECRET_HINT =
  "Store hashes only: password_hash from hashPassword (PBKDF2), token_hash = sha256(ownerToken), tickets by " +
  "sha256(ticket). Whoever reads the storage (a backup, a log, a colleague) must find nothing they can use. The " +
  "token and the ticket themselves are returned to the caller, never stored.";
const LIMIT_HINT =
  "In ticket(), before hashing: delete the guesses older than a minute, and when MAX_WRONG_PASSWORDS remain, return " +
  "{ retryAfterMs } without looking at the password; the Worker answers 429 with Retry-After, in seconds. Looking " +
  "at the password first would tell a guesser when they are right.";
const KEEP_HINT =
  "Keep the guesses in the guesses table (INSERT INTO guesses (at) VALUES (?)), not in a field: the object leaves " +
  "memory when idle or restarts, and its fields start empty again, so a guesser would only have to wait.";
const WINDOW_HINT =
  "Count the last minute's guesses only: DELETE FROM guesses WHERE at <= ? (Date.now() - WRONG_PASSWORD_WINDOW_MS) " +
  "before counting. Retry-After is when the oldest of them leaves that minute, in seconds, rounded up.";
const EXPIRE_HINT =
  "A ticket is valid for TICKET_MS, 60,000 ms: store expires_at = Date.now() + TICKET_MS, and let useTicket accept " +
  "it only while expires_at > Date.now() (AND expires_at > ? in its DELETE).";
const HASH_HINT =
  "hashPassword(password, salt): crypto.subtle.importKey(\"raw\", the password's bytes, \"PBKDF2\", false, " +
  "[\"deriveBits\"]), then deriveBits({ name: \"PBKDF2\", hash: \"SHA-256\", salt, iterations: PBKDF2_ITERATIONS }, " +
  "key, 256). The salt is new for each room, crypto.getRandomValues(new Uint8Array(16)), stored beside the hash. " +
  "One SHA-256 is quick to guess, and a fixed salt gives one password the same hash in every room. Workers allow " +
  "100,000 iterations at most: more works on your laptop, and fails once deployed. See TODO(step 9).";
const RIGHT_HINT =
  "In ticket(), a guess is recorded before the hash (INSERT INTO guesses ... RETURNING rowid); when the password turns " +
  "out right, delete that row again (DELETE FROM guesses WHERE rowid = ?). The limit is on wrong passwords: members " +
  "who type the right one must not use up the room's five.";
const CONSTANT_TIME_HINT =
  "Compare two hashes with crypto.subtle.timingSafeEqual(a, b): the password's in ticket(), the owner token's in " +
  "remove(). A loop or a string comparison stops at the first byte that differs, so how long it takes tells a patient " +
  "guesser how much of a hash matched.";
const RACE_HINT =
  "Record the guess before the slow hash (INSERT INTO guesses, then await hashPassword), with no await between the " +
  "count and the insert: requests that arrive while a hash runs must see it counted. Counted after the hash, ten " +
  "guesses sent at once all get through.";
const AUTH_HINT =
  "DELETE /api/rooms/<room>: read the token from the Authorization header, \"Bearer <token>\". Without one, answer " +
  "401 with a WWW-Authenticate: Bearer header; when room.remove(token) is false (sha256(token) is not token_hash, " +
  "compared with timingSafeEqual), 403.";
const DELETE_HINT =
  "remove(ownerToken): once the token is right, close every socket, ws.close(4004, \"This room was deleted by its " +
  "owner.\") for each of this.ctx.getWebSockets(); then erase the room. The Worker answers 204, with no body.";
const RESET_HINT =
  "After closing the sockets, await this.ctx.storage.deleteAll(): it erases every table, messages, owner, tickets " +
  "and guesses. Then call this.setUp() to create them again, empty: the object lives on, and the next person to join " +
  "needs them. The name is then a new, open room.";
const DIRECTORY_HINT =
  "Pass this.isProtected() to the lobby as setOnline's third argument (in tellLobby), store it as 1 or 0 in the " +
  "protected column, and in list() turn it back into true or false. A directory line has name, online and " +
  "protected: nothing of what is said in the room.";
const CREATE_RACE_HINT =
  "In create(), await both hashes first, then check that the room is unused and insert the owner, with no await " +
  "between the check and the insert: a second create that arrives while a hash runs must find the owner row.";
const TICKET_RACE_HINT =
  "In ticket(), the awaits (the password's hash, the ticket's sha256) let other requests in: the room may be deleted, " +
  "and even created again with another password, meanwhile. After the last await, read the owner row again and " +
  "compare the hash with that one (none: \"open\"), then store the ticket, with no await in between.";
const REFUSED_HINT =
  "Check the ticket first thing in fetch, before presenceChanged(name): a refused connection must change " +
  "nothing, or the next presence frame tells everyone that someone who never came in has left.";
const ASKED_HINT =
  "In list(), a room not heard from for a minute is asked how many people it has, and nothing more: keep the " +
  "protected flag the lobby stored for it. Select protected with the name, and pass it back to setOnline " +
  "(isProtected === 1).";
const UPGRADE_HINT =
  "The lobby's storage outlives the code: a lobby saved by stage 08 has a rooms table without the protected column, " +
  "and CREATE TABLE IF NOT EXISTS leaves it so. In the Lobby's constructor, if pragma_table_info('rooms') lists no " +
  "protected, ALTER TABLE rooms ADD COLUMN protected INTEGER NOT NULL DEFAULT 0. See TODO(step 9) there.";

/** The reason every socket of a deleted room is closed with, and its code. */
const DELETED_CODE = 4004;
const DELETED_REASON = "This room was deleted by its owner.";

const api = roomsApiAt((path, init) => request(path, init));
const { directory, listed } = directoryAt((path) => request(path));

/** For a check that needs a room created first: the first check says what is wrong with creating. */
const created = (room: string, password?: string) =>
  needs("POST /api/rooms to create a room (the first check)", api.createRoom(room, password));
const ticketed = (room: string) =>
  needs("the right password to get a ticket (the check above)", api.ticketFor(room));

/** How many random bits a token can hold at most: 4 a character for hex, 6 for base64url; a UUID v4 has 122. */
const tokenBits = (token: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(token) ? 122 : token.length * (/^[0-9a-f]+$/i.test(token) ? 4 : 6);

/** The URL path of a WebSocket into `room`, with `ticket` if any. */
const wsPath = (room: string, name: string, ticket?: string) =>
  `/ws?room=${room}&name=${name}${ticket === undefined ? "" : `&ticket=${encodeURIComponent(ticket)}`}`;

/** Tries to open a WebSocket, and fails unless the server answers 401 with a JSON error, without upgrading. */
async function expectRefused(room: string, ticket: string | undefined, what: string) {
  const path = wsPath(room, "mallory", ticket);
  const response = await request(path, { headers: { Upgrade: "websocket" } });
  if (response.webSocket) {
    response.webSocket.accept();
    response.webSocket.close(1000, "the check is done");
    throw new CheckFailure(`${what}: 401 with {"error":"…"}, before any upgrade`, `status ${response.status}: the socket was opened`);
  }
  const text = await response.text();
  let error: unknown;
  try {
    error = (JSON.parse(text) as { error?: unknown }).error;
  } catch {
    // Said below.
  }
  if (response.status !== 401 || typeof error !== "string") {
    throw new CheckFailure(`${what}: 401 with {"error":"…"}, before any upgrade`, `status ${response.status} with ${show(text)}`);
  }
}

/** Fails unless `answer` has `status` and a JSON body {"error":"…"}. */
function expectError(answer: Answer, status: number, what: string) {
  const error = (answer.body as { error?: unknown } | undefined)?.error;
  if (answer.status !== status || typeof error !== "string") throw new CheckFailure(`${what}: ${status} with {"error":"…"}`, got(answer));
}

/** Five wrong guesses, each answered 403 (what the limit checks build on). */
async function fiveWrongGuesses(room: string) {
  for (let i = 1; i <= 5; i++) {
    const answer = await api.guess(room, `wrong guess ${i}`);
    if (answer.status !== 403) {
      throw new CheckFailure(`wrong password ${i} of 5: 403`, got(answer));
    }
  }
}

/** `client` is closed by the server with 4004 and the reason, within 2 s. */
async function expectDeletedClose(client: ChatClient) {
  const event = await client.closed();
  if (event?.code !== DELETED_CODE || event.reason !== DELETED_REASON) {
    throw new CheckFailure(
      `${client.name}'s socket closed with code ${DELETED_CODE} and reason ${show(DELETED_REASON)} within 2 s`,
      event ? `code ${event.code} and reason ${show(event.reason)}` : `it stayed open (${client.summary()})`,
    );
  }
}

/** The lobby's object (stage 08's binding). */
function lobby(): DurableObjectStub {
  return (env as { LOBBY?: DurableObjectNamespace }).LOBBY!.getByName("lobby");
}

/** A room's line in the directory, once it is listed with `online` people. */
async function line(room: string, online: number, what: string): Promise<ListedRoom> {
  await listed(room, online, what);
  const entry = (await directory()).find(({ name }) => name === room);
  if (!entry) throw new CheckFailure(`${what}: listed`, "listed, then gone from the directory at once");
  return entry as ListedRoom;
}

/** Fails unless the line is exactly { name, online, protected } with those values. */
function expectLine(entry: ListedRoom, expected: ListedRoom, what: string) {
  const extra = Object.keys(entry).filter((key) => !["name", "online", "protected"].includes(key));
  const { name, online, protected: isProtected } = entry;
  if (extra.length > 0 || show({ name, online, protected: isProtected }) !== show(expected)) {
    throw new CheckFailure(`${what}: ${show(expected)}, and nothing more`, show(entry));
  }
}

/** The 429's Retry-After header is `seconds`: when the oldest counted guess leaves the minute. */
function expectRetryAfter(answer: Answer, seconds: number, when: string) {
  const header = answer.headers.get("Retry-After");
  if (header !== String(seconds)) {
    throw new CheckFailure(`Retry-After: ${seconds} ${when} (the seconds until the oldest of the 5 leaves the minute)`, header === null ? "no Retry-After header" : `Retry-After: ${header}`);
  }
}

describe("09 · Protected rooms", () => {
  check("POST /api/rooms creates a room: 201 with its name and an owner token of at least 128 bits", CREATE_HINT, async () => {
    const room = newRoom();
    const answer = await api.call("POST", "/api/rooms", { name: room, password: PASSWORD });
    const body = answer.body as { name?: unknown; ownerToken?: unknown } | undefined;
    if (answer.status !== 201 || body?.name !== room || typeof body?.ownerToken !== "string") {
      throw new CheckFailure(`POST /api/rooms {"name":${show(room)},"password":…}: 201 with {"name":${show(room)},"ownerToken":"…"}`, got(answer));
    }
    const token = body.ownerToken;
    if (tokenBits(token) < 128) {
      throw new CheckFailure("an owner token of at least 128 random bits: 32 hex digits, or 22 base64url characters, or more", `${show(token)}: ${tokenBits(token)} bits at most`);
    }
    const another = await api.createRoom(newRoom());
    if (another === token) throw new CheckFailure("a new owner token for every room", `two rooms got the same token, ${show(token)}`);
  });

  check("POST /api/rooms answers 409 for a room in use: already created, holding messages, or with people online", USED_HINT, async () => {
    const room = newRoom();
    await created(room);
    expectError(await api.call("POST", "/api/rooms", { name: room, password: PASSWORD }), 409, "POST /api/rooms again for a room just created");

    // A room of stage 08: nobody created it, and alice talked there.
    const talked = newRoom();
    const alice = await join(talked, "alice");
    alice.say("my words, my room");
    await needs("alice's message to come back", alice.messageWithText("my words, my room", "alice receives her message back"));
    await alice.close(1000, "bye");
    expectError(await api.call("POST", "/api/rooms", { name: talked }), 409, "POST /api/rooms for a room that holds messages, with nobody online");

    const busy = newRoom();
    await join(busy, "bob");
    expectError(await api.call("POST", "/api/rooms", { name: busy }), 409, "POST /api/rooms for a room with bob online, and no message");
  });

  check("the API answers a bad request with a JSON error: 400, 405, 413 or 415", BODY_HINT, async () => {
    const room = newRoom();
    // A room with a password, where the right one would get a ticket: only the path is wrong.
    const locked = newRoom("locked");
    await created(locked, PASSWORD);
    const cases: [what: string, status: number, answer: () => Promise<Answer>][] = [
      ["POST /api/rooms with a bad name", 400, () => api.call("POST", "/api/rooms", { name: "not a room!" })],
      ["POST /api/rooms with a 5-character password", 400, () => api.call("POST", "/api/rooms", { name: room, password: "short" })],
      ["POST /api/rooms with a 129-character password", 400, () => api.call("POST", "/api/rooms", { name: room, password: "x".repeat(129) })],
      ["POST /api/rooms with a password that is a number", 400, () => api.call("POST", "/api/rooms", { name: room, password: 12345678 })],
      ["POST /api/rooms with a body that is not JSON", 400, () => api.call("POST", "/api/rooms", "{name:")],
      ["POST /api/rooms with JSON sent as Content-Type: text/plain", 415, () => api.call("POST", "/api/rooms", JSON.stringify({ name: room }), { "Content-Type": "text/plain" })],
      ["POST /api/rooms with a 2 KiB body", 413, () => api.call("POST", "/api/rooms", { name: room, password: PASSWORD, more: "x".repeat(2048) })],
      [`POST /api/rooms/${room}/tickets with Content-Type: text/plain`, 415, () => api.call("POST", `/api/rooms/${room}/tickets`, JSON.stringify({ password: PASSWORD }), { "Content-Type": "text/plain" })],
      ["GET /api/rooms/not%20a%20room", 400, () => api.call("GET", "/api/rooms/not%20a%20room")],
      ["POST /api/rooms/not%20a%20room/tickets", 400, () => api.call("POST", "/api/rooms/not%20a%20room/tickets", { password: PASSWORD })],
      ["DELETE /api/rooms/not%20a%20room", 400, () => api.call("DELETE", "/api/rooms/not%20a%20room", undefined, { Authorization: "Bearer x" })],
      [`GET /api/rooms/${room}/nothing`, 404, () => api.call("GET", `/api/rooms/${room}/nothing`)],
      [`DELETE /api/rooms/${room}/nothing`, 404, () => api.call("DELETE", `/api/rooms/${room}/nothing`, undefined, { Authorization: "Bearer x" })],
      [`GET /api/rooms/${room}/`, 404, () => api.call("GET", `/api/rooms/${room}/`)],
      [`POST /api/rooms/${locked}/tickets/x`, 404, () => api.call("POST", `/api/rooms/${locked}/tickets/x`, { password: PASSWORD })],
      ["PUT /api/rooms", 405, () => api.call("PUT", "/api/rooms")],
      [`PUT /api/rooms/${room}`, 405, () => api.call("PUT", `/api/rooms/${room}`)],
      [`GET /api/rooms/${room}/tickets`, 405, () => api.call("GET", `/api/rooms/${room}/tickets`)],
    ];
    // A 405's Allow header lists exactly the methods the path answers, so a client can tell what to send.
    const allowed: Record<string, string> = { "PUT /api/rooms": "GET, POST", [`PUT /api/rooms/${room}`]: "DELETE, GET", [`GET /api/rooms/${room}/tickets`]: "POST" };
    for (const [what, status, answer] of cases) {
      const result = await answer();
      expectError(result, status, what);
      if (status !== 405) continue;
      const allow = result.headers.get("Allow");
      const methods = (allow ?? "").split(",").map((method) => method.trim().toUpperCase()).filter(Boolean).sort().join(", ");
      if (methods !== allowed[what]) throw new CheckFailure(`${what}: Allow: ${allowed[what]} (the methods it answers, in any order)`, allow === null ? "no Allow header" : `Allow: ${allow}`);
    }
    // None of those made the room.
    expectEqual(await api.isProtected(room), false, `GET /api/rooms/${room}, a room no request created, says protected`);
  });

  check("GET /api/rooms/<room> says whether the room asks for a password", GET_HINT, async () => {
    const locked = newRoom("locked");
    const open = newRoom("open");
    await created(locked, PASSWORD);
    await created(open);
    const answers = { locked: await api.isProtected(locked), "created without a password": await api.isProtected(open), "nobody created": await api.isProtected(newRoom()) };
    expectEqual(answers, { locked: true, "created without a password": false, "nobody created": false }, "protected, for each room");
  });

  check("a protected room answers 401, without upgrading, a connection with no ticket or a wrong one", GATE_HINT, async () => {
    const room = newRoom();
    await created(room, PASSWORD);
    await expectRefused(room, undefined, "a WebSocket into a protected room, without a ticket");
    await expectRefused(room, "made-up-ticket", "a WebSocket into a protected room, with a made-up ticket");
    await expectRefused(room, PASSWORD, "a WebSocket into a protected room, with its password as the ticket");
  });

  check("the right password gets a ticket, and the ticket lets a connection in", TICKET_HINT, async () => {
    const room = newRoom();
    await created(room, PASSWORD);
    const before = Date.now();
    const answer = await api.guess(room, PASSWORD);
    const after = Date.now();
    const { ticket, expiresAt } = (answer.body ?? {}) as { ticket?: unknown; expiresAt?: unknown };
    if (answer.status !== 201 || typeof ticket !== "string") {
      throw new CheckFailure(`POST /api/rooms/${room}/tickets with the right password: 201 with {"ticket":"…","expiresAt":…}`, got(answer));
    }
    if (tokenBits(ticket) < 128) throw new CheckFailure("a ticket of at least 128 random bits (randomToken())", `${show(ticket)}: ${tokenBits(ticket)} bits at most`);
    if (typeof expiresAt !== "number" || expiresAt < before + 59_000 || expiresAt > after + 61_000) {
      throw new CheckFailure(`expiresAt: when the ticket expires, in ms since 1970, Date.now() + 60000 (about ${before + 60_000})`, show(expiresAt));
    }
    const alice = await joinWithTicket(room, "alice", ticket);
    await alice.next("users", "alice, let in with her ticket, is told who is here");
  });

  check("a ticket lets only one connection in", ONCE_HINT, async () => {
    const room = newRoom();
    await created(room, PASSWORD);
    const ticket = await ticketed(room);
    await needs("the ticket to let alice in (the check above)", joinWithTicket(room, "alice", ticket));
    await expectRefused(room, ticket, "a second WebSocket with the ticket alice used");
  });

  check("a wrong password gets 403; a room without a password gives no ticket (404)", WRONG_HINT, async () => {
    const locked = newRoom();
    const open = newRoom();
    await created(locked, PASSWORD);
    await created(open);
    expectError(await api.guess(locked, "not the password"), 403, `POST /api/rooms/${locked}/tickets with a wrong password`);
    expectError(await api.guess(open, PASSWORD), 404, `POST /api/rooms/${open}/tickets, a room created without a password`);
    expectError(await api.guess(newRoom(), PASSWORD), 404, "POST /api/rooms/<room>/tickets for a room nobody created");
  });

  check("a room created without a password stays open: anyone joins without a ticket", OPEN_HINT, async () => {
    const room = newRoom();
    await created(room);
    const alice = await join(room, "alice");
    await alice.next("users", "alice, without a ticket, is told who is here");
  });

  check("the password, the owner token and tickets are never stored as they are", SECRET_HINT, async () => {
    const room = newRoom();
    const token = await created(room, PASSWORD);
    const ticket = await ticketed(room);
    const values = await storedValues(room);
    for (const [what, secret] of [["the password", PASSWORD], ["the owner token", token], ["an unused ticket", ticket]]) {
      const where = whereStored(values, secret);
      if (where) throw new CheckFailure(`${what} nowhere in the room's storage, only its hash`, `${what} is in ${where}`);
    }
  });

  check("after 5 wrong passwords within a minute: 429 with Retry-After, even for the right password", LIMIT_HINT, async () => {
    const room = newRoom();
    await created(room, PASSWORD);
    await needs("5 wrong passwords answered 403 (the check above)", fiveWrongGuesses(room));
    const answer = await api.guess(room, PASSWORD);
    expectError(answer, 429, "the right password, after 5 wrong ones within a minute");
    const retry = answer.headers.get("Retry-After") ?? "";
    if (!/^\d+$/.test(retry) || Number(retry) < 1 || Number(retry) > 60) {
      throw new CheckFailure("a Retry-After header: the seconds until a guess is taken again, 1 to 60", retry ? `Retry-After: ${retry}` : "no Retry-After header");
    }
  });

  check("the count of wrong passwords survives the room's object leaving memory", KEEP_HINT, async () => {
    const room = newRoom();
    await created(room, PASSWORD);
    await needs("5 wrong passwords answered 403 (the check above)", fiveWrongGuesses(room));
    await evict(room);
    expectError(await api.guess(room, PASSWORD), 429, "the right password, after 5 wrong ones and a restart of the room's object");
  });

  check("a right password does not count as a wrong one", RIGHT_HINT, async () => {
    const room = newRoom();
    await created(room, PASSWORD);
    for (let i = 1; i <= 4; i++) expectError(await api.guess(room, `wrong guess ${i}`), 403, `wrong password ${i}`);
    const right = await api.guess(room, PASSWORD);
    if (right.status !== 201) throw new CheckFailure("the right password, after 4 wrong ones: 201 with a ticket", got(right));
    expectError(await api.guess(room, "wrong guess 5"), 403, "a 5th wrong password, with a right one between the 4th and the 5th");
  });

  check("DELETE /api/rooms/<room> needs the owner's token: 401 without one, 403 with another", AUTH_HINT, async () => {
    const room = newRoom();
    const other = newRoom();
    await created(room, PASSWORD);
    const otherToken = await created(other);
    const anonymous = await api.deleteRoom(room);
    expectError(anonymous, 401, `DELETE /api/rooms/${room} without an Authorization header`);
    if (!/^Bearer\b/i.test(anonymous.headers.get("WWW-Authenticate") ?? "")) {
      throw new CheckFailure("with the 401, a WWW-Authenticate: Bearer header", `WWW-Authenticate: ${anonymous.headers.get("WWW-Authenticate") ?? "none"}`);
    }
    // Only "Bearer <token>" carries a token: any other header is none at all.
    for (const header of ["Basic b3duZXI6cGFzc3dvcmQ=", "Bearer", "Bearer "]) {
      expectError(await api.call("DELETE", `/api/rooms/${room}`, undefined, { Authorization: header }), 401, `DELETE /api/rooms/${room} with Authorization: ${show(header)}, which holds no Bearer token`);
    }
    expectError(await api.deleteRoom(room, "not-the-owner-token"), 403, `DELETE /api/rooms/${room} with a made-up token`);
    expectError(await api.deleteRoom(room, otherToken), 403, `DELETE /api/rooms/${room} with the owner token of another room`);
    expectError(await api.deleteRoom(newRoom(), otherToken), 403, "DELETE /api/rooms/<room> for a room nobody created");
    expectEqual(await api.isProtected(room), true, `GET /api/rooms/${room} after those refused deletes, protected`);
  });

  check(`the owner's token deletes the room: 204, and every socket closes with ${DELETED_CODE}`, DELETE_HINT, async () => {
    const room = newRoom();
    const token = await created(room, PASSWORD);
    const alice = await needs("alice to join with a ticket (the checks above)", ticketed(room).then((ticket) => joinWithTicket(room, "alice", ticket)));
    const bob = await needs("bob to join with a ticket (the checks above)", ticketed(room).then((ticket) => joinWithTicket(room, "bob", ticket)));
    await needs("alice to be told who is here", alice.next("users", "alice is told who is here"));
    const answer = await api.deleteRoom(room, token);
    if (answer.status !== 204 || answer.text !== "") throw new CheckFailure(`DELETE /api/rooms/${room} with its owner token: 204, no body`, got(answer));
    await expectDeletedClose(alice);
    await expectDeletedClose(bob);
  });

  check("a deleted room starts again empty and open, and its name can be created again", RESET_HINT, async () => {
    const room = newRoom();
    const token = await created(room, PASSWORD);
    const alice = await needs("alice to join with a ticket (the checks above)", ticketed(room).then((ticket) => joinWithTicket(room, "alice", ticket)));
    alice.say("before the delete");
    await needs("alice's message to come back", alice.messageWithText("before the delete", "alice receives her message back"));
    const unused = await ticketed(room);
    await needs("5 wrong passwords answered 403 (the check above)", fiveWrongGuesses(room));
    const answer = await api.deleteRoom(room, token);
    if (answer.status !== 204) throw new CheckFailure(`DELETE /api/rooms/${room} with its owner token: 204`, got(answer));
    expectEqual(await api.isProtected(room), false, `GET /api/rooms/${room} after the delete, protected`);
    // Created again, with a password of its own: the deleted room's wrong guesses went with it.
    const again = await api.call("POST", "/api/rooms", { name: room, password: "a new owner's password" });
    if (again.status !== 201) throw new CheckFailure(`POST /api/rooms for the deleted room's name: 201, a new room`, got(again));
    const ticket = await api.guess(room, "a new owner's password");
    const value = (ticket.body as { ticket?: unknown } | undefined)?.ticket;
    if (ticket.status !== 201 || typeof value !== "string") {
      throw new CheckFailure("the new room's password: 201 with a ticket (the deleted room's 5 wrong guesses were erased with it)", got(ticket));
    }
    const bob = await joinWithTicket(room, "bob", value);
    const history = await bob.next("history", "bob, in the new room, receives the history frame");
    expectEqual(history.messages.map((m) => m.message), [], "the history of the new room with the deleted room's name");
    await expectRefused(room, unused, "a WebSocket with a ticket the deleted room gave and nobody used");
  });

  check("the directory shows which rooms are protected", DIRECTORY_HINT, async () => {
    const locked = newRoom(ROOM_LABEL);
    const open = newRoom(ROOM_LABEL);
    await created(locked, PASSWORD);
    const alice = await needs("alice to join with a ticket (the checks above)", ticketed(locked).then((ticket) => joinWithTicket(locked, "alice", ticket)));
    alice.say("not for the directory");
    await join(open, "bob");
    expectLine(await line(locked, 1, "the protected room with alice"), { name: locked, online: 1, protected: true }, "its line");
    expectLine(await line(open, 1, "the open room with bob"), { name: open, online: 1, protected: false }, "its line");
  });

  // The checks below stop the clock, or slow down every hash, or change the lobby's table:
  // each runs alone, after the ones above.
  check.alone("a ticket expires 60 s after it was given", EXPIRE_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom();
      await created(room, PASSWORD);
      const early = await ticketed(room);
      clock.advance(59_000);
      await joinWithTicket(room, "alice", early).catch((error: unknown) => {
        if (!(error instanceof CheckFailure)) throw error;
        throw new CheckFailure("a ticket used 59 s after it was given still lets alice in", error.message.split("Got:      ")[1]);
      });
      const late = await ticketed(room);
      clock.advance(61_000);
      await expectRefused(room, late, "a WebSocket with a ticket given 61 s ago");
    }),
  );

  check.alone("once Retry-After has passed, the room takes guesses again", WINDOW_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom();
      await created(room, PASSWORD);
      for (let i = 1; i <= 5; i++) {
        const answer = await api.guess(room, `wrong guess ${i}`);
        if (answer.status !== 403) throw new PreconditionFailure("5 wrong passwords answered 403 (the check above)", new CheckFailure(`wrong password ${i}: 403`, got(answer)));
        // One wrong guess, then four 20.7 s later: the clock moves only when the check moves it.
        if (i === 1) clock.advance(20_700);
      }
      const refused = await api.guess(room, PASSWORD);
      if (refused.status !== 429) throw new PreconditionFailure("the 6th guess refused with 429 (the check above)", new CheckFailure("429", got(refused)));
      expectRetryAfter(refused, 40, "20.7 s after the oldest of the 5 wrong ones (39.3 s left, rounded up)");
      clock.advance(30_000);
      const later = await api.guess(room, PASSWORD);
      expectError(later, 429, "the right password 30 s later: the 5 wrong ones are still within the minute");
      expectRetryAfter(later, 10, "30 s later (9.3 s left, rounded up)");
      clock.advance(10_000);
      const answer = await api.guess(room, PASSWORD);
      if (answer.status !== 201) throw new CheckFailure("the right password 10 s later, as Retry-After said: the oldest wrong one has left the minute, 201 with a ticket", got(answer));
    }),
  );

  // Alone, although it moves no clock: the checks above hash passwords all at once, and this one's two hashes
  // would make that burst longer still on a busy machine (it once took over 8 s there).
  check.alone("a refused connection changes nothing in the room: no presence frame names it", REFUSED_HINT, async () => {
    const room = newRoom();
    await created(room, PASSWORD);
    const alice = await needs("alice to join with a ticket (the checks above)", ticketed(room).then((ticket) => joinWithTicket(room, "alice", ticket)));
    await needs("alice to be told she arrived (stage 05)", alice.next("presence", "the presence frame of alice's arrival"));
    await needs("a connection without a ticket refused (the check above)", expectRefused(room, undefined, "a WebSocket into a protected room, without a ticket"));
    await alice.quiet(300);
    const seen = alice.all("presence").slice(1);
    if (seen.length > 0) throw new CheckFailure("no presence frame after mallory was refused: she never came in", `alice received ${seen.map(show).join(", ")}`);
  });

  check.alone("a protected room stays shown as protected once the lobby has asked it how many it has", ASKED_HINT, () =>
    withClock(async (clock) => {
      const locked = newRoom(ROOM_LABEL);
      await created(locked, PASSWORD);
      await needs("alice to join with a ticket (the checks above)", ticketed(locked).then((ticket) => joinWithTicket(locked, "alice", ticket)));
      await needs("the directory to show the room protected (the check above)", line(locked, 1, "the protected room with alice"));
      // A minute without news from the room: the lobby asks it how many people it has.
      clock.advance(61_000);
      const entry = await line(locked, 1, "the protected room with alice, a minute later");
      expectLine(entry, { name: locked, online: 1, protected: true }, "a minute later, once the lobby asked the room, its line");
    }),
  );

  check.alone("passwords are hashed with PBKDF2, SHA-256 and 10,000 to 100,000 iterations, with a salt for each room", HASH_HINT, async () => {
    // Two rooms with the same password, one after the other: what each asked WebCrypto to derive.
    const pbkdf2 = async (room: string) =>
      (await keyDerivationsDuring(async () => void (await created(room, PASSWORD)))).filter((call) => call.name === "PBKDF2");
    const calls = [await pbkdf2(newRoom()), await pbkdf2(newRoom())];
    if (calls[0].length === 0) {
      throw new CheckFailure("crypto.subtle.deriveBits with PBKDF2 when a room is created with a password", "no call to crypto.subtle.deriveBits (or deriveKey) with PBKDF2");
    }
    const weak = calls.flat().find(({ hash, iterations, saltBytes }) => hash !== "SHA-256" || typeof iterations !== "number" || iterations < 10_000 || iterations > 100_000 || (saltBytes ?? 0) < 16);
    if (weak) throw new CheckFailure('PBKDF2 with hash "SHA-256", 10,000 to 100,000 iterations and a salt of 16 bytes or more', show(weak));
    const shared = calls[0].find(({ salt }) => calls[1].some((other) => other.salt === salt));
    if (shared) throw new CheckFailure("a new random salt for each room: two rooms created with the same password, hashed with different salts", `both were hashed with the salt ${shared.salt}`);
  });

  check.alone("hashes are compared with crypto.subtle.timingSafeEqual, for the password and for the owner token", CONSTANT_TIME_HINT, async () => {
    const room = newRoom();
    const ownerToken = await created(room, PASSWORD);
    const comparisons = (body: () => Promise<unknown>) => timingSafeEqualCallsDuring(async () => void (await body()));
    const forTicket = await comparisons(() => api.guess(room, PASSWORD));
    if (forTicket === 0) throw new CheckFailure("crypto.subtle.timingSafeEqual when a password is checked", "the right password got its answer without a call to timingSafeEqual");
    const forDelete = await comparisons(() => api.deleteRoom(room, ownerToken));
    if (forDelete === 0) throw new CheckFailure("crypto.subtle.timingSafeEqual when the owner token is checked", "the room was deleted without a call to timingSafeEqual");
  });

  check.alone("ten wrong passwords sent at once: at most 5 get 403, the others 429", RACE_HINT, async () => {
    const room = newRoom();
    await created(room, PASSWORD);
    let statuses: number[] = [];
    // Each hash starts 20 ms later, as an await that lets other requests in would: today's runtime happens to
    // finish a hash before it takes the next request, but nothing promises it.
    await keyDerivationsDuring(async () => {
      statuses = (await Promise.all(Array.from({ length: 10 }, (_, i) => api.guess(room, `wrong guess ${i + 1}`)))).map((answer) => answer.status);
    }, { delayMs: 20 });
    const count = (status: number) => statuses.filter((s) => s === status).length;
    if (count(403) > 5 || count(403) + count(429) !== 10) {
      throw new CheckFailure("at most 5 answers 403, the others 429", `${count(403)} answered 403, ${count(429)} answered 429 (${statuses.join(", ")})`);
    }
  });

  check.alone("two creates of one name at once: one gets 201, the other 409", CREATE_RACE_HINT, async () => {
    const room = newRoom();
    let answers: (Answer | Error)[] = [];
    // Each hash starts 20 ms later, as an await that lets the other request in would.
    await keyDerivationsDuring(async () => {
      const create = () => api.call("POST", "/api/rooms", { name: room, password: PASSWORD }).catch((error: Error) => error);
      answers = await Promise.all([create(), create()]);
    }, { delayMs: 20 });
    const statuses = answers.map((answer) => (answer instanceof Error ? 0 : answer.status)).sort();
    if (show(statuses) !== show([201, 409])) {
      const said = answers.map((answer) => (answer instanceof Error ? `the Worker threw ${show(answer.message)}` : got(answer)));
      throw new CheckFailure(`two POST /api/rooms for ${show(room)} at once: one 201 and one 409`, said.join("; "));
    }
  });

  check.alone("a ticket asked for while its room is deleted and created again is not given: the old password opens nothing", TICKET_RACE_HINT, async () => {
    const room = newRoom();
    const ownerToken = await created(room, PASSWORD);
    let answer: Answer | undefined;
    // The ticket's hash is held until the owner has deleted the room and someone created it again.
    await firstDerivationHeld(async (release) => {
      const asked = api.guess(room, PASSWORD);
      await release.whenHeld();
      const deleted = await api.deleteRoom(room, ownerToken);
      if (deleted.status !== 204) throw new PreconditionFailure("the owner to delete the room (the checks above)", new CheckFailure("204", got(deleted)));
      await created(room, "another password");
      release.now();
      answer = await asked;
    });
    if (answer?.status === 201) {
      throw new CheckFailure("the deleted room's password, asked for while the room was deleted and created again with another, gets 403, not a ticket", got(answer));
    }
  });

  check.alone("the directory still works with a lobby saved by stage 08, without the protected column", UPGRADE_HINT, async () => {
    // The lobby's table as stage 08's code left it, then a restart: the constructor runs on that table.
    await runInDurableObject(lobby(), (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("CREATE TABLE rooms_08 (name TEXT PRIMARY KEY, online INTEGER NOT NULL, heard_at INTEGER NOT NULL)");
      sql.exec("INSERT INTO rooms_08 SELECT name, online, heard_at FROM rooms");
      sql.exec("DROP TABLE rooms");
      sql.exec("ALTER TABLE rooms_08 RENAME TO rooms");
    });
    await evictDurableObject(lobby());
    const room = newRoom(ROOM_LABEL);
    await created(room, PASSWORD);
    await needs("alice to join with a ticket (the checks above)", ticketed(room).then((ticket) => joinWithTicket(room, "alice", ticket)));
    expectLine(await line(room, 1, "a protected room with alice, listed by the upgraded lobby"), { name: room, online: 1, protected: true }, "its line");
  });
});
