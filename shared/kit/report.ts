// Turns check results into the text an attendee reads: one line per check, and
// for each failure what was expected, what happened, and where to look.
import { stripVTControlCharacters, styleText } from "node:util";
import { firstToFix, suitePassed, type SuiteResult, type TargetResult } from "./run-checks.ts";
import { STAGES, stageDir, type Kind, type Stage } from "./stages.ts";

type Style = Parameters<typeof styleText>[0];

/** Colors only when stdout is a terminal that wants them (NO_COLOR and FORCE_COLOR are honoured). */
export function paint(style: Style, text: string): string {
  return styleText(style, text, { validateStream: true, stream: process.stdout });
}

const PASS = () => paint("green", "✓");
const FAIL = () => paint("red", "✗");

export function stageLabel(stage: Stage): string {
  return `${String(stage.number).padStart(2, "0")} · ${stage.title}`;
}

/** The stage's page in the guide as `npm run docs` serves it (its markdown shows code only as `<<<` lines). */
export function guidePage(stage: Stage): string {
  return `the guide's page http://localhost:5173/steps/${stage.slug} (${paint("cyan", "npm run docs")} serves it)`;
}

/** The full report of `npm run check -- N`. */
export function formatTarget(result: TargetResult): string {
  const lines: string[] = [];
  const { stage, folder } = result;
  const loadError = result.suites.find((s) => s.error && s.checks.length === 0)?.error;
  lines.push(paint("bold", `Checking ${folder} against stages 1–${stage.number}`), "");

  if (loadError) {
    lines.push(
      `${FAIL()} Your code in ${folder}/src/index.ts did not load, so no check could run:`,
      "",
      indent(clean(loadError), 4),
      "",
      `Hint: the error names a line of your file. Fix it, then run ${paint("cyan", `npm run check -- ${stage.number}`)} again.`,
      `      ${paint("cyan", "npm run typecheck")} lists TypeScript mistakes too.`,
    );
    return lines.join("\n");
  }

  for (const suite of result.suites) lines.push(...formatSuite(suite, suite.stage.number < stage.number));
  lines.push(...nextSteps(result));
  return lines.join("\n");
}

/**
 * The screen of `npm run check -- N --watch`: a bar of passing checks and only the first
 * failure, so what to do next fits on one screen. A code that does not load, or a finished
 * stage, looks as it does without --watch.
 */
export function formatWatch(result: TargetResult): string {
  const checks = result.suites.flatMap((s) => s.checks);
  const failingSuite = result.suites.find((s) => !suitePassed(s));
  const loadError = result.suites.some((s) => s.error && s.checks.length === 0);
  if (!failingSuite || loadError) return formatTarget(result);
  const passed = checks.filter((c) => c.passed).length;
  const lines = [
    paint("bold", `Checking ${result.folder} against stages 1–${result.stage.number}`),
    "",
    `${progressBar(passed, checks.length)} ${passed} of ${checks.length} checks pass`,
    "",
  ];
  const toFix = firstToFix(result);
  const first = toFix?.check;
  if (failingSuite.error) lines.push(`${FAIL()} ${stageLabel(failingSuite.stage)}:`, indent(clean(failingSuite.error), 4));
  if (toFix && first) {
    lines.push(`${FAIL()} ${stageLabel(toFix.suite.stage)}: ${first.name}`);
    if (first.error) lines.push(indent(clean(first.error), 4));
  }
  const more = checks.length - passed - (first ? 1 : 0);
  if (more > 0) lines.push("", paint("dim", `${more} more failing after this one: npm run check -- ${result.stage.number} lists them all.`));
  if (result.kind === "steps") lines.push(paint("dim", `Stuck? npm run hint -- ${result.stage.number} in another terminal gives a hint.`));
  return lines.join("\n");
}

function formatSuite(suite: SuiteResult, earlier: boolean): string[] {
  const passed = suite.checks.filter((c) => c.passed).length;
  const total = suite.checks.length;
  // A finished earlier stage folds into one line, so the current stage stands out.
  if (earlier && suitePassed(suite)) {
    return [`${PASS()} ${stageLabel(suite.stage)}: all ${total} checks pass`];
  }
  const lines = ["", paint("bold", `${stageLabel(suite.stage)}  (${passed} of ${total} pass)`)];
  if (earlier) {
    lines.push(paint("yellow", "  These passed when this stage was done: a change since then broke them."));
  }
  if (suite.error) lines.push(indent(clean(suite.error), 4));
  for (const check of suite.checks) {
    lines.push(`  ${check.passed ? PASS() : FAIL()} ${check.name}`);
    if (!check.passed && check.error) lines.push(indent(clean(check.error), 6));
  }
  return lines;
}

