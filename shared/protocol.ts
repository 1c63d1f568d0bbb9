// The chat protocol: what a client may send, and what the server answers.
// Every step imports this file, so the rules live in one place and the
// step files can stay about Durable Objects. You do not need to edit it.

export const ROOM_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The room of a client that names none: the chat page opened at / joins it too, before stage 08. */
export const DEFAULT_ROOM = "default";
export const MAX_NAME_LENGTH = 32;
export const MAX_MESSAGE_LENGTH = 1000;
/**
 * From stage 06, a frame longer than this (UTF-16 units of text, or bytes of binary) closes
 * the socket with 1009 before it is parsed. Generous on purpose: the longest valid frame, 1000
 * characters each written as an escaped surrogate pair ("\\ud83d\\ude00"), takes about 12,000.
 */
export const MAX_FRAME_LENGTH = 16_384;

/**
 * A chat line, as the server sends it. Stage 03 adds its id (the stored row's), stage 04 the two
 * time fields. A private message (stage 07) has `to`, its recipient, and no id: it is not stored.
 */
export type MessageFrame = {
  type: "message";
  id?: number;
  name: string;
  to?: string;
  message: string;
  timestamp?: number;
  serverTime?: string;
};

/**
 * The first frame on every connection, from stage 03: the newest stored messages, oldest
 * first. After a reconnect with `after`, only the newer ones, and `truncated` when more
 * were missed than fit.
 */
export type HistoryFrame = { type: "history"; messages: MessageFrame[]; truncated?: true };

/** Who is in the room (stage 05 on): the whole list, sent to each socket as it joins. */
export type UsersFrame = { type: "users"; count: number; names: string[] };

/**
 * What changed, sent to everyone (stage 05 on), at most 50 ms after a change: the names that
 * came online (their first connection) and went offline (their last one closed) since the
 * previous presence frame, each list sorted, and how many names are online now. A burst of
 * changes comes as one frame.
 */
export type PresenceFrame = { type: "presence"; joined: string[]; left: string[]; count: number };

export type ErrorCode = "bad_message" | "too_long" | "rate_limited" | "unknown_user";
export type ErrorFrame = {
  type: "error";
  code: ErrorCode;
  message: string;
  retryAfterMs?: number;
};

export type ServerFrame = MessageFrame | HistoryFrame | UsersFrame | PresenceFrame | ErrorFrame;

/** A line of the room directory (stage 08): `GET /api/rooms` answers `{ "rooms": RoomEntry[] }`. */
export type RoomEntry = { name: string; online: number };

/** From stage 09, each line also says whether the room asks for a password. */
export type ListedRoom = RoomEntry & { protected: boolean };

/** Passwords of protected rooms (stage 09), in characters. */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/** The API's request bodies hold a name and a password: 1 KiB is plenty. */
export const MAX_BODY_LENGTH = 1024;

/** `POST /api/rooms` (stage 09): the room to create, and its password if it has one. */
export type NewRoom = { name: string; password?: string };

/** Reads `POST /api/rooms`: a valid NewRoom, or the error response that says what is wrong. */
export async function readNewRoom(request: Request): Promise<NewRoom | Response> {
  const body = await readJsonBody(request);
  if (body instanceof Response) return body;
  const { name, password } = body;
  if (typeof name !== "string" || !ROOM_PATTERN.test(name)) {
    return jsonError(400, "name must be 1 to 64 letters, digits, '-' or '_'.");
  }
  if (password === undefined) return { name };
  const length = typeof password === "string" ? characterCount(password) : -1;
  if (typeof password !== "string" || length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    const got = length < 0 ? "not a string" : `${length}`;
    return jsonError(400, `password, when given, must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters (got ${got}).`);
  }
  return { name, password };
}

/** Reads `POST /api/rooms/<room>/tickets` (stage 09): the password, or the error response. */
export async function readPassword(request: Request): Promise<string | Response> {
  const body = await readJsonBody(request);
  if (body instanceof Response) return body;
  if (typeof body.password !== "string") return jsonError(400, 'Send the password as {"password": "…"}.');
  return body.password;
}

/** A small JSON object, or the error response: 415 when it is not JSON, 413 when too large, 400 when unreadable. */
async function readJsonBody(request: Request): Promise<Record<string, unknown> | Response> {
  if (!/^application\/json\b/i.test(request.headers.get("Content-Type") ?? "")) {
    return jsonError(415, "Send the body as JSON, with Content-Type: application/json.");
  }
  const tooLarge = () => jsonError(413, `The body may be at most ${MAX_BODY_LENGTH} bytes.`);
  // The declared length refuses a large body before reading it; the read length, a body sent without one.
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_BODY_LENGTH) return tooLarge();
  const text = await request.text();
  if (new TextEncoder().encode(text).length > MAX_BODY_LENGTH) return tooLarge();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return jsonError(400, "The body is not valid JSON.");
  }
  if (!isObject(body)) return jsonError(400, "The body must be a JSON object.");
  return body;
}

