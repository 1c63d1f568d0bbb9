import type { Mistake } from "./mistake.ts";

const HASHED = "    const passwordHash = password === undefined ? null : await hashPassword(password, salt);\n";
const COMPARED = "    if (!crypto.subtle.timingSafeEqual(hash, current.password_hash)) return \"wrong\";\n";
const COUNTED = '    const { id } = sql.exec<{ id: number }>("INSERT INTO guesses (at) VALUES (?) RETURNING rowid AS id", now).one();\n';
const UNCOUNTED = '    sql.exec("DELETE FROM guesses WHERE rowid = ?", id);\n';
const LIMITED = `    if (recent.length === MAX_WRONG_PASSWORDS) {
      // The oldest of those leaves the window first.
      return { retryAfterMs: recent[MAX_WRONG_PASSWORDS - 1].at + WRONG_PASSWORD_WINDOW_MS - now };
    }
`;
const SPENT = '"DELETE FROM tickets WHERE hash = ? AND expires_at > ? RETURNING 1", hash, Date.now()';
const ERASED = "    await this.ctx.storage.deleteAll();\n    this.setUp();\n";

const GATE = `    if (this.isProtected() && !(await this.useTicket(params.get("ticket") ?? ""))) {
      return jsonError(401, "This room is protected: get a ticket with POST /api/rooms/<room>/tickets and its password, then connect with &ticket=. A ticket works once, within 60 s.");
    }
`;
const ARRIVED = "    if (!online.has(name)) this.presenceChanged(name);\n";

const USED = `    const used = this.owner() !== undefined || this.onlineNames().size > 0 ||
      this.ctx.storage.sql.exec("SELECT 1 FROM messages LIMIT 1").toArray().length > 0;
    if (used) return undefined;
`;
const SALTED = "    const salt = crypto.getRandomValues(new Uint8Array(16)).buffer;\n";

