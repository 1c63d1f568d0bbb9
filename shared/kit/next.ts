// `npm run next`: the first stage that is not finished, how to start it, and where to read
// about it. Untouched starters count as not finished without running their checks.
import { parseOptions, run } from "./cli.ts";
import { guidePage, paint, stageLabel } from "./report.ts";
import { cachedPass, checkWithCache } from "./check-cache.ts";
import { allPassed, type TargetResult } from "./run-checks.ts";
import { isUntouched } from "./starters.ts";
import { STAGES, stageDir, type Stage } from "./stages.ts";

const USAGE = `Usage: npm run next

Finds the first stage whose steps/<N> does not pass its checks yet, and tells you how to
start it. It checks the stages you have started in order, a few seconds each, and stops at
the first that does not pass; a stage that passed and has not changed since is not checked again.`;

async function main(args: string[]): Promise<number> {
  parseOptions(args, {}, USAGE, { noArguments: true });

  // The stages before the first untouched one, in order, until one does not pass. A stage that
  // passed and has not changed since is not checked again.
  const firstUntouched = STAGES.find(isUntouched);
  const started = STAGES.filter((stage) => !firstUntouched || stage.number < firstUntouched.number);
  for (const stage of started) {
    const target = { kind: "steps" as const, stage };
    if (cachedPass(target)) continue;
    console.log(paint("dim", `Running the checks of ${stageDir("steps", stage)}…`));
    const { results: [result] } = await checkWithCache([target], false);
    if (!allPassed(result)) {
      console.log(describe(stage, result));
      return 0;
    }
  }

  if (firstUntouched?.optional) {
    const workshop = STAGES.filter((stage) => !stage.optional).length;
    console.log(`${paint(["bold", "green"], `The workshop is done: all ${workshop} of its stages pass. Well done!`)}\n`);
    console.log(describe(firstUntouched));
  } else if (firstUntouched) console.log(describe(firstUntouched));
  else {
    const last = STAGES[STAGES.length - 1];
    console.log(
      `${paint(["bold", "green"], `All ${STAGES.length} stages pass their checks. Well done!`)}\n` +
        `Going further: ideas to take the chat beyond the workshop are in ${guidePage(last)}, under "Going further".`,
    );
  }
  return 0;
}

function describe(stage: Stage, result?: TargetResult): string {
  const folder = stageDir("steps", stage);
  let status = "not started yet";
  if (result) {
    const checks = result.suites.flatMap((s) => s.checks);
    status = checks.length === 0 ? "its code does not load yet" : `${checks.filter((c) => c.passed).length} of ${checks.length} checks pass`;
  }
  const command = (text: string) => paint("cyan", text.padEnd(24));
  return [
    `${paint("bold", `Next${stage.optional ? ", optional" : ""}: ${stageLabel(stage)}`)} (${folder}: ${status})`,
    "",
    `  ${command(`npm run step -- ${stage.number}`)} serve it at http://localhost:8787/`,
    `  ${command(`npm run check -- ${stage.number}`)} what works and what is left (add --watch to re-run on save)`,
    `  ${command(`npm run hint -- ${stage.number}`)} a hint when you are stuck`,
    "",
    `Read ${folder}/README.md for the TODOs, and ${guidePage(stage)} for the ideas.`,
  ].join("\n");
}

await run(main);
