// A test client for the chat: it connects through the Worker's real fetch handler
// (inside workerd), keeps every frame it receives, and waits for frames by type.
import { env, exports } from "cloudflare:workers";
import { evictDurableObject } from "cloudflare:test";
import type { ErrorFrame, MessageFrame, ServerFrame, UsersFrame } from "../../protocol.ts";
import { CheckFailure, show, WAIT_MS } from "./check.ts";

type FrameOf<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;

/** A frame the server sent that is not JSON with a `type`: kept so a failure can show it. */
type Unreadable = { type: "unreadable"; raw: string };

/** Sends a request to the Worker exactly as a browser would reach it. */
export function request(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`http://chat.test${path}`, init));
}

/** A fresh room name, so checks never see each other's messages. */
export function newRoom(label = "room"): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Takes the room's object out of memory, as the runtime does when it is idle. Its storage stays;
 * its sockets hibernate (stay open without it) or, with "close", are closed.
 */
export async function evict(room: string, webSockets: "hibernate" | "close" = "hibernate") {
  await evictDurableObject(env.CHAT.getByName(room), { webSockets });
}

/** Opens a WebSocket as `name` in `room`, or fails with what the server answered instead. */
export async function join(room: string, name: string): Promise<ChatClient> {
  const path = `/ws?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}`;
  const response = await request(path, { headers: { Upgrade: "websocket" } });
  if (response.status !== 101 || !response.webSocket) {
    const body = (await response.text()).slice(0, 200);
    throw new CheckFailure(
      `GET ${path} opens a WebSocket (status 101)`,
      `status ${response.status}${body ? ` with body ${show(body)}` : ""}`,
    );
  }
  return new ChatClient(name, response.webSocket);
}

export class ChatClient {
  private readonly frames: (ServerFrame | Unreadable)[] = [];
  /** How many frames of each type `next()` has handed out already. */
  private readonly taken = new Map<string, number>();
  private arrived: () => void = () => {};
  private closeEvent?: CloseEvent;

  constructor(
    readonly name: string,
    private readonly socket: WebSocket,
  ) {
    socket.accept();
    socket.addEventListener("message", (event) => {
      this.frames.push(parse(event.data));
      this.arrived();
    });
    socket.addEventListener("close", (event) => {
      this.closeEvent = event;
      this.arrived();
    });
  }

  /** Sends `{"message": text}`. */
  say(text: string) {
    this.socket.send(JSON.stringify({ message: text }));
  }

  /** Sends anything: a string or binary goes as it is, other values as JSON. */
  sendRaw(data: string | ArrayBuffer) {
    this.socket.send(data);
  }

  /** Every frame of one type received so far. */
  all<T extends ServerFrame["type"]>(type: T): FrameOf<T>[] {
    return this.frames.filter((frame) => frame.type === type) as FrameOf<T>[];
  }

  /**
   * The next frame of `type` not yet returned, waiting for it if needed.
   * `expected` words the failure: "alice receives her message back".
   */
  async next<T extends ServerFrame["type"]>(type: T, expected: string): Promise<FrameOf<T>> {
    const index = this.taken.get(type) ?? 0;
    const found = await this.waitFor(() => this.all(type).length > index);
    if (!found) {
      throw new CheckFailure(expected, `${this.name} received no ${show(type)} frame within ${WAIT_MS / 1000} s (${this.summary()})`);
    }
    this.taken.set(type, index + 1);
    return this.all(type)[index];
  }

  nextMessage(expected: string): Promise<MessageFrame> {
    return this.next("message", expected);
  }
  nextUsers(expected: string): Promise<UsersFrame> {
    return this.next("users", expected);
  }
  nextError(expected: string): Promise<ErrorFrame> {
    return this.next("error", expected);
  }

  /** Fails if another frame of `type` arrives within `ms`. */
  async expectNoMore(type: ServerFrame["type"], expected: string, ms = 300) {
    const count = this.all(type).length;
    const arrived = await this.waitFor(() => this.all(type).length > count, ms);
    if (arrived) throw new CheckFailure(expected, `${this.name} received ${show(this.all(type).at(-1))}`);
  }

  /** Closes with `code` and resolves with the close frame the server sent back, if any. */
  async close(code = 1000, reason = "bye"): Promise<CloseEvent | undefined> {
    this.socket.close(code, reason);
    await this.waitFor(() => this.closeEvent !== undefined);
    return this.closeEvent;
  }

  /** Whether the socket is still open (the server did not close it). */
  get isOpen(): boolean {
    return this.closeEvent === undefined && this.socket.readyState === WebSocket.OPEN;
  }

  /** What has arrived so far, for failure messages. */
  summary(): string {
    if (this.frames.length === 0) return "nothing has arrived on this socket";
    const last = this.frames.slice(-3).map(show).join(", ");
    return `${this.frames.length} frame(s) so far, the last: ${last}`;
  }

  private async waitFor(condition: () => boolean, ms = WAIT_MS): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.arrived = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return true;
  }
}

function parse(data: unknown): ServerFrame | Unreadable {
  const raw = typeof data === "string" ? data : "(binary frame)";
  try {
    const frame = JSON.parse(raw);
    if (typeof frame?.type === "string") return frame;
  } catch {}
  return { type: "unreadable", raw };
}
