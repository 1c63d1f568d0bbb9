// `npm run check -- [N] [--solution] [--json] [--watch [--poll]]`: runs the checks and says where you stand.
import { parseOptions, run } from "./cli.ts";
import { formatProgress, formatTarget, paint, progressOf, type Progress } from "./report.ts";
import { checkWithCache } from "./check-cache.ts";
import { allPassed, type Target } from "./run-checks.ts";
import { isUntouched } from "./starters.ts";
import { parseStage, STAGES, stageDir, UsageError, type Kind } from "./stages.ts";
import { watchStage } from "./watch.ts";
import { sendReport } from "./classroom/membership.ts";

const USAGE = `Usage: npm run check -- [N] [--solution] [--json] [--watch [--poll]]

  npm run check -- 3             check steps/03-* against the checks of stages 1 to 3
  npm run check                  show your progress through every stage
  npm run check -- 3 --watch     check again each time you save a file in steps/03-*
  --poll                         with --watch: look for changes every second, where
                                 saving is not noticed (WSL, network drives)
  npm run check -- 3 --solution  check solutions/03-* instead
  --json                         print the results as JSON (for instructors' tools)

N may be written 3, 03 or 03-persistence.`;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    { solution: { type: "boolean" }, json: { type: "boolean" }, watch: { type: "boolean", short: "w" }, poll: { type: "boolean" } },
    USAGE,
  );
  if (positionals.length > 1) throw new UsageError(`Give at most one stage (got ${positionals.join(" ")}).`);
  const kind: Kind = values.solution ? "solutions" : "steps";
  if (values.poll && !values.watch) throw new UsageError("--poll goes with --watch: npm run check -- 3 --watch --poll");
  if (values.watch) {
    if (positionals.length === 0) throw new UsageError("--watch needs a stage to watch: npm run check -- 3 --watch");
    if (values.json) throw new UsageError("--watch and --json do not go together: --json is for one run.");
    watchStage(kind, parseStage(positionals[0]), { poll: values.poll });
    return 0;
  }

  if (positionals.length === 1) {
    const stage = parseStage(positionals[0]);
    const { results: [result] } = await checkWithCache([{ kind, stage }], false);
    // Only the attendee's own work is reported: a check of the kit's solution would be a pass they did not earn.
    const reported = kind === "steps" ? sendReport([result]) : undefined;
    console.log(values.json ? JSON.stringify(result, null, 2) : formatTarget(result));
    await sayReported(reported, values.json);
    return allPassed(result) ? 0 : 1;
  }

  // No stage: every stage's folder, skipping starters nobody has touched yet.
  const started = STAGES.filter((stage) => kind === "solutions" || !isUntouched(stage));
  const { results, reused } = await checkWithCache(started.map((stage): Target => ({ kind, stage })));
  const reported = kind === "steps" ? sendReport(results) : undefined;
  const rows = STAGES.map((stage): Progress => {
    const result = results.find((r) => r.stage.number === stage.number);
    return result
      ? progressOf(result)
      : { stage, folder: stageDir(kind, stage), status: "not started", passed: 0, total: 0 };
  });
  console.log(values.json ? JSON.stringify(rows, null, 2) : formatProgress(kind, rows));
  if (!values.json && reused.length > 0) {
    console.log(paint("dim", `(${reused.map((r) => r.folder).join(", ")}: unchanged since they passed, not checked again)`));
  }
  await sayReported(reported, values.json);
  return rows.some((row) => row.status === "failing") ? 1 : 0;
}

/** One line about the classroom, if this checkout joined one; on stderr with --json, which must stay JSON. */
async function sayReported(reported: Promise<string | undefined> | undefined, json = false): Promise<void> {
  const line = await reported;
  if (line) (json ? console.error : console.log)(paint("dim", line));
}

await run(main);
