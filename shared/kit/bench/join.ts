// Join: how long a newcomer waits, from opening the socket to the history frame (stage 03 on:
// one frame holding the newest 100 messages), in rooms holding 10 to 100,000 messages. Big
// rooms are seeded straight into the Durable Object's SQLite file while the server is stopped
// (node:sqlite), because 100,000 messages through a rate-limited socket would take more than
// a day; the object then starts from that file exactly as it would after any restart.
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { DatabaseSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
import { percentile } from "../load/analyse.ts";
import { round } from "./fanout.ts";

export type JoinPoint = {
  stored: number;
  /** The first join, which also starts the object (its constructor, opening its database). */
  coldMs: number;
  warmP50Ms: number;
  warmMaxMs: number;
  /** Of the later joins, the median time until the socket was open (the 101), before any history. */
  openP50Ms: number;
  /** The most messages any join received in its history frame (the protocol allows 100). */
  historyMessages: number;
};

const HISTORY = 100;
const QUIET_MS = 300;

/** Every Durable Object's database under the state folder (miniflare keeps one file per object in v3/do/). */
export function databases(stateDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".sqlite") && entry.name !== "metadata.sqlite" && basename(dirname(dirname(path))) === "do") {
        found.push(path);
      }
    }
  };
  walk(stateDir);
  return found;
}

/** Opens a socket to `room` once, so its object creates its table; returns the new database file. */
export async function createRoom(origin: string, stateDir: string, room: string): Promise<string> {
  const before = new Set(databases(stateDir));
  const socket = new WebSocket(`${origin.replace("http", "ws")}/ws?room=${room}&name=seeder`);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", () => reject(new Error(`could not open room ${room}`)), { once: true });
  });
  socket.close();
  for (let i = 0; i < 100; i++) {
    const created = databases(stateDir).filter((path) => !before.has(path));
    if (created.length === 1) return created[0];
    await sleep(50);
  }
  throw new Error(`no database file appeared under ${stateDir} for room ${room}`);
}

/** Writes `count` messages into a room's database, in one statement (the server must be stopped). */
export function seed(file: string, count: number) {
  const db = new DatabaseSync(file);
  try {
    const columns = db.prepare("SELECT name FROM pragma_table_info('messages')").all().map((row) => row.name);
    const numbers = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})`;
    if (columns.includes("timestamp")) {
      db.exec(`${numbers} INSERT INTO messages (name, message, timestamp) SELECT 'seed', 'message ' || i, 1700000000000 + i FROM n`);
    } else {
      db.exec(`${numbers} INSERT INTO messages (name, message) SELECT 'seed', 'message ' || i FROM n`);
    }
  } finally {
    db.close();
  }
}

/**
 * Joins `room` `times` times in a row and times each join: until the history frame, or (stages
 * before 03, `history` false) until the socket is open.
 */
export async function measureJoins(origin: string, room: string, stored: number, times: number, history = true): Promise<JoinPoint> {
  const durations: number[] = [];
  const opens: number[] = [];
  let historyMessages = 0;
  for (let i = 0; i < times; i++) {
    const { ms, openMs, messages } = await joinOnce(origin, room, history ? Math.min(stored, HISTORY) : undefined);
    durations.push(ms);
    if (i > 0) opens.push(openMs);
    historyMessages = Math.max(historyMessages, messages);
  }
  const warm = durations.slice(1).sort((a, b) => a - b);
  return {
    stored,
    coldMs: round(durations[0]),
    warmP50Ms: round(percentile(warm, 0.5)),
    warmMaxMs: round(warm.at(-1) ?? 0),
    openP50Ms: round(percentile(opens.sort((a, b) => a - b), 0.5)),
    historyMessages,
  };
}

/**
 * Time from `new WebSocket` to the history frame, which must hold `expected` messages (no
 * history frame expected: to the open socket); then counts the history messages that follow.
 */
async function joinOnce(origin: string, room: string, expected: number | undefined): Promise<{ ms: number; openMs: number; messages: number }> {
  const started = performance.now();
  let opened = started;
  let historyAt: number | undefined;
  let messages = 0;
  const socket = new WebSocket(`${origin.replace("http", "ws")}/ws?room=${room}&name=joiner`);
  socket.addEventListener("open", () => (opened = performance.now()));
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(String(event.data));
    if (frame.type !== "history") return;
    historyAt ??= performance.now();
    // Summed over every history frame, so a second one (against the protocol) shows as more than 100.
    messages += frame.messages.length;
  });
  const waiting = () => opened === started || (expected !== undefined && historyAt === undefined);
  const deadline = started + 30_000;
  while (waiting() && performance.now() < deadline) await sleep(1);
  // Anything past the one history frame would break the protocol: give it a moment to show up.
  await sleep(QUIET_MS);
  socket.close();
  if (opened === started) throw new Error(`joining ${room}: the socket did not open within 30 s`);
  if (expected === undefined) return { ms: opened - started, openMs: opened - started, messages };
  if (historyAt === undefined || messages < expected) {
    throw new Error(`joining ${room} brought ${historyAt === undefined ? "no history frame" : `${messages} of ${expected} history messages`} within 30 s`);
  }
  return { ms: historyAt - started, openMs: opened - started, messages };
}
