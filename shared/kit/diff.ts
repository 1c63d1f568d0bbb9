// `npm run diff -- <N> [--solution]`: what an attendee changed in steps/<N> since the starter,
// or what still separates it from the solution. Colored in a terminal, plain when piped.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { oneStage, parseOptions, run } from "./cli.ts";
import { REPO_ROOT } from "./paths.ts";
import { paint } from "./report.ts";
import { readFolder, starterFiles, type Files } from "./starters.ts";
import { stageDir } from "./stages.ts";
import { unifiedDiff } from "./unified-diff.ts";

const USAGE = `Usage: npm run diff -- <N> [--solution]

  npm run diff -- 3              your changes to steps/03-* since the starter
  npm run diff -- 3 --solution   what the solution has that your steps/03-* does not

Compares the code in src/. Colored in a terminal; plain when piped to a file
(npm run --silent diff -- 3 > my-changes.patch). N may be written 3, 03 or 03-persistence.`;

function main(args: string[]): number {
  const { values, positionals } = parseOptions(args, { solution: { type: "boolean" } }, USAGE);
  const stage = oneStage(positionals, USAGE);
  const folder = stageDir("steps", stage);
  if (!existsSync(join(REPO_ROOT, folder, "src"))) {
    console.log(`${folder}/src is missing. ${paint("cyan", `npm run reset -- ${stage.number}`)} brings back the starter.`);
    return 1;
  }
  const yours = code(readFolder(join(REPO_ROOT, folder)));

  const solution = stageDir("solutions", stage);
  const diff = values.solution
    ? diffFiles(yours, code(readFolder(join(REPO_ROOT, solution))), `a/${folder}`, `b/${solution}`)
    : diffFiles(code(starterFiles(stage)), yours, `a/${folder}`, `b/${folder}`);

  if (diff === "") {
    console.log(
      values.solution
        ? `${folder} has the same code as ${solution}.`
        : `No changes yet: ${folder} is still the starter. The TODO(step ${stage.number}) comments in ${folder}/src/index.ts show where to begin.`,
    );
    return 0;
  }
  // Piped, the output is a patch and nothing else (git apply and patch -p1 take it).
  if (process.stdout.isTTY) {
    const title = values.solution
      ? `What ${solution} has that your ${folder} does not (- yours, + solution):`
      : `Your changes to ${folder} since the starter (- starter, + yours):`;
    console.log(`${paint("bold", title)}\n`);
  }
  process.stdout.write(colour(diff));
  return 0;
}

/** The files under src/, by their path in src/. */
function code(files: Files): Files {
  return Object.fromEntries(Object.entries(files).filter(([path]) => path.startsWith("src/")));
}

/** One unified diff per file that differs; a file on one side only is diffed against nothing. */
function diffFiles(before: Files, after: Files, beforeLabel: string, afterLabel: string): string {
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return paths
    .map((path) =>
      unifiedDiff(before[path] ?? "", after[path] ?? "", {
        oldName: path in before ? `${beforeLabel}/${path}` : "/dev/null",
        newName: path in after ? `${afterLabel}/${path}` : "/dev/null",
      }),
    )
    .join("");
}

function colour(diff: string): string {
  return diff.replace(/^.*$/gm, (line) => {
    if (line.startsWith("+++") || line.startsWith("---")) return paint("bold", line);
    if (line.startsWith("@@")) return paint("cyan", line);
    if (line.startsWith("+")) return paint("green", line);
    if (line.startsWith("-")) return paint("red", line);
    return line;
  });
}

await run(main);
