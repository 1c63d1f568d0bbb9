// New rooms: people each open their own new room, a few at a time, as a workshop does at the
// start. Each join creates a room object; from stage 08 each new room also calls the lobby
// (after the join: it must not make the join slower). Times each join until the history frame
// (until the socket is open before stage 03), and at 08 how long until the directory lists them.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { percentile } from "../load/analyse.ts";
import { round } from "./fanout.ts";

export type RoomsPoint = {
  rooms: number;
  atOnce: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** From the last join to GET /api/rooms listing them all (at most 100 are listed); null before stage 08. */
  listedMs: number | null;
};

const LISTED = 100;

/** `rooms` joins, `atOnce` at a time, each into a room of its own that stays open until all are timed. */
export async function measureNewRooms(origin: string, rooms: number, atOnce: number, { history, directory }: { history: boolean; directory: boolean }): Promise<RoomsPoint> {
  const run = Math.random().toString(36).slice(2, 8);
  const sockets: WebSocket[] = [];
  const durations: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < rooms) {
      const room = `new-${run}-${next++}`;
      const started = performance.now();
      const socket = new WebSocket(`${origin.replace("http", "ws")}/ws?room=${room}&name=joiner`);
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`joining ${room}: nothing within 30 s`)), 30_000);
        const done = () => (clearTimeout(timer), resolve());
        if (history) {
          socket.addEventListener("message", (event) => {
            if (JSON.parse(String(event.data)).type === "history") done();
          });
        } else socket.addEventListener("open", done, { once: true });
        socket.addEventListener("error", () => reject(new Error(`joining ${room}: the socket failed`)), { once: true });
      });
      durations.push(performance.now() - started);
    }
  };
  try {
    await Promise.all(Array.from({ length: atOnce }, worker));
    const joined = performance.now();
    let listedMs: number | null = null;
    if (directory) {
      const wanted = Math.min(rooms, LISTED);
      while (performance.now() - joined < 30_000) {
        const { rooms: listed } = (await (await fetch(`${origin}/api/rooms`)).json()) as { rooms: { name: string }[] };
        if (listed.filter(({ name }) => name.startsWith(`new-${run}-`)).length >= wanted) {
          listedMs = round(performance.now() - joined);
          break;
        }
        await sleep(20);
      }
      if (listedMs === null) throw new Error("the directory did not list the new rooms within 30 s");
    }
    durations.sort((a, b) => a - b);
    return { rooms, atOnce, p50Ms: round(percentile(durations, 0.5)), p99Ms: round(percentile(durations, 0.99)), maxMs: round(durations.at(-1) ?? 0), listedMs };
  } finally {
    for (const socket of sockets) socket.close();
  }
}
