// `npm run load -- [--clients C] [--senders S] [--rate R] [--seconds T] [--solution N]`:
// puts one room of a solution under load and proves nothing was lost, doubled or reordered.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevServer } from "../dev-server.ts";
import { stageDir } from "../stages.ts";
import { analyse, isClean } from "./analyse.ts";
import { formatSummary } from "./format.ts";
import { parseLoadArgs } from "./options.ts";
import { runLoad } from "./run-load.ts";
import { run } from "../cli.ts";

async function main(args: string[]): Promise<number> {
  const { plan, stage } = parseLoadArgs(args);
  const stateDir = mkdtempSync(join(tmpdir(), "hello-chat-load-"));
  console.log(`Starting ${stageDir("solutions", stage)} with wrangler dev…`);
  const server = await startDevServer({ kind: "solutions", stage: stage.number, stateDir });
  try {
    console.log(
      `Load: ${plan.clients} clients in one room, ${plan.senders} sending ${plan.rate} message(s) a second for ${plan.seconds} s`,
    );
    const record = await runLoad(plan, { origin: server.origin, room: `load-${Date.now()}` });
    const summary = analyse(record);
    console.log(formatSummary(summary));
    return isClean(summary) ? 0 : 1;
  } finally {
    await server.stop().catch(() => server.kill());
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await run(main);