/**
 * Where a WebSocket wants to go: a valid room and name, or the reason it can't. `after` is
 * the id of the last message a reconnecting client has (0: none).
 */
export type Join = { room: string; name: string; after: number };

/**
 * Checks a `GET /ws?room=…&name=…[&after=…]` request. Returns the room, the trimmed name and
 * `after`, or the HTTP response that explains what is wrong (405, 426, 403 or 400).
 */
export function readJoin(request: Request): Join | Response {
  if (request.method !== "GET") {
    return jsonError(405, "Open the chat with GET /ws and an Upgrade: websocket header.", {
      Allow: "GET",
    });
  }
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    return jsonError(426, "This endpoint only speaks WebSocket: send an Upgrade: websocket header.");
  }
  // A browser sends the page's Origin with every WebSocket, and cookies too: a page on another
  // site must not open sockets on its visitor's behalf. Command-line clients send no Origin.
  const origin = request.headers.get("Origin");
  if (origin !== null && URL.parse(origin)?.host !== new URL(request.url).host) {
    return jsonError(403, "Pages on other sites may not open this chat's sockets: open the chat page from this server.");
  }
  const params = new URL(request.url).searchParams;
  const room = params.get("room") ?? DEFAULT_ROOM;
  if (!ROOM_PATTERN.test(room)) {
    return jsonError(400, "room must be 1 to 64 letters, digits, '-' or '_'.");
  }
  const name = (params.get("name") ?? "").trim();
  const problem = nameProblem(name);
  if (problem) return jsonError(400, `name ${problem}.`);
  const after = readAfter(params.get("after"));
  if (after === undefined) return jsonError(400, "after must be the id of a message: a whole number, 0 or more.");
  return { room, name, after };
}

/** The `after` parameter as a number: 0 when absent, undefined when it is not a whole number. */
export function readAfter(text: string | null): number | undefined {
  if (text === null) return 0;
  const after = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(after) ? after : undefined;
}

/** What a client sends: a message for the whole room, or (stage 07 on) for one person, `to`. */
export type ClientMessage = { message: string; to?: string };

/**
 * Reads one frame from a client. A valid frame is `{"message": "<text>"}`; the text comes back
 * trimmed. With `privateMessages` (stage 07 on), a frame may also name its recipient,
 * `"to": "<name>"`, which follows the rules for names and comes back trimmed too. Anything
 * else becomes the error frame to send.
 */
export function readMessage(data: string | ArrayBuffer, { privateMessages = false } = {}): ClientMessage | ErrorFrame {
  if (typeof data !== "string") {
    return errorFrame("bad_message", "Send text frames holding JSON, not binary data.");
  }
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return errorFrame("bad_message", 'Frames must be JSON, like {"message": "hello"}.');
  }
  const text = isObject(frame) ? frame.message : undefined;
  if (typeof text !== "string") {
    return errorFrame("bad_message", 'Frames must be a JSON object with a string "message".');
  }
  const message = text.trim();
  const length = characterCount(message);
  if (length === 0) return errorFrame("bad_message", "The message is empty.");
  if (length > MAX_MESSAGE_LENGTH) {
    return errorFrame(
      "too_long",
      `Messages can be at most ${MAX_MESSAGE_LENGTH} characters (this one has ${length}).`,
    );
  }
  if (!isObject(frame) || !("to" in frame)) return { message };
  // Before stage 07 a "to" would be ignored and the message shown to everyone: refuse it instead.
  if (!privateMessages) {
    return errorFrame("bad_message", 'This server sends every message to the whole room: leave out "to".');
  }
  const to = typeof frame.to === "string" ? frame.to.trim() : undefined;
  const problem = to === undefined ? "must be a string" : nameProblem(to);
  if (problem) return errorFrame("bad_message", `"to" names the recipient, so it ${problem}.`);
  return { message, to };
}

/** What is wrong with a (trimmed) name, or undefined when it follows the rules. */
export function nameProblem(name: string): string | undefined {
  const length = characterCount(name);
  if (length === 0) return "is required";
  if (length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters (got ${length})`;
  if (/\p{Cc}/u.test(name)) return "must not contain control characters";
  return undefined;
}

export function errorFrame(code: ErrorCode, message: string): ErrorFrame {
  return { type: "error", code, message };
}

/** Counts Unicode code points, so "😀" is one character, not two UTF-16 units or four bytes. */
function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every error of the HTTP API has the same shape: `{ "error": "what is wrong, and what to do" }`. */
export function jsonError(status: number, error: string, headers?: Record<string, string>): Response {
  return Response.json({ error }, { status, headers });
}
