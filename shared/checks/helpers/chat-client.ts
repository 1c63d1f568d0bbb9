// Joining the chat inside workerd: requests go through the Worker's real fetch handler,
// in the same process as the checks, so a check can also evict the room's object.
import { env, request } from "./target.ts";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { CheckFailure, show } from "./check.ts";
import { ChatClient, newRoom } from "./chat-socket.ts";
import { thrownIn, watchHandlers } from "./handler-errors.ts";

export { ChatClient, newRoom, request };

/**
 * Takes the room's object out of memory, as the runtime does when it is idle. Its storage stays;
 * its sockets hibernate (stay open without it) or, with "close", are closed.
 */
export async function evict(room: string, webSockets: "hibernate" | "close" = "hibernate") {
  // An object that never goes idle (a repeating timer) cannot be evicted: say so after a few
  // seconds, rather than let the whole check run out of time.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailure(
      "the room's object can be taken out of memory, as the runtime does when it is idle",
      `it was still busy after ${EVICT_MS / 1000} s. Is something keeping it awake: a timer (setInterval, setTimeout) or an await that never settles?`,
    )), EVICT_MS);
  });
  try {
    await Promise.race([evictDurableObject(env.CHAT.getByName(room), { webSockets }), stuck]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** How long (ms) evicting a room's object may take before a check says what keeps it awake. */
const EVICT_MS = 3000;

/**
 * When the runtime last answered a socket of the room with its auto-response (null: never, so
 * any "pong" came from the room's own code). Reads the room's first socket.
 */
export async function autoResponseTime(room: string): Promise<Date | null> {
  return runInDurableObject(env.CHAT.getByName(room), (_instance, state) => {
    const [socket] = state.getWebSockets();
    return socket ? state.getWebSocketAutoResponseTimestamp(socket) : null;
  });
}

/** Opens a WebSocket as `name` in `room` (reconnecting `after` a message id), or fails with what the server answered instead. */
export function join(room: string, name: string, after?: number): Promise<ChatClient> {
  return open(room, name, after === undefined ? "" : `&after=${after}`);
}

/** Opens a WebSocket as `name` in a protected room (stage 09) with a ticket, or fails with what the server answered instead. */
export function joinWithTicket(room: string, name: string, ticket: string): Promise<ChatClient> {
  return open(room, name, `&ticket=${encodeURIComponent(ticket)}`);
}

async function open(room: string, name: string, more: string): Promise<ChatClient> {
  const path = `/ws?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}${more}`;
  await watchHandlers();
  const response = await request(path, { headers: { Upgrade: "websocket" } });
  if (response.status !== 101 || !response.webSocket) {
    const body = (await response.text()).slice(0, 200);
    throw new CheckFailure(
      `GET ${path} opens a WebSocket (status 101)`,
      `status ${response.status}${body ? ` with body ${show(body)}` : ""}`,
    );
  }
  return new ChatClient(name, response.webSocket, () => thrownIn(room));
}
