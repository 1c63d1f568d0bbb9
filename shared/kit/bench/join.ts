// Join: how long a newcomer waits, from opening the socket to the last history frame, in
// rooms holding 10 to 100,000 messages. Big rooms are seeded straight into the Durable
// Object's SQLite file while the server is stopped (node:sqlite), because 100,000 messages
// through a rate-limited socket would take more than a day; the object then starts from
// that file exactly as it would after any restart.
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
  /** The most message frames any join received as history (the protocol allows 100). */
  historyFrames: number;
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

/** Joins `room` `times` times in a row and times each join. */
export async function measureJoins(origin: string, room: string, stored: number, times: number): Promise<JoinPoint> {
  const durations: number[] = [];
  const opens: number[] = [];
  let historyFrames = 0;
  for (let i = 0; i < times; i++) {
    const { ms, openMs, frames } = await joinOnce(origin, room, Math.min(stored, HISTORY));
    durations.push(ms);
    if (i > 0) opens.push(openMs);
    historyFrames = Math.max(historyFrames, frames);
  }
  const warm = durations.slice(1).sort((a, b) => a - b);
  return {
    stored,
    coldMs: round(durations[0]),
    warmP50Ms: round(percentile(warm, 0.5)),
    warmMaxMs: round(warm.at(-1) ?? 0),
    openP50Ms: round(percentile(opens.sort((a, b) => a - b), 0.5)),
    historyFrames,
  };
}

/** Time from `new WebSocket` to the `expected`-th message frame; then counts any that follow. */
async function joinOnce(origin: string, room: string, expected: number): Promise<{ ms: number; openMs: number; frames: number }> {
  const started = performance.now();
  let lastFrameAt = started;
  let frames = 0;
  let opened = started;
  const socket = new WebSocket(`${origin.replace("http", "ws")}/ws?room=${room}&name=joiner`);
  socket.addEventListener("open", () => (opened = performance.now()));
  socket.addEventListener("message", (event) => {
    if (JSON.parse(String(event.data)).type !== "message") return;
    frames++;
    lastFrameAt = performance.now();
  });
  const deadline = started + 30_000;
  while ((frames < expected || opened === started) && performance.now() < deadline) await sleep(1);
  const done = expected === 0 ? opened : lastFrameAt;
  // Frames past the 100th would break the protocol: give them a moment to show up.
  await sleep(QUIET_MS);
  socket.close();
  if (frames < expected) throw new Error(`joining ${room} brought ${frames} of ${expected} history frames within 30 s`);
  return { ms: done - started, openMs: opened - started, frames };
}
