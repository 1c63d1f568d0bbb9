// The load generator behind `npm run load` and `npm run bench`: C WebSocket clients in one
// room of a running server, S of them sending R messages a second for T seconds, every
// frame recorded with its arrival time. analyse.ts turns the record into verdicts.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

export type LoadPlan = {
  /** WebSocket clients in the room. */
  clients: number;
  /** How many of them send. */
  senders: number;
  /** Messages per second per sender. */
  rate: number;
  /** How long the senders send. */
  seconds: number;
};

export type LoadOptions = {
  /** http://127.0.0.1:<port> of a running stage. */
  origin: string;
  /** A fresh room per run, so history from an earlier run is not mixed in. */
  room: string;
  /** Aborting stops sending and returns what has arrived so far, without waiting for the rest. */
  signal?: AbortSignal;
  /** Called once every client is connected, as the first message is about to go. */
  onSending?: () => void;
  /**
   * After the last send, how long to keep waiting while nothing arrives. A slow server is
   * waited for (its frames keep coming); a message missing after this quiet spell is lost.
   */
  quietMs?: number;
};

/** One load message as one client received it. */
export type Delivery = { id: string; at: number };

export type LoadRecord = {
  plan: LoadPlan;
  /** Every load message sent: its id (`<sender>:<seq>`) and when (performance.now()). */
  sent: Map<string, number>;
  /** Per client, the load messages it received, in arrival order. */
  received: Delivery[][];
  /** rate_limited answers per sender index. */
  rateLimited: number[];
  /** Other error frames anyone received (a load run sends only valid messages). */
  errors: string[];
  /** When the first and the last message were sent. */
  sendWindow: { start: number; end: number };
  /** Clients whose socket closed before the run ended: "c<index>: <code> <reason>", and when. */
  disconnected: string[];
  aborted: boolean;
};

type Client = { socket: WebSocket; deliveries: Delivery[]; answered: number; closed: boolean; closedBy?: string };

const OPEN_BATCH = 25;
const OPEN_TIMEOUT_MS = 15_000;

/** The text of a load message: the run, the sender and its sequence number, so each one is unique. */
export function loadText(run: string, sender: number, seq: number): string {
  return `load ${run} ${sender} ${seq}`;
}

export async function runLoad(plan: LoadPlan, { origin, room, signal, onSending, quietMs = 5_000 }: LoadOptions): Promise<LoadRecord> {
  const run = Math.random().toString(36).slice(2, 8);
  const pattern = new RegExp(`^load ${run} (\\d+) (\\d+)$`);
  const record: LoadRecord = {
    plan,
    sent: new Map(),
    received: [],
    rateLimited: Array(plan.senders).fill(0),
    errors: [],
    sendWindow: { start: 0, end: 0 },
    disconnected: [],
    aborted: false,
  };
  const wsOrigin = origin.replace(/^http/, "ws");
  let lastArrival = 0;

  const open = (index: number): Promise<Client> =>
    new Promise((resolve, reject) => {
      const url = `${wsOrigin}/ws?room=${encodeURIComponent(room)}&name=c${index}`;
      const socket = new WebSocket(url);
      const client: Client = { socket, deliveries: [], answered: 0, closed: false };
      const timer = setTimeout(() => reject(new Error(`client ${index} could not connect to ${url} within ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
      socket.addEventListener("open", () => (clearTimeout(timer), resolve(client)), { once: true });
      socket.addEventListener("error", () => (clearTimeout(timer), reject(new Error(`client ${index} could not connect to ${url}`))), { once: true });
      socket.addEventListener("close", (event) => {
        client.closed = true;
        client.closedBy = `c${index}: closed with ${event.code}${event.reason ? ` "${event.reason}"` : ""} after ${client.deliveries.length} messages`;
      });
      socket.addEventListener("message", (event) => {
        const at = performance.now();
        lastArrival = at;
        const frame = JSON.parse(String(event.data)) as { type: string; message?: string; code?: string };
        // History (stage 03 on) and users frames are not deliveries: only this run's live messages count.
        if (frame.type === "message") {
          const match = pattern.exec(frame.message ?? "");
          if (!match) return;
          client.deliveries.push({ id: `${match[1]}:${match[2]}`, at });
          if (Number(match[1]) === index) client.answered++;
        } else if (frame.type === "error") {
          client.answered++;
          if (frame.code === "rate_limited" && index < plan.senders) record.rateLimited[index]++;
          else record.errors.push(`c${index}: ${String(event.data)}`);
        }
      });
    });

  const clients: Client[] = [];
  const sentBy: number[] = Array(plan.senders).fill(0);
  try {
    for (let first = 0; first < plan.clients; first += OPEN_BATCH) {
      const batch = Array.from({ length: Math.min(OPEN_BATCH, plan.clients - first) }, (_, i) => open(first + i));
      clients.push(...(await Promise.all(batch)));
    }

    // Each sender keeps its own drift-free schedule, offset so the sends spread over the interval.
    const interval = 1000 / plan.rate;
    const perSender = Math.max(1, Math.round(plan.rate * plan.seconds));
    const start = performance.now() + 50;
    record.sendWindow.start = start;
    onSending?.();
    const senders = clients.slice(0, plan.senders).map(async (client, index) => {
      const offset = (index / plan.senders) * interval;
      for (let seq = 1; seq <= perSender && !signal?.aborted; seq++) {
        const due = start + offset + (seq - 1) * interval;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        if (signal?.aborted || client.socket.readyState !== WebSocket.OPEN) return;
        const now = performance.now();
        record.sent.set(`${index}:${seq}`, now);
        sentBy[index]++;
        record.sendWindow.end = Math.max(record.sendWindow.end, now);
        client.socket.send(JSON.stringify({ message: loadText(run, index, seq) }));
      }
    });
    await Promise.all(senders);

    // Settled: every sender has heard back about each of its messages, and every client holds as
    // many as the most complete one. After a quiet spell with neither, what is missing is lost.
    while (!signal?.aborted && performance.now() - Math.max(lastArrival, record.sendWindow.end) < quietMs) {
      const answered = clients.slice(0, plan.senders).every((c, i) => c.answered >= sentBy[i] || c.closed);
      const most = Math.max(...clients.map((c) => c.deliveries.length));
      if (answered && clients.every((c) => c.deliveries.length >= most || c.closed)) break;
      await sleep(20);
    }
  } finally {
    record.aborted = signal?.aborted ?? false;
    record.received = clients.map((c) => c.deliveries);
    record.disconnected = clients.flatMap((c) => (c.closedBy ? [c.closedBy] : []));
    await closeAll(clients);
  }
  return record;
}

async function closeAll(clients: Client[]) {
  for (const client of clients) if (client.socket.readyState === WebSocket.OPEN) client.socket.close(1000, "load run over");
  const deadline = performance.now() + 5_000;
  while (clients.some((c) => !c.closed && c.socket.readyState !== WebSocket.CLOSED) && performance.now() < deadline) await sleep(20);
}
