// A chat client for checks: it keeps every frame it receives and waits for frames by type.
// It works on any standard WebSocket: workerd's (in-process checks) and Node's (real sockets).
import type { ErrorFrame, MessageFrame, ServerFrame } from "../../protocol.ts";
import { CheckFailure, show, WAIT_MS } from "./check.ts";

type FrameOf<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;

/** A frame the server sent that is not JSON with a `type`: kept so a failure can show it. */
type Unreadable = { type: "unreadable"; raw: string };

/** A fresh room name, so checks never see each other's messages. */
export function newRoom(label = "room"): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * How long (ms) a client that closes waits for the server's close frame. Longer than WAIT_MS:
 * a busy machine (the kit's own test run, a laptop building something) delays a closing
 * handshake more than a frame, and only a server that never answers pays the wait.
 */
export const CLOSE_WAIT_MS = 5000;

export class ChatClient {
  private readonly frames: (ServerFrame | Unreadable)[] = [];
  /** How many frames of each type `next()` has handed out already. */
  private readonly taken = new Map<string, number>();
  /** The waits in progress: each looks again at what has arrived when a frame comes or the socket closes. */
  private readonly waiters = new Set<() => void>();
  private closeEvent?: CloseEvent;
  /**
   * Who is online as this client sees it: the users frame replaces it, presence frames change
   * it, as the chat page does. Undefined until the first users frame.
   */
  presence?: { count: number; names: Set<string> };

  readonly name: string;
  private readonly socket: WebSocket;
  /** What the server's code threw meanwhile, if the check can know it: shown when a wait fails. */
  private readonly thrown: () => string[];

  constructor(name: string, socket: WebSocket, thrown: () => string[] = () => []) {
    this.name = name;
    this.socket = socket;
    this.thrown = thrown;
    // workerd's sockets start paused until accept(); a browser's or Node's start open.
    (socket as { accept?: () => void }).accept?.();
    socket.addEventListener("message", (event) => {
      const frame = parse(event.data);
      this.frames.push(frame);
      this.applyPresence(frame);
      this.arrived();
    });
    socket.addEventListener("close", (event) => {
      this.closeEvent = event;
      this.arrived();
    });
  }

  private arrived() {
    for (const check of [...this.waiters]) check();
  }

  /** Sends `{"message": text}`. */
  say(text: string) {
    this.socket.send(JSON.stringify({ message: text }));
  }

  /** Sends `{"message": text, "to": to}`: a private message (stage 07). */
  sayTo(to: unknown, text: string) {
    this.socket.send(JSON.stringify({ message: text, to }));
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
  async next<T extends ServerFrame["type"]>(type: T, expected: string, unless?: { seen: () => boolean; got: string }): Promise<FrameOf<T>> {
    const index = this.taken.get(type) ?? 0;
    // `unless`: what shows the frame is not coming after all, and the failure then says so at once.
    await this.waitFor(() => this.all(type).length > index || unless?.seen() === true);
    if (this.all(type).length <= index) {
      const got = unless?.seen() ? unless.got : `${this.name} received no ${show(type)} frame within ${WAIT_MS / 1000} s`;
      throw new CheckFailure(expected, `${got} (${this.summary()})`);
    }
    this.taken.set(type, index + 1);
    return this.all(type)[index];
  }

  /** The first frame this socket received, whatever its type, waiting for it if needed. */
  firstFrame(expected: string): Promise<ServerFrame | Unreadable> {
    return this.frameAt(0, expected);
  }

  /** The frame at `index` (0 is the first), whatever its type, waiting for it if needed. */
  async frameAt(index: number, expected: string): Promise<ServerFrame | Unreadable> {
    if (!(await this.waitFor(() => this.frames.length > index))) {
      const got = this.frames.length === 0 ? `${this.name} received nothing within ${WAIT_MS / 1000} s${this.meanwhile()}` : this.summary();
      throw new CheckFailure(expected, got);
    }
    return this.frames[index];
  }

  /** The first message frame whose text is `text`, waiting for it (up to `ms`) if needed. */
  messageWithText(text: string, expected: string, ms = WAIT_MS): Promise<MessageFrame> {
    return this.frameWhere("message", (frame) => frame.message === text, expected, `message ${show(text)}`, ms);
  }

  /** The first frame of `type` for which `matches` holds (`what`, in a failure), waiting for it (up to `ms`) if needed. */
  async frameWhere<T extends ServerFrame["type"]>(type: T, matches: (frame: FrameOf<T>) => boolean, expected: string, what = `such ${show(type)} frame`, ms = WAIT_MS): Promise<FrameOf<T>> {
    const find = () => this.all(type).find(matches);
    if (!(await this.waitFor(() => find() !== undefined, ms))) {
      throw new CheckFailure(expected, `${this.name} received no ${what} within ${ms / 1000} s (${this.summary()})`);
    }
    return find()!;
  }

  nextMessage(expected: string): Promise<MessageFrame> {
    return this.next("message", expected);
  }
  /**
   * The next error frame. With `refusing`, the text of the message the error must answer: if
   * that message comes back as a message instead, it was accepted, and no error is coming for
   * it, so the check says so at once instead of waiting out WAIT_MS.
   */
  nextError(expected: string, refusing?: string): Promise<ErrorFrame> {
    if (refusing === undefined) return this.next("error", expected);
    return this.next("error", expected, {
      seen: () => this.all("message").some((frame) => frame.message === refusing),
      got: `${show(refusing)} came back to ${this.name} as a message: it was accepted, not refused`,
    });
  }

  /**
   * Fails if another frame of `type` arrives within `ms`. `since`: how many had arrived before
   * the action that must not cause one (by default, as many as now).
   */
  async expectNoMore(type: ServerFrame["type"], expected: string, ms = 300, since = this.all(type).length) {
    const arrived = await this.waitFor(() => this.all(type).length > since, ms);
    if (arrived) throw new CheckFailure(expected, `${this.name} received ${show(this.all(type).at(-1))}`);
  }

  /**
   * Closes (with `code`, or with no code) and resolves with the close frame the server sent back,
   * if any within CLOSE_WAIT_MS.
   */
  async close(code?: number, reason?: string): Promise<CloseEvent | undefined> {
    if (code === undefined) this.socket.close();
    else this.socket.close(code, reason);
    await this.waitFor(() => this.closeEvent !== undefined, CLOSE_WAIT_MS);
    return this.closeEvent;
  }

  /** Waits until no frame has arrived for `ms` (at most the usual wait): what the server had to say has come. */
  async quiet(ms = 200) {
    const deadline = performance.now() + WAIT_MS;
    for (;;) {
      const count = this.frames.length;
      const more = await this.waitFor(() => this.frames.length > count, ms);
      if (!more || performance.now() > deadline) return;
    }
  }

  /** Waits for the server to close the socket; resolves with the close event, or undefined after `ms`. */
  async closed(ms = WAIT_MS): Promise<CloseEvent | undefined> {
    await this.waitFor(() => this.closeEvent !== undefined, ms);
    return this.closeEvent;
  }

  /** Waits for a frame that is exactly `text` (not JSON), such as "pong". */
  async nextText(text: string, expected: string) {
    const found = () => this.frames.some((frame) => frame.type === "unreadable" && frame.raw === text);
    if (!(await this.waitFor(found))) {
      throw new CheckFailure(expected, `${this.name} received no ${show(text)} within ${WAIT_MS / 1000} s (${this.summary()})`);
    }
  }

  /**
   * Waits until this client's view of who is online is `names` (sorted) with that count, as the
   * page would build it from users and presence frames.
   */
  async expectPresence(names: string[], expected: string) {
    const matches = () => show(this.presenceNow()) === show({ count: names.length, names });
    if (await this.waitFor(matches)) return;
    const frames = this.frames.filter((frame) => ["users", "presence"].includes(frame.type));
    const got = frames.length === 0
      ? `${this.name} received no users or presence frame within ${WAIT_MS / 1000} s (${this.summary()})`
      : `${this.name} received ${frames.slice(-4).map(show).join(", ")}: so ${show(this.presenceNow())}${this.meanwhile()}`;
    throw new CheckFailure(expected, got);
  }

  /** The presence view as plain data: the count the server said, the names sorted. */
  presenceNow() {
    return this.presence && { count: this.presence.count, names: [...this.presence.names].sort() };
  }

  private applyPresence(frame: ServerFrame | Unreadable) {
    if (frame.type === "users") this.presence = { count: frame.count, names: new Set(frame.names) };
    if (frame.type !== "presence") return;
    // A presence frame before any users frame still shows, so a failure can say what came.
    this.presence ??= { count: 0, names: new Set() };
    for (const name of frame.joined ?? []) this.presence.names.add(name);
    for (const name of frame.left ?? []) this.presence.names.delete(name);
    this.presence.count = frame.count;
  }

  /** Whether the socket is still open (the server did not close it). */
  get isOpen(): boolean {
    return this.closeEvent === undefined && this.socket.readyState === WebSocket.OPEN;
  }

  /** What has arrived so far, and what the room's code threw, for failure messages. */
  summary(): string {
    if (this.frames.length === 0) return `nothing has arrived on this socket${this.meanwhile()}`;
    const last = this.frames.slice(-3).map(show).join(", ");
    return `${this.frames.length} frame(s) so far, the last: ${last}${this.meanwhile()}`;
  }

  private meanwhile(): string {
    // A socket the server closed gets nothing more: say so, or the failure reads like a slow server.
    const closed = this.closeEvent ? `; then the socket closed with code ${this.closeEvent.code}${this.closeEvent.reason ? ` (${show(this.closeEvent.reason)})` : ""}` : "";
    const thrown = this.thrown();
    return closed + (thrown.length > 0 ? `; meanwhile the room's code threw: ${thrown.at(-1)}` : "");
  }

  private waitFor(condition: () => boolean, ms = WAIT_MS): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    // One timer for the whole wait, not one per frame: a client in a busy room receives hundreds,
    // and every timer the runtime sets costs the test plugin a stack trace.
    return new Promise((resolve) => {
      const done = (met: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(met);
      };
      const check = () => {
        if (condition()) done(true);
      };
      // A stalled event loop (a busy laptop) runs an overdue timer before the frames already
      // received: give those one more turn before saying that nothing came.
      const timer = setTimeout(() => setTimeout(() => done(condition()), 0), ms);
      this.waiters.add(check);
    });
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
