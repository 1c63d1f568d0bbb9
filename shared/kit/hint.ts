// `npm run hint -- <N> [--all]`: one more hint for a stage each time it is asked. How many an
// attendee has seen is kept in .state/hints.json (not in git, not in their folder).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { oneStage, parseOptions, run } from "./cli.ts";
import { readHints, type Hint } from "./hints.ts";
import { REPO_ROOT } from "./paths.ts";
import { paint, stageLabel } from "./report.ts";
import type { Stage } from "./stages.ts";

const USAGE = `Usage: npm run hint -- <N> [--all]

  npm run hint -- 3          the next hint for stage 3 (each time one more, up to the last)
  npm run hint -- 3 --all    every hint for stage 3

Hints go from where to look to nearly the answer. N may be written 3, 03 or 03-persistence.`;

const STATE = join(REPO_ROOT, ".state/hints.json");

function readSeen(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(STATE, "utf8"));
  } catch {
    // No hint asked for yet, or a damaged file: start counting again.
    return {};
  }
}

function saveSeen(stage: Stage, count: number): void {
  const seen = { ...readSeen(), [stage.slug]: count };
  mkdirSync(dirname(STATE), { recursive: true });
  writeFileSync(STATE, `${JSON.stringify(seen, null, 2)}\n`);
}

function main(args: string[]): number {
  const { values, positionals } = parseOptions(args, { all: { type: "boolean" } }, USAGE);
  const stage = oneStage(positionals, USAGE);
  const hints = readHints(stage);
  const command = (extra = "") => paint("cyan", `npm run hint -- ${stage.number}${extra}`);

  if (values.all) {
    console.log(hints.map((_, index) => render(stage, hints, index)).join("\n\n"));
    saveSeen(stage, hints.length);
    return 0;
  }

  const seen = Math.min(readSeen()[stage.slug] ?? 0, hints.length);
  const index = Math.min(seen, hints.length - 1);
  console.log(`${render(stage, hints, index)}\n`);
  if (seen >= hints.length) {
    console.log(`You have seen all ${hints.length} hints for this stage; that was the last one again. ${command(" --all")} shows them all.`);
  } else if (index + 1 < hints.length) {
    console.log(`Still stuck? Run ${command()} again for hint ${index + 2} of ${hints.length}.`);
  } else {
    console.log(
      `That was the last hint. To compare your code with the finished stage: ${paint("cyan", `npm run diff -- ${stage.number} --solution`)}`,
    );
  }
  saveSeen(stage, Math.max(seen, index + 1));
  return 0;
}

/** A hint as terminal text: fences dropped and code indented, `code` and **bold** styled. */
function render(stage: Stage, hints: Hint[], index: number): string {
  const { title, body } = hints[index];
  const lines = [paint("bold", `${stageLabel(stage)} · hint ${index + 1} of ${hints.length}: ${title}`), ""];
  let inCode = false;
  for (const line of body.split("\n")) {
    if (/^\s*```/.test(line)) {
      inCode = !inCode;
      continue;
    }
    lines.push(inCode ? `    ${paint("cyan", line)}` : `  ${inline(line)}`);
  }
  return lines.join("\n").replace(/[ \t]+$/gm, "");
}

function inline(text: string): string {
  return text
    .replace(/\*\*(.+?)\*\*/g, (_, words: string) => paint("bold", words))
    .replace(/`([^`]+)`/g, (code: string, inner: string) => {
      const styled = paint("cyan", inner);
      // Without colors the backticks are what marks the code.
      return styled === inner ? code : styled;
    });
}

await run(main);
