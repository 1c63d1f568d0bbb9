// Verdicts on a load run: was every accepted message delivered to every client exactly once,
// in one order shared by all, and how long did delivery take.
import type { LoadRecord } from "./run-load.ts";

export type Latency = { p50: number; p95: number; p99: number; max: number };

export type LoadSummary = {
  clients: number;
  sent: number;
  /** Messages the server took: received by at least one client. */
  accepted: number;
  rateLimited: number;
  /** Sent, neither delivered to anyone nor answered with rate_limited. */
  unanswered: number;
  /** Deliveries expected: accepted × clients. */
  expected: number;
  delivered: number;
  /** Accepted messages missing at a client, summed over clients. */
  lost: number;
  duplicated: number;
  /** Deliveries that arrived after one the shared order puts later (including a sender's own order). */
  outOfOrder: number;
  errors: string[];
  /** Sockets that closed during the run, and how. */
  disconnected: string[];
  latencyMs: Latency;
  /** Deliveries per second over the time from the first send to the last delivery. */
  deliveredPerSecond: number;
};

export function analyse(record: LoadRecord): LoadSummary {
  const accepted = new Set(record.received.flatMap((deliveries) => deliveries.map((d) => d.id)));
  const rateLimited = record.rateLimited.reduce((a, b) => a + b, 0);

  // The shared order: that of the client that received the most (in a clean run, everyone's).
  const reference = record.received.reduce((a, b) => (uniqueCount(b) > uniqueCount(a) ? b : a), []);
  const position = new Map<string, number>();
  for (const { id } of reference) if (!position.has(id)) position.set(id, position.size);

  let lost = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  let delivered = 0;
  let lastAt = record.sendWindow.start;
  const latencies: number[] = [];
  for (const deliveries of record.received) {
    const seen = new Set<string>();
    let highest = -1;
    for (const { id, at } of deliveries) {
      if (seen.has(id)) {
        duplicated++;
        continue;
      }
      seen.add(id);
      delivered++;
      lastAt = Math.max(lastAt, at);
      const sentAt = record.sent.get(id);
      if (sentAt !== undefined) latencies.push(at - sentAt);
      const here = position.get(id) ?? -1;
      if (here < highest) outOfOrder++;
      else highest = here;
    }
    lost += accepted.size - seen.size;
  }
  outOfOrder += senderOrderBreaks(reference.map((d) => d.id));

  latencies.sort((a, b) => a - b);
  const seconds = Math.max(lastAt - record.sendWindow.start, 1) / 1000;
  return {
    clients: record.received.length,
    sent: record.sent.size,
    accepted: accepted.size,
    rateLimited,
    unanswered: Math.max(0, record.sent.size - accepted.size - rateLimited),
    expected: accepted.size * record.received.length,
    delivered,
    lost,
    duplicated,
    outOfOrder,
    errors: record.errors,
    disconnected: record.disconnected,
    latencyMs: {
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1) ?? 0,
    },
    deliveredPerSecond: delivered / seconds,
  };
}

/** Whether the run proved what `npm run load` promises. */
export function isClean(summary: LoadSummary): boolean {
  return (
    summary.lost === 0 &&
    summary.duplicated === 0 &&
    summary.outOfOrder === 0 &&
    summary.unanswered === 0 &&
    summary.errors.length === 0 &&
    summary.disconnected.length === 0 &&
    summary.accepted > 0
  );
}

/** The value at quantile `q` of ascending `values` (nearest rank), 0 when there are none. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  return values[Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1))];
}

function uniqueCount(deliveries: { id: string }[]): number {
  return new Set(deliveries.map((d) => d.id)).size;
}

/** Messages of one sender that the shared order puts after a later one of the same sender. */
function senderOrderBreaks(ids: string[]): number {
  const lastSeq = new Map<string, number>();
  let breaks = 0;
  for (const id of new Set(ids)) {
    const [sender, seq] = id.split(":");
    if (Number(seq) < (lastSeq.get(sender) ?? 0)) breaks++;
    else lastSeq.set(sender, Number(seq));
  }
  return breaks;
}