export const mistakes: Mistake[] = [
  {
    did: "stores the password itself and compares it as text",
    patch: [
      [HASHED, "    const passwordHash = password === undefined ? null : password;\n"],
      [COMPARED, '    if (password !== (current.password_hash as unknown)) return "wrong";\n'],
    ],
    fails: "the password, the owner token and tickets are never stored as they are",
    says: "the password is in table owner",
  },
  {
    did: "hashes the password with one SHA-256, without PBKDF2",
    patch: [[
      '  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);\n  return crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: PBKDF2_ITERATIONS }, key, 256);\n',
      '  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(password + new TextDecoder().decode(salt)));\n',
    ]],
    fails: "passwords are hashed with PBKDF2, SHA-256 and 10,000 to 100,000 iterations, with a salt for each room",
    says: "no call to crypto.subtle.deriveBits",
  },
  {
    did: "uses one fixed salt for every room",
    patch: [["    const salt = crypto.getRandomValues(new Uint8Array(16)).buffer;\n", '    const salt = new TextEncoder().encode("hello-chat-salt!").buffer;\n']],
    fails: "passwords are hashed with PBKDF2, SHA-256 and 10,000 to 100,000 iterations, with a salt for each room",
    says: "both were hashed with the salt",
  },
  {
    did: "stores the owner token itself, not its hash",
    patch: [
      ["    const ownerToken = randomToken();\n    const tokenHash = await sha256(ownerToken);\n", "    const ownerToken = randomToken();\n    const tokenHash = ownerToken;\n"],
      ["!crypto.subtle.timingSafeEqual(tokenHash, owner.token_hash)", "ownerToken !== (owner.token_hash as unknown)"],
    ],
    fails: "the password, the owner token and tickets are never stored as they are",
    says: "the owner token is in table owner",
  },
  {
    did: "keeps the bytes a token spells (its base64url decoded) instead of a hash: stored as they are, just not as text",
    patch: [[
      'function sha256(text: string): Promise<ArrayBuffer> {\n  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));\n}',
      'async function sha256(text: string): Promise<ArrayBuffer> {\n  try {\n    return Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0)).buffer;\n  } catch {\n    return new TextEncoder().encode(text).buffer;\n  }\n}',
    ], [
      // A made-up token spells fewer bytes, and timingSafeEqual throws for buffers of two lengths.
      "!crypto.subtle.timingSafeEqual(tokenHash, owner.token_hash)",
      "tokenHash.byteLength !== owner.token_hash.byteLength || !crypto.subtle.timingSafeEqual(tokenHash, owner.token_hash)",
    ]],
    fails: "the password, the owner token and tickets are never stored as they are",
    says: "the owner token is in table owner, column token_hash",
  },
  {
    did: "compares the password's hash with === (two ArrayBuffers are never ===)",
    patch: [[COMPARED, '    if (hash !== current.password_hash) return "wrong";\n']],
    fails: "the right password gets a ticket, and the ticket lets a connection in",
    says: "status 403",
  },
  {
    did: "lets a socket into a protected room with any ticket, without using it up",
    patch: [['if (this.isProtected() && !(await this.useTicket(params.get("ticket") ?? ""))) {', 'if (this.isProtected() && !params.get("ticket")) {']],
    fails: "a protected room answers 401, without upgrading, a connection with no ticket or a wrong one",
    says: "the socket was opened",
  },
  {
    did: "reads the ticket with SELECT, so it lets people in again and again",
    patch: [[SPENT, '"SELECT 1 FROM tickets WHERE hash = ? AND expires_at > ?", hash, Date.now()']],
    fails: "a ticket lets only one connection in",
    says: "the socket was opened",
  },
  {
    did: "never checks when a ticket expires",
    patch: [[SPENT, '"DELETE FROM tickets WHERE hash = ? RETURNING 1", hash']],
    fails: "a ticket expires 60 s after it was given",
    says: "a ticket given 61 s ago",
  },
  {
    did: "checks the password before the limit, so a guesser still learns when they are right",
    patch: [
      [LIMITED, ""],
      [COMPARED, `    if (!crypto.subtle.timingSafeEqual(hash, current.password_hash)) {
      if (recent.length === MAX_WRONG_PASSWORDS) return { retryAfterMs: recent[MAX_WRONG_PASSWORDS - 1].at + WRONG_PASSWORD_WINDOW_MS - now };
      return "wrong";
    }
`],
    ],
    fails: "after 5 wrong passwords within a minute: 429 with Retry-After, even for the right password",
    says: "status 201",
  },
  {
    did: "keeps the wrong guesses in a field, forgotten when the object leaves memory",
    patch: [
      ["  private buckets = new Map<string, Bucket>();\n", "  private buckets = new Map<string, Bucket>();\n  private guesses: number[] = [];\n"],
      [
        '    sql.exec("DELETE FROM guesses WHERE at <= ?", now - WRONG_PASSWORD_WINDOW_MS);\n    const recent = sql.exec<{ at: number }>("SELECT at FROM guesses ORDER BY at DESC LIMIT ?", MAX_WRONG_PASSWORDS).toArray();\n',
        "    this.guesses = this.guesses.filter((at) => at > now - WRONG_PASSWORD_WINDOW_MS);\n    const recent = this.guesses.slice(-MAX_WRONG_PASSWORDS).reverse().map((at) => ({ at }));\n",
      ],
      [COUNTED, "    this.guesses.push(now);\n"],
      [UNCOUNTED, "    this.guesses.pop();\n"],
    ],
    fails: "the count of wrong passwords survives the room's object leaving memory",
    says: "status 201",
  },
  {
    did: "records a wrong guess after hashing, so guesses sent at once all get through",
    patch: [
      [COUNTED, ""],
      [COMPARED + UNCOUNTED, '    if (!crypto.subtle.timingSafeEqual(hash, current.password_hash)) {\n      sql.exec("INSERT INTO guesses (at) VALUES (?)", now);\n      return "wrong";\n    }\n'],
    ],
    fails: "ten wrong passwords sent at once: at most 5 get 403, the others 429",
    says: "answered 403",
  },
  {
    did: "checks that the room is unused before hashing, so two creates at once both pass the check and one crashes",
    patch: [
      [USED, ""],
      [SALTED, USED + SALTED],
    ],
    fails: "two creates of one name at once: one gets 201, the other 409",
    says: "one 201 and one 409",
  },
  {
    did: "refuses only rooms that already have an owner, so a stranger can take over a room and its messages",
    patch: [[
      '    const used = this.owner() !== undefined || this.onlineNames().size > 0 ||\n      this.ctx.storage.sql.exec("SELECT 1 FROM messages LIMIT 1").toArray().length > 0;\n',
      "    const used = this.owner() !== undefined;\n",
    ]],
    fails: "POST /api/rooms answers 409 for a room in use: already created, holding messages, or with people online",
    says: "holds messages",
  },
  {
    did: "deletes the room without closing its sockets",
    patch: [["    for (const ws of this.ctx.getWebSockets()) ws.close(DELETED_CODE, DELETED_REASON);\n", ""]],
    fails: "the owner's token deletes the room: 204, and every socket closes with 4004",
    says: "it stayed open",
  },
  {
    did: "closes the sockets on delete but never calls deleteAll, so the room keeps its password and messages",
    patch: [[ERASED, ""]],
    fails: "a deleted room starts again empty and open, and its name can be created again",
    says: "after the delete, protected",
  },
  {
    did: "calls deleteAll but not setUp, so the emptied room has no tables",
    patch: [[ERASED, "    await this.ctx.storage.deleteAll();\n"]],
    fails: "a deleted room starts again empty and open, and its name can be created again",
    says: "no such table",
  },
  {
    did: "does not tell the lobby after a delete, so the room stays listed until every browser answers the close",
    patch: [["    this.setUp();\n    await this.tellLobby();\n", "    this.setUp();\n"]],
    fails: "a deleted room leaves the directory within 2 s, even while a browser has not answered the close",
    says: "the room, once its owner deleted it: not listed",
  },
  {
    did: "does not tell the lobby whether the room is protected",
    patch: [["setOnline(this.ctx.id.name!, this.onlineNames().size, this.isProtected());", "setOnline(this.ctx.id.name!, this.onlineNames().size, false);"]],
    fails: "the directory shows which rooms are protected",
    says: '"protected":false',
  },
  {
    did: "checks the ticket after noting the newcomer's arrival, so a refused connection shows up in everyone's presence",
    patch: [
      [GATE, ""],
      [ARRIVED, ARRIVED + GATE],
    ],
    fails: "a refused connection changes nothing in the room: no presence frame names it",
    says: "mallory was refused",
  },
  {
    did: "leaves list() as stage 08 wrote it, so a room the lobby asks again is listed as open",
    patch: [
      ["  setOnline(room: string, online: number, isProtected: boolean) {", "  setOnline(room: string, online: number, isProtected = false) {"],
      ["if (online !== undefined) this.setOnline(name, online, isProtected === 1);", "if (online !== undefined) this.setOnline(name, online);"],
    ],
    fails: "a protected room stays shown as protected once the lobby has asked it how many it has",
    says: "a minute later",
  },
  {
    did: "adds the protected column to CREATE TABLE only, which a lobby saved by stage 08 already has without it",
    patch: [
      ["      heard_at INTEGER NOT NULL\n    )`);", "      heard_at INTEGER NOT NULL,\n      protected INTEGER NOT NULL DEFAULT 0\n    )`);"],
      [
        `    const columns = ctx.storage.sql.exec("SELECT name FROM pragma_table_info('rooms')").toArray();
    if (!columns.some((column) => column.name === "protected")) {
      ctx.storage.sql.exec("ALTER TABLE rooms ADD COLUMN protected INTEGER NOT NULL DEFAULT 0");
    }
`,
        "",
      ],
    ],
    fails: "the directory still works with a lobby saved by stage 08, without the protected column",
    says: "no such column: protected",
  },
  {
    did: "never takes a right password's guess back, so members who type it use up the room's five",
    patch: [[UNCOUNTED, ""]],
    fails: "a right password does not count as a wrong one",
    says: "a 5th wrong password",
  },
  {
    did: "compares the hashes byte by byte in a loop, which stops at the first difference",
    patch: [[COMPARED, '    const stored = new Uint8Array(current.password_hash);\n    if (new Uint8Array(hash).some((byte, i) => byte !== stored[i])) return "wrong";\n']],
    fails: "hashes are compared with crypto.subtle.timingSafeEqual, for the password and for the owner token",
    says: "without a call to timingSafeEqual",
  },
  {
    did: "hashes the new owner token inside the INSERT, after the check that the room is unused: two creates at once both pass it",
    patch: [
      ["    const ownerToken = randomToken();\n    const tokenHash = await sha256(ownerToken);\n", ""],
      [
        '    if (used) return undefined;\n    this.ctx.storage.sql.exec(\n      "INSERT INTO owner (id, token_hash, password_hash, salt) VALUES (1, ?, ?, ?)",\n      tokenHash,\n',
        '    if (used) return undefined;\n    const ownerToken = randomToken();\n    this.ctx.storage.sql.exec(\n      "INSERT INTO owner (id, token_hash, password_hash, salt) VALUES (1, ?, ?, ?)",\n      await sha256(ownerToken),\n',
      ],
    ],
    fails: "two creates of one name at once: one gets 201, the other 409",
    says: "one 201 and one 409",
  },
  {
    did: "answers Retry-After: 60 whatever the wait, not when the oldest guess leaves the minute",
    patch: [["const seconds = Math.ceil(answer.retryAfterMs / 1000);", "const seconds = 60;"]],
    fails: "once Retry-After has passed, the room takes guesses again",
    says: "Retry-After: 40 20.7 s after the oldest",
  },
  {
    did: "rounds Retry-After down, so a client that waits as told comes back a moment too soon",
    patch: [["const seconds = Math.ceil(answer.retryAfterMs / 1000);", "const seconds = Math.floor(answer.retryAfterMs / 1000);"]],
    fails: "once Retry-After has passed, the room takes guesses again",
    says: "Retry-After: 40 20.7 s after the oldest",
  },
  {
    did: "times Retry-After from the newest wrong guess instead of the oldest",
    patch: [["return { retryAfterMs: recent[MAX_WRONG_PASSWORDS - 1].at + WRONG_PASSWORD_WINDOW_MS - now };", "return { retryAfterMs: recent[0].at + WRONG_PASSWORD_WINDOW_MS - now };"]],
    fails: "once Retry-After has passed, the room takes guesses again",
    says: "Retry-After: 40 20.7 s after the oldest",
  },
  {
    did: "erases the messages and the owner on delete, not every table: the wrong guesses outlive the room",
    patch: [[ERASED, '    this.ctx.storage.sql.exec("DELETE FROM messages");\n    this.ctx.storage.sql.exec("DELETE FROM owner");\n']],
    fails: "a deleted room starts again empty and open, and its name can be created again",
    says: "the deleted room's 5 wrong guesses were erased with it",
  },
  {
    did: "erases the messages, the owner and the guesses on delete, not every table: its unused tickets still let people in",
    patch: [[ERASED, '    this.ctx.storage.sql.exec("DELETE FROM messages");\n    this.ctx.storage.sql.exec("DELETE FROM owner");\n    this.ctx.storage.sql.exec("DELETE FROM guesses");\n']],
    fails: "a deleted room starts again empty and open, and its name can be created again",
    says: "a WebSocket with a ticket the deleted room gave and nobody used",
  },
  {
    did: "routes by splitting the path, so /api/rooms/<room>/anything is taken for the room itself",
    patch: [[String.raw`const [, name, tickets] = /^\/api\/rooms\/([^/]+)(\/tickets)?$/.exec(pathname) ?? [];`, 'const [, , , name, sub] = pathname.split("/");\n  const tickets = sub === "tickets";']],
    fails: "the API answers a bad request with a JSON error: 400, 405, 413 or 415",
    says: "/nothing",
  },
  {
    did: "tests the room's name against ROOM_PATTERN for GET only: a ticket or a delete for a bad name is answered as for a room",
    patch: [
      ["  if (!ROOM_PATTERN.test(name)) return jsonError(400, \"room must be 1 to 64 letters, digits, '-' or '_'.\");\n", ""],
      ["  if (request.method === \"GET\") return Response.json({ name, protected: await room.isProtected() });", "  if (request.method === \"GET\") {\n    if (!ROOM_PATTERN.test(name)) return jsonError(400, \"room must be 1 to 64 letters, digits, '-' or '_'.\");\n    return Response.json({ name, protected: await room.isProtected() });\n  }"],
    ],
    fails: "the API answers a bad request with a JSON error: 400, 405, 413 or 415",
    says: "POST /api/rooms/not%20a%20room/tickets",
  },
  {
    did: "splits the path and refuses an unknown part after the room, but not one after tickets",
    patch: [[String.raw`const [, name, tickets] = /^\/api\/rooms\/([^/]+)(\/tickets)?$/.exec(pathname) ?? [];
  if (name === undefined) {`, 'const [, , , name, sub] = pathname.split("/");\n  const tickets = sub === "tickets";\n  if (name === undefined || (sub !== undefined && !tickets)) {']],
    fails: "the API answers a bad request with a JSON error: 400, 405, 413 or 415",
    says: "/tickets/x: 404",
  },
  {
    did: "lets the route end with a slash, so /api/rooms/<room>/ is a second address of the room",
    patch: [[String.raw`/^\/api\/rooms\/([^/]+)(\/tickets)?$/`, String.raw`/^\/api\/rooms\/([^/]+)(\/tickets)?\/?$/`]],
    fails: "the API answers a bad request with a JSON error: 400, 405, 413 or 415",
    says: "/: 404",
  },
  {
    did: "tests the room's name against ROOM_PATTERN for GET and tickets, and forgets DELETE",
    patch: [
      ["  if (!ROOM_PATTERN.test(name)) return jsonError(400, \"room must be 1 to 64 letters, digits, '-' or '_'.\");\n", ""],
      ["  if (tickets) {\n", "  if (tickets) {\n    if (!ROOM_PATTERN.test(name)) return jsonError(400, \"room must be 1 to 64 letters, digits, '-' or '_'.\");\n"],
      ["  if (request.method === \"GET\") return Response.json({ name, protected: await room.isProtected() });", "  if (request.method === \"GET\") {\n    if (!ROOM_PATTERN.test(name)) return jsonError(400, \"room must be 1 to 64 letters, digits, '-' or '_'.\");\n    return Response.json({ name, protected: await room.isProtected() });\n  }"],
    ],
    fails: "the API answers a bad request with a JSON error: 400, 405, 413 or 415",
    says: "DELETE /api/rooms/not%20a%20room: 400",
  },
  {
    did: "compares the hash with the owner row read before the awaits, so a ticket asked for during a delete opens the room made again",
    patch: [
      ['    const current = this.owner();\n    if (current?.password_hash == null) return "open";\n', ""],
      [COMPARED, '    if (!crypto.subtle.timingSafeEqual(hash, owner.password_hash)) return "wrong";\n'],
    ],
    fails: "a ticket asked for while its room is deleted and created again is not given: the old password opens nothing",
    says: "gets 403, not a ticket",
  },
  {
    did: "reads the token by cutting \"Bearer \" off whatever Authorization holds, so another scheme is taken for a wrong token (403), not for none (401)",
    patch: [[String.raw`const token = /^Bearer (\S+)$/.exec(request.headers.get("Authorization") ?? "")?.[1];`, 'const token = request.headers.get("Authorization")?.replace("Bearer ", "");']],
    fails: "DELETE /api/rooms/<room> needs the owner's token: 401 without one, 403 with another",
    says: "which holds no Bearer token",
  },
  {
    did: "makes its tokens with crypto.randomUUID(): 122 random bits, not 128",
    patch: [["  const bytes = crypto.getRandomValues(new Uint8Array(32));\n  return btoa(String.fromCharCode(...bytes)).replaceAll(\"+\", \"-\").replaceAll(\"/\", \"_\").replaceAll(\"=\", \"\");\n", "  return crypto.randomUUID();\n"]],
    fails: "POST /api/rooms creates a room: 201 with its name and an owner token of at least 128 bits",
    says: "122 bits at most",
  },
  {
    did: "keeps stage 08's Allow: GET on /api/rooms after it learnt POST",
    patch: [['return methodNotAllowed(pathname, "GET, POST");', 'return methodNotAllowed(pathname, "GET");']],
    fails: "the API answers a bad request with a JSON error: 400, 405, 413 or 415",
    says: "Allow: GET, POST",
  },
  {
    did: "answers every other method on a room's tickets with a JSON 405 but no Allow header",
    patch: [['if (request.method !== "POST") return methodNotAllowed(pathname, "POST");', 'if (request.method !== "POST") return jsonError(405, "Use POST.");']],
    fails: "the API answers a bad request with a JSON error: 400, 405, 413 or 415",
    says: "no Allow header",
  },
];
