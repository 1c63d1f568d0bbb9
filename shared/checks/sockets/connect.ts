// Joining the chat over real TCP, from Node, against the check's target (target.ts).
// A browser's WebSocket for the polite cases; a connection made by hand for the impolite
// ones (a laptop lid, a lost network, a broken client) that send no close frame.
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { CheckFailure, show } from "../helpers/check.ts";
import { ChatClient } from "../helpers/chat-socket.ts";
import { rawWebSocket } from "./raw-socket.ts";
import { served } from "./target.ts";

export type { Ending } from "./raw-socket.ts";

export { newRoom } from "../helpers/chat-socket.ts";

function origin(): string {
  const { origin, startError } = served();
  if (!origin) throw new CheckFailure("your Worker starts, to be checked over real connections", startError ?? "it did not start");
  return origin;
}

/** The URL path that joins `room` as `name`; with a ticket, for a protected room (stage 09). */
function path(room: string, name: string, ticket?: string): string {
  return `/ws?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}${ticket === undefined ? "" : `&ticket=${encodeURIComponent(ticket)}`}`;
}

/** Opens a WebSocket as `name` in `room`, as a browser does (on the target, or on the server at `at`). */
export async function connect(room: string, name: string, at = origin()): Promise<ChatClient> {
  const socket = new WebSocket(`${at.replace(/^http/, "ws")}${path(room, name)}`);
  // Listening starts now, so no frame that follows the handshake is missed.
  const client = new ChatClient(name, socket);
  const opened = await Promise.race([
    once(socket, "open").then(() => true, () => false),
    once(socket, "error").then(() => false),
  ]);
  if (!opened) throw new CheckFailure(`GET ${path(room, name)} opens a WebSocket over a real connection`, "the connection failed");
  return client;
}

/**
 * Joins `room` over a raw TCP connection (with a ticket, for a protected room), and returns how to
 * end it rudely and read the server's close frame (see raw-socket.ts).
 */
export async function rawJoin(room: string, name: string, ticket?: string) {
  const result = await rawWebSocket(origin(), path(room, name, ticket));
  if (typeof result === "string") throw new CheckFailure(`GET ${path(room, name, ticket)} opens a WebSocket over a raw connection`, show(result));
  return result;
}

/** The status line the server answers a raw WebSocket handshake with, when it is not 101 (undefined for 101: the socket is then closed). */
export async function rawRefusal(room: string, name: string, ticket?: string): Promise<string | undefined> {
  const result = await rawWebSocket(origin(), path(room, name, ticket));
  if (typeof result === "string") return result;
  result.end("fin");
  return undefined;
}

/** How each WebSocket handler call of the target ended so far, a line each: "webSocketClose 1006 returned". */
export function handlerCalls(): string[] {
  return readFileSync(served().handlerLog, "utf8").split("\n").filter(Boolean);
}

/** Waits (up to 3 s) for a handler call after the first `skip` to end as `pattern` says; returns its line. */
export async function handlerCall(pattern: RegExp, skip: number): Promise<string | undefined> {
  for (let waited = 0; waited < 3000; waited += 50) {
    const line = handlerCalls().slice(skip).find((call) => pattern.test(call));
    if (line) return line;
    await sleep(50);
  }
  return undefined;
}
