// Protected rooms (stage 09): the page's side of the room API. Before it connects to a room, the
// page asks GET /api/rooms/<room>: at stage 09 the answer says whether the room has a password,
// while earlier servers answer 404, and the page then works as it always did. A protected room
// lets a connection in only with a ticket, bought with the password and good for one connection
// within 60 s, so the page buys one before every attempt to connect. Every request goes through a
// worker (api-worker.js says why). The owner token that creating a room returns is kept in this
// browser's localStorage, per room: it is what deleting the room takes.

/** A server that has not answered by then counts as one that did not answer (status 0). */
const ANSWER_WITHIN_MS = 10_000;
const NO_ANSWER = { status: 0, retryAfter: null, body: null };
const OWNER_KEY = (room) => `hello-chat:owner:${room}`;

/**
 * Sends `method path` with a JSON `body` and the owner's `token`, if given; resolves to
 * { status, retryAfter, body }: status 0 when there was no answer, body null when it was no JSON.
 */
export function callApi(method, path, { body, token } = {}) {
  return new Promise((resolve) => {
    const worker = new Worker("/api-worker.js");
    const done = (answer) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(answer);
    };
    const timer = setTimeout(() => done(NO_ANSWER), ANSWER_WITHIN_MS);
    worker.addEventListener("message", (event) => done({ ...NO_ANSWER, ...event.data }));
    worker.addEventListener("error", () => done(NO_ANSWER));
    worker.postMessage({ method, path, body, token });
  });
}

const roomPath = (room) => `/api/rooms/${encodeURIComponent(room)}`;

/** { protected } for a server with stage 09's API, or undefined for any other answer. */
export async function fetchRoomInfo(room) {
  const { status, body } = await callApi("GET", roomPath(room));
  if (status !== 200 || typeof body?.protected !== "boolean") return undefined;
  const info = { protected: body.protected };
  // Stage 10: how long the room keeps its messages, in seconds.
  if (Number.isFinite(body.retentionSeconds) && body.retentionSeconds > 0) info.retentionSeconds = body.retentionSeconds;
  return info;
}

/** POST /api/rooms: 201 { name, ownerToken }, or a refusal (409 in use, 400, …). */
export function createRoom(name, password) {
  return callApi("POST", "/api/rooms", { body: password === undefined ? { name } : { name, password } });
}

/** POST /api/rooms/<room>/tickets: 201 { ticket, expiresAt }; 403 wrong, 429 wait, 404 no password. */
export function buyTicket(room, password) {
  return callApi("POST", `${roomPath(room)}/tickets`, { body: { password } });
}

/** DELETE /api/rooms/<room> with the owner token: 204, or 401/403. */
export function deleteRoom(room, token) {
  return callApi("DELETE", roomPath(room), { token });
}

/** What the server said, for the person who asked: its own words when it gave some. */
export function errorText(answer, otherwise) {
  if (answer.status === 0) return "The server did not answer. Is it still running? Try again in a moment.";
  return typeof answer.body?.error === "string" ? answer.body.error : otherwise;
}

/** The owner token this browser keeps for `room`, or undefined. */
export function readOwnerToken(room) {
  try {
    return localStorage.getItem(OWNER_KEY(room)) ?? undefined;
  } catch {
    return undefined; // Storage blocked: this browser is not the owner, as far as it can tell.
  }
}

export function keepOwnerToken(room, token) {
  try {
    localStorage.setItem(OWNER_KEY(room), token);
    return true;
  } catch {
    return false;
  }
}

export function forgetOwnerToken(room) {
  try {
    localStorage.removeItem(OWNER_KEY(room));
  } catch {
    // Nothing was kept.
  }
}
