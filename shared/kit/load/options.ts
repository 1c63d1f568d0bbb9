// The options of `npm run load`; bad values are UsageErrors.
import { parseOptions } from "../cli.ts";
import { parseStage, UsageError, type Stage } from "../stages.ts";
import type { LoadPlan } from "./run-load.ts";

export const USAGE = `Usage: npm run load -- [--clients C] [--senders S] [--rate R] [--seconds T] [--solution N]

Starts solutions/<N> with wrangler dev on a free port (its state in a temporary folder),
opens C WebSocket clients in one room, has S of them send R messages a second each for
T seconds, then checks that every client received every accepted message exactly once,
in the same order as every other client. Exit code 1 if any was lost, duplicated or
out of order.

  --clients C    clients in the room (default 150)
  --senders S    how many of them send (default 75, at most C)
  --rate R       messages per second per sender (default 1; stage 06 allows 1 a second
                 after a burst of 5, so more is rate-limited there)
  --seconds T    how long they send (default 10)
  --solution N   the stage to load, from 2 (default 6); N may be 3, 03 or 03-persistence

Example: npm run load -- --clients 20 --senders 10 --seconds 3 --solution 3`;

export type LoadCommand = { plan: LoadPlan; stage: Stage };

export function parseLoadArgs(args: string[]): LoadCommand {
  const { values } = parseOptions(
    args,
    {
      clients: { type: "string" },
      senders: { type: "string" },
      rate: { type: "string" },
      seconds: { type: "string" },
      solution: { type: "string" },
    },
    USAGE,
    { noArguments: true },
  );
  const clients = wholeNumber("--clients", values.clients, 150, 1, 5000);
  const senders = wholeNumber("--senders", values.senders, Math.min(75, clients), 1, clients);
  const rate = positiveNumber("--rate", values.rate, 1, 100);
  const seconds = positiveNumber("--seconds", values.seconds, 10, 3600);
  const stage = parseStage(values.solution ?? "6");
  if (stage.number < 2) {
    throw new UsageError(`Stage ${stage.slug} only echoes to the sender: there is no fan-out to load. Use --solution 2 or later.`);
  }
  return { plan: { clients, senders, rate, seconds }, stage };
}

function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got "${text}").`);
  }
  return value;
}

function positiveNumber(flag: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(value > 0 && value <= max)) throw new UsageError(`${flag} must be a number above 0 and at most ${max} (got "${text}").`);
  return value;
}
