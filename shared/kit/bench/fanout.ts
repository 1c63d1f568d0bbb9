// Fan-out: one room, a fixed number of clients, more and more senders (1 message a second
// each, within stage 06's limit), and what each offered load costs in throughput and latency.
import { analyse, isClean } from "../load/analyse.ts";
import { runLoad } from "../load/run-load.ts";

export type FanoutPoint = {
  /** Messages per second offered to the room: one per sender. */
  offered: number;
  clients: number;
  deliveredPerSecond: number;
  p50: number;
  p99: number;
  clean: boolean;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** Sockets closed during the run (a client that drops misses what follows: counted in lost). */
  disconnected: string[];
};

export async function measureFanout(origin: string, clients: number, loads: number[], seconds: number): Promise<FanoutPoint[]> {
  // A discarded first run: the first solution measured would otherwise also pay for warming up
  // the load generator's JIT and the Worker's isolate, and look slower than the ones after it.
  await runLoad({ clients, senders: loads[0], rate: 1, seconds: 2 }, { origin, room: `bench-warm-up-${Date.now()}` });
  const points: FanoutPoint[] = [];
  for (const offered of loads) {
    const record = await runLoad(
      { clients, senders: offered, rate: 1, seconds },
      { origin, room: `bench-fanout-${offered}-${Date.now()}` },
    );
    const s = analyse(record);
    points.push({
      offered,
      clients,
      deliveredPerSecond: Math.round(s.deliveredPerSecond),
      p50: round(s.latencyMs.p50),
      p99: round(s.latencyMs.p99),
      clean: isClean(s),
      lost: s.lost,
      duplicated: s.duplicated,
      outOfOrder: s.outOfOrder,
      disconnected: s.disconnected,
    });
  }
  return points;
}

/** The highest offered load whose p99 latency stayed under `p99Ms`, and delivered cleanly. */
export function sustainable(points: FanoutPoint[], p99Ms: number): FanoutPoint | undefined {
  return points.filter((p) => p.p99 < p99Ms && p.clean).at(-1);
}

export function round(value: number): number {
  return Math.round(value * 10) / 10;
}
