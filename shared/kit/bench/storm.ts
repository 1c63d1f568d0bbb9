// Presence storm: many clients open sockets into one fresh room at once (stage 05 on), and
// each keeps its view of who is online exactly as the chat page does: a users frame replaces
// it, a presence frame adds its joined names, deletes its left ones and brings the count.
// Measures how long until every view is right, and how many bytes of presence frames that
// took; then half of them leave at once, and the same for the rest. Works with the first
// protocol too (e67d2cd), whose server sent the whole users list to everyone on every change.
// On a stage without presence (04), only the opening is measured: the floor under any storm.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { ServerFrame } from "../../protocol.ts";
import { round } from "./fanout.ts";

export type StormPoint = {
  clients: number;
  /** False on a stage without presence: only the opening was measured. */
  presence: boolean;
  /** Until every socket was open (null: not all within the cap). */
  openAllMs: number | null;
  /** From the first `new WebSocket` until every client was open with the whole room in its view (null: not within the cap). */
  settleMs: number | null;
  /** Presence frames (users and presence) received by all clients together, until the room went quiet. */
  presenceMB: number;
  presenceFrames: number;
  /** The users frames among them: one per newcomer. */
  usersFrames: number;
  /**
   * The presence frames the server sent out: the most any one client received (each reaches
   * every client open when it goes, so the first client in hears them all).
   */
  presenceSends: number;
  /** The largest users frame any client received. */
  maxUsersFrameBytes: number;
  /** After half the clients closed at once: until every other client's view was the remaining half (null: not within the cap, or not measured). */
  leaveSettleMs: number | null;
  leaveMB: number;
  leaveFrames: number;
  /** The presence frames the server sent out for the leave storm, as presenceSends. */
  leaveSends: number;
  /** Sockets that closed or failed before the storm's end, with their code (they can never settle). */
  disconnected: string[];
  /** Sockets the client closed whose close the server had not answered 30 s after the end. */
  unclosed: number;
};

/** How long a storm may take to settle, the leave storm after it, and closing the rest at the end. */
const CAP_MS = 30_000;
/** After settling, frames still arriving are counted until none has come for this long. */
const QUIET_MS = 500;

type Client = {
  name: string;
  socket: WebSocket;
  open: boolean;
  /** Closed by this client on purpose, or by the server: its frames no longer count. */
  closed: boolean;
  /** Its close event has fired (readyState cannot tell: undici can show CLOSING again after CLOSED, nodejs/undici#4742). */
  ended: boolean;
  /** Who is online as this client sees it, as the page keeps it. */
  names: Set<string>;
  count: number;
  correct: boolean;
  /** Presence frames (not users) this client received in the current storm. */
  presenceFrames: number;
};

type Counters = { bytes: number; frames: number; usersFrames: number; maxUsersBytes: number; lastFrameAt: number };

const newCounters = (): Counters => ({ bytes: 0, frames: 0, usersFrames: 0, maxUsersBytes: 0, lastFrameAt: 0 });

/**
 * Opens `clients` sockets into one fresh room at once, and measures the join storm and a leave
 * storm of half of them. Without `presence` (a stage before 05), only until every socket is open.
 */