function nextSteps(result: TargetResult): string[] {
  const { stage, kind, folder } = result;
  const checks = result.suites.flatMap((s) => s.checks);
  const passed = checks.filter((c) => c.passed).length;
  const lines = [""];
  if (passed === checks.length && result.suites.every(suitePassed)) {
    lines.push(paint(["bold", "green"], `Stage ${stage.number} is done: all ${checks.length} checks pass.`));
    const next = STAGES.find((s) => s.number === stage.number + 1);
    const start = next && `Start it with ${paint("cyan", `npm run step -- ${next.number}`)} and read ${guidePage(next)}.`;
    if (kind === "steps" && next?.optional && !stage.optional) {
      lines.push("That was the workshop's last stage: you have finished the workshop. Well done!");
      lines.push(`If you have time, go on with the optional ${stageLabel(next)}. ${start}`);
    } else if (kind === "steps" && next) {
      lines.push(`Next${next.optional ? ", optional" : ""}: ${stageLabel(next)}. ${start}`);
    } else if (kind === "steps") {
      lines.push("That was the last stage. Well done!");
    }
    return lines;
  }
  const firstFailure = firstToFix(result)?.check;
  lines.push(`${passed} of ${checks.length} checks pass.`);
  if (firstFailure) lines.push(`Start with this ${FAIL()}: "${firstFailure.name}".`);
  if (kind === "steps") {
    lines.push(
      `The TODO(step ${stage.number}) comments in ${folder}/src/index.ts show where to work; ` +
        `${guidePage(stage)} explains the ideas.`,
      `Stuck? ${paint("cyan", `npm run hint -- ${stage.number}`)} gives a hint, one more each time you ask.`,
    );
  }
  return lines;
}

export type Progress = { stage: Stage; folder: string; status: "passed" | "failing" | "not started"; passed: number; total: number };

/** The table of `npm run check` with no stage: where an attendee stands. */
export function formatProgress(kind: Kind, rows: Progress[]): string {
  // The bar counts the workshop's stages; the optional ones come after it, under their own heading.
  const workshop = rows.filter((r) => !r.stage.optional);
  const optional = rows.filter((r) => r.stage.optional);
  const done = workshop.filter((r) => r.status === "passed").length;
  const width = 24;
  const line = (row: Progress) => {
    const mark = row.status === "passed" ? PASS() : row.status === "failing" ? FAIL() : paint("dim", "·");
    const counts = row.status === "not started" ? "" : `${row.passed}/${row.total} checks`;
    return `  ${mark} ${stageLabel(row.stage).padEnd(width)} ${row.status.padEnd(12)} ${counts}`;
  };
  const lines = [paint("bold", `Progress in ${kind}/`), "", ...workshop.map(line)];
  lines.push("", `${progressBar(done, workshop.length)} ${done} of ${workshop.length} stages done`);
  if (optional.length > 0) lines.push("", paint("bold", "Optional, for those who finish early"), "", ...optional.map(line));
  const next = rows.find((r) => r.status !== "passed");
  if (next) {
    const finished = next.stage.optional ? "The workshop is done. Optional next" : "Next";
    lines.push(
      "",
      `${finished}: ${stageLabel(next.stage)}. ${paint("cyan", `npm run check -- ${next.stage.number}`)} shows what is left` +
        (kind === "steps" ? `, and ${paint("cyan", `npm run step -- ${next.stage.number}`)} runs it.` : "."),
    );
  }
  return lines.join("\n");
}

export function progressBar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${paint("green", "█".repeat(filled))}${"░".repeat(width - filled)}]`;
}

export function progressOf(result: TargetResult): Progress {
  const checks = result.suites.flatMap((s) => s.checks);
  const passed = checks.filter((c) => c.passed).length;
  const ok = result.suites.every(suitePassed);
  return { stage: result.stage, folder: stageDir(result.kind, result.stage), status: ok ? "passed" : "failing", passed, total: checks.length };
}

/** Error text without terminal colors, trimmed of blank lines. */
function clean(text: string): string {
  return stripVTControlCharacters(text).trim();
}

/** Indents every line, wrapping long ones to the terminal so "Hint: …" stays readable. */
function indent(text: string, spaces: number): string {
  const pad = " ".repeat(spaces);
  const width = Math.max(60, (process.stdout.columns || 100) - spaces);
  return text
    .split("\n")
    .flatMap((line) => wrap(line, width))
    .map((line) => pad + line)
    .join("\n");
}

/** Breaks a line at spaces; continuation lines line up after a label like "Hint:     ". */
function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const label = /^(Expected|Got|Hint):\s+/.exec(line)?.[0] ?? "";
  const hang = " ".repeat(label.length);
  const out: string[] = [];
  let current = "";
  for (const word of line.split(" ")) {
    if (current && current.length + 1 + word.length > width) {
      out.push(current);
      current = hang + word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  out.push(current);
  return out;
}
