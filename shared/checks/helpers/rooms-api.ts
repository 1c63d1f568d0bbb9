// The API of protected rooms (stage 09), in workerd and over real connections: creating a room,
// asking for a ticket, deleting a room. Each call fails with what the server answered when the
// answer is not the expected one.
import { CheckFailure, show } from "./check.ts";
import { loggedNote, loggedSince, logMark } from "./logged.ts";

/** A password for the checks' rooms: 8 to 128 characters, as the protocol wants. */
export const PASSWORD = "correct horse battery staple";

/** How a check sends a request: to the Worker in workerd, or to the served origin. */
type Send = (path: string, init?: RequestInit) => Promise<Response>;

/**
 * An answer of the API, read once: its status, headers, text, and the JSON in it (undefined if
 * none); `logged`, what the Worker logged with console.error meanwhile.
 */
export type Answer = { status: number; headers: Headers; text: string; body: unknown; logged?: string[] };

/** An answer in a few words, for "Got:": `status 403 with {"error":"Wrong password."}`. */
export function got(answer: Answer): string {
  const said = !answer.text ? `status ${answer.status}, no body` : `status ${answer.status} with ${answer.body === undefined ? show(answer.text) : show(answer.body)}`;
  return answer.status >= 500 ? `${said}${loggedNote(answer.logged)}` : said;
}

export function roomsApiAt(send: Send) {
  /** Sends a request and reads its answer. `body`, unless a string already, is sent as JSON. */
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      init.headers = { "Content-Type": "application/json", ...headers };
    }
    const mark = logMark();
    const response = await send(path, init);
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: json, logged: loggedSince(mark) };
  }

  /** POST /api/rooms: creates `room` (with a password, or open) and returns its owner token. */
  async function createRoom(room: string, password?: string): Promise<string> {
    const answer = await call("POST", "/api/rooms", password === undefined ? { name: room } : { name: room, password });
    const token = (answer.body as { ownerToken?: unknown } | undefined)?.ownerToken;
    if (answer.status !== 201 || typeof token !== "string") {
      throw new CheckFailure(`POST /api/rooms for a new room ${show(room)}: 201 with {"name":…,"ownerToken":"…"}`, got(answer));
    }
    return token;
  }

  /** POST /api/rooms/<room>/tickets: the ticket the right password gets. */
  async function ticketFor(room: string, password = PASSWORD): Promise<string> {
    const answer = await call("POST", `/api/rooms/${room}/tickets`, { password });
    const ticket = (answer.body as { ticket?: unknown } | undefined)?.ticket;
    if (answer.status !== 201 || typeof ticket !== "string") {
      throw new CheckFailure(`POST /api/rooms/${room}/tickets with the right password: 201 with {"ticket":"…","expiresAt":…}`, got(answer));
    }
    return ticket;
  }

  /** POST /api/rooms/<room>/tickets with `password`: the answer, whatever it is. */
  function guess(room: string, password: string): Promise<Answer> {
    return call("POST", `/api/rooms/${room}/tickets`, { password });
  }

  /** DELETE /api/rooms/<room>, with the token as a Bearer token if there is one. */
  function deleteRoom(room: string, token?: string): Promise<Answer> {
    return call("DELETE", `/api/rooms/${room}`, undefined, token === undefined ? {} : { Authorization: `Bearer ${token}` });
  }

  /** GET /api/rooms/<room>: whether the room asks for a password. */
  async function isProtected(room: string): Promise<boolean> {
    const answer = await call("GET", `/api/rooms/${room}`);
    const body = answer.body as { name?: unknown; protected?: unknown } | undefined;
    if (answer.status !== 200 || body?.name !== room || typeof body?.protected !== "boolean") {
      throw new CheckFailure(`GET /api/rooms/${room}: 200 with {"name":${show(room)},"protected":true or false}`, got(answer));
    }
    return body.protected;
  }

  return { call, createRoom, ticketFor, guess, deleteRoom, isProtected };
}