export async function measureStorm(origin: string, clients: number, { presence = true } = {}): Promise<StormPoint> {
  const room = `storm-${clients}-${Date.now()}`;
  let expected = new Set(Array.from({ length: clients }, (_, i) => `s${i}`));
  let counters = newCounters();
  let openCount = 0;
  let correctCount = 0;
  let settledAt: number | undefined;
  const disconnected: string[] = [];

  const isCorrect = (client: Client) =>
    !presence ||
    client.count === expected.size && client.names.size === expected.size && [...client.names].every((name) => expected.has(name));
  const recheck = (client: Client) => {
    const correct = isCorrect(client);
    if (correct !== client.correct) correctCount += correct ? 1 : -1;
    client.correct = correct;
    if (correctCount === expected.size && openCount === expected.size) settledAt ??= performance.now();
  };

  const started = performance.now();
  let openAllAt: number | undefined;
  const all: Client[] = [...expected].map((name) => {
    const socket = new WebSocket(`${origin.replace("http", "ws")}/ws?room=${room}&name=${name}`);
    const client: Client = { name, socket, open: false, closed: false, ended: false, names: new Set(), count: 0, correct: false, presenceFrames: 0 };
    socket.addEventListener("open", () => {
      client.open = true;
      if (++openCount === clients) openAllAt = performance.now();
      recheck(client);
    });
    socket.addEventListener("message", (event) => {
      // A client that has left no longer counts, even for frames that were already on their way.
      if (client.closed) return;
      const text = String(event.data);
      const frame = JSON.parse(text) as ServerFrame;
      if (frame.type !== "users" && frame.type !== "presence") return;
      const bytes = Buffer.byteLength(text);
      counters.bytes += bytes;
      counters.frames++;
      counters.lastFrameAt = performance.now();
      if (frame.type === "users") {
        counters.usersFrames++;
        counters.maxUsersBytes = Math.max(counters.maxUsersBytes, bytes);
        client.names = new Set(frame.names);
      } else {
        client.presenceFrames++;
        // A name in left may be one this client never saw (it came and went within one frame).
        for (const joined of frame.joined) client.names.add(joined);
        for (const left of frame.left) client.names.delete(left);
      }
      client.count = frame.count;
      recheck(client);
    });
    socket.addEventListener("close", (event) => {
      if (!client.closed) disconnected.push(`${name}: ${event.code}${event.reason ? ` ${event.reason}` : ""}`);
      client.closed = true;
      client.ended = true;
      if (client.open) openCount--;
      client.open = false;
    });
    return client;
  });

  let point: Omit<StormPoint, "unclosed">;
  let unclosed: number;
  try {
    // The join storm.
    while (settledAt === undefined && performance.now() - started < CAP_MS) await sleep(5);
    const settleMs = settledAt === undefined || !presence ? null : settledAt - started;
    if (settledAt !== undefined) await quiet(counters, started + CAP_MS);
    const joinCounters = counters;
    const joinSends = mostPresenceFrames(all);

    // The leave storm: the second half closes at once; the first half should see only itself.
    let leaveSettleMs: number | null = null;
    counters = newCounters();
    for (const client of all) client.presenceFrames = 0;
    if (settledAt !== undefined && presence) {
      const leaving = all.slice(Math.ceil(clients / 2));
      const staying = all.slice(0, Math.ceil(clients / 2));
      expected = new Set(staying.map((client) => client.name));
      settledAt = undefined;
      const leaveStarted = performance.now();
      for (const client of leaving) leave(client);
      openCount = staying.filter((client) => client.open).length;
      correctCount = 0;
      for (const client of staying) {
        client.correct = false;
        recheck(client);
      }
      while (settledAt === undefined && performance.now() - leaveStarted < CAP_MS) await sleep(5);
      if (settledAt !== undefined) {
        leaveSettleMs = round(settledAt - leaveStarted);
        await quiet(counters, leaveStarted + CAP_MS);
      }
    }

    point = {
      clients,
      presence,
      openAllMs: openAllAt === undefined ? null : round(openAllAt - started),
      settleMs: settleMs === null ? null : round(settleMs),
      presenceMB: megabytes(joinCounters.bytes),
      presenceFrames: joinCounters.frames,
      usersFrames: joinCounters.usersFrames,
      presenceSends: joinSends,
      maxUsersFrameBytes: joinCounters.maxUsersBytes,
      leaveSettleMs,
      leaveMB: megabytes(counters.bytes),
      leaveFrames: counters.frames,
      leaveSends: mostPresenceFrames(all.filter((client) => !client.closed)),
      disconnected,
    };
  } finally {
    unclosed = await closeAll(all);
  }
  return { ...point, unclosed };
}

/** The most presence frames one of `clients` received: how many the server sent to them all. */
function mostPresenceFrames(clients: Client[]): number {
  return Math.max(0, ...clients.map((client) => client.presenceFrames));
}

/** Closes a client's socket on purpose: from now on its frames and its close are not counted. */
function leave(client: Client) {
  if (client.closed) return;
  client.closed = true;
  client.open = false;
  client.socket.close();
}

/** Waits until no presence frame has arrived for QUIET_MS (or the deadline), so late frames are counted too. */
async function quiet(counters: Counters, deadline: number) {
  while (performance.now() - counters.lastFrameAt < QUIET_MS && performance.now() < deadline) await sleep(20);
}

/**
 * Closes every socket and waits for the server to answer each close, so the next storm starts
 * on a calm server. Returns how many it had not answered within CAP_MS.
 */
async function closeAll(all: Client[]): Promise<number> {
  for (const client of all) leave(client);
  const unanswered = () => all.filter((client) => !client.ended).length;
  const deadline = performance.now() + CAP_MS;
  while (unanswered() > 0 && performance.now() < deadline) await sleep(20);
  return unanswered();
}

function megabytes(bytes: number): number {
  return Math.round(bytes / 10_000) / 100;
}
