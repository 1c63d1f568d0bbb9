// `npm run deploy -- <N> [--solution] [wrangler deploy flags]`: deploys one stage to Cloudflare
// with `wrangler deploy`, as its own Worker (hello-chat-03, …), so deploying stage 4 never
// replaces stage 3, and rooms saved by one stage's code are never read by another's.
import { configFile } from "./worker-settings.ts";
import { parseStage, stageDir, stageEntry, UsageError, type Kind, type Stage } from "./stages.ts";
import { run } from "./cli.ts";
import { exitOf, spawnWrangler } from "./wrangler.ts";

const USAGE = `Usage: npm run deploy -- <N> [--solution] [wrangler deploy flags]

  npm run deploy -- 3              deploy steps/03-persistence as the Worker hello-chat-03
  npm run deploy -- 3 --solution   deploy solutions/03-persistence as hello-chat-03-solution
  npm run deploy -- 3 --dry-run    bundle it without uploading (works offline, no account)
  npm run deploy -- 3 --name chat  any other flag goes to wrangler deploy as it is

The stage comes first; N may be written 3, 03 or 03-persistence. The first real deploy asks
you to log in to Cloudflare (npm exec -- wrangler login). See docs/deploy.md.`;

export type DeployPlan = { kind: Kind; stage: Stage; workerName: string; wranglerArgs: string[] };

/** What `npm run deploy -- …args` runs, or undefined for --help. Throws UsageError for a bad call. */
export function planDeploy(args: string[]): DeployPlan | undefined {
  if (args.some((arg) => arg === "--help" || arg === "-h")) return undefined;
  const kind: Kind = args.includes("--solution") ? "solutions" : "steps";
  const rest = args.filter((arg) => arg !== "--solution");
  const [first, ...flags] = rest;
  if (first === undefined || first.startsWith("-")) {
    throw new UsageError(`Say which stage to deploy, first: npm run deploy -- 3 ${rest.join(" ")}`.trim() + `\n\n${USAGE}`);
  }
  const stage = parseStage(first);
  // The name the attendee chose wins; without one, each stage gets its own Worker.
  const named = flags.some((flag) => flag === "--name" || flag.startsWith("--name="));
  const workerName = `hello-chat-${String(stage.number).padStart(2, "0")}${kind === "solutions" ? "-solution" : ""}`;
  const wranglerArgs = [
    "deploy", stageEntry(kind, stage),
    "--config", configFile(stageDir(kind, stage)),
    ...(named ? [] : ["--name", workerName]),
    ...flags,
  ];
  return { kind, stage, workerName, wranglerArgs };
}

async function main(args: string[]): Promise<number> {
  const plan = planDeploy(args);
  if (!plan) {
    console.log(USAGE);
    return 0;
  }
  const dryRun = plan.wranglerArgs.includes("--dry-run");
  console.log(
    `${dryRun ? "Bundling" : "Deploying"} ${stageDir(plan.kind, plan.stage)} (stage ${plan.stage.number}: ` +
      `${plan.stage.title}) with wrangler deploy${dryRun ? " --dry-run: nothing is uploaded" : ""}.\n`,
  );
  return exitOf(spawnWrangler(plan.wranglerArgs));
}

// Only as a command: the tests import planDeploy.
if (import.meta.main) await run(main);
