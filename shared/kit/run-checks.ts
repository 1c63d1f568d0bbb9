// Runs the check suites against step or solution folders, inside workerd through
// Vitest and @cloudflare/vitest-plugin, and returns plain results for the reports.
import type { TestModule, TestSuite } from "vitest/node";
import { REPO_ROOT } from "./paths.ts";
import { runVitest } from "./vitest-run.ts";
import { SOCKETS_PROJECT, STAGES, socketsSuiteFile, stageDir, suiteFile, type Kind, type Stage } from "./stages.ts";

/** A folder to check: a stage's step or solution, or (`folder`) a scratch copy shaped like one. */
export type Target = { kind: Kind; stage: Stage; folder?: string };
export type CheckResult = { name: string; passed: boolean; error?: string };
export type SuiteResult = { stage: Stage; checks: CheckResult[]; error?: string };
export type TargetResult = Target & { folder: string; suites: SuiteResult[]; kitChecks: CheckResult[] };

/**
 * Checks each target against the suites of stages 1..N, all in one Vitest run.
 * A suite whose file could not run (say, the folder's code does not compile)
 * comes back with `error` and no checks. With `kitChecks`, solutions also run the
 * kit's own checks (shared/checks/kit/), returned in `kitChecks`. With `together`, up to that
 * many folders share a runtime, one after another (see shared/kit/check-runtime.ts); `workers`
 * runtimes run at once. With `patience`, the checks wait that many times longer for what must
 * come (shared/checks/helpers/check.ts).
 */
export async function runChecks(targets: Target[], { kitChecks = false, together = 1, workers = 7, stopAtFirst = false, patience = 1 } = {}): Promise<TargetResult[]> {
  process.env.CHAT_TARGETS = targets.map(folderOf).join(",");
  process.env.CHAT_KIT_CHECKS = kitChecks ? "1" : "0";
  process.env.CHAT_STOP_AT_FIRST = stopAtFirst ? "1" : "0";
  process.env.CHAT_TOGETHER = String(together);
  process.env.CHAT_PATIENCE = String(patience);
  // Projects side by side, `workers` at a time (most of a check's time is waiting for frames, not
  // CPU); the one over real connections comes last, so with more projects than places it starts
  // when the first runtime is done, on a machine no longer full of them (its deadlines are 2 s).
  const { modules, errors: runErrors } = await runVitest({ root: REPO_ROOT, maxWorkers: workers });
  return targets.map((target) => {
    const folder = folderOf(target);
    // In workerd, every folder has a block (named by the folder) in its runtime's one file.
    const module = modules.find((m) => m.project.name !== SOCKETS_PROJECT && [...m.children.suites()].some((s) => s.name === folder))
      ?? modules.find((m) => m.project.name !== SOCKETS_PROJECT && m.project.config.provide?.folders?.some((f) => f.folder === folder));
    const inWorkerd = module ? [...module.children.suites()].find((s) => s.name === folder) : undefined;
    // Over real connections, every target has a block (named by its folder) in one project's file.
    const overTcp = modules
      .filter((m) => m.project.name === SOCKETS_PROJECT)
      .flatMap((m) => [...m.children.allSuites()])
      .find((s) => s.name === folder);
    // Each block holds a block per suite file, named by its path.
    const suite = (stage: Stage, file: string): SuiteResult | undefined => {
      const block = [...(inWorkerd?.children.suites() ?? []), ...(overTcp?.children.suites() ?? [])].find((s) => s.name === file);
      if (block) return suiteResult(stage, block);
      if (module && module.errors().length > 0 && !file.includes(".sockets.")) return moduleFailed(stage, module);
      return undefined;
    };
    const suites = STAGES.filter((s) => s.number <= target.stage.number).map((stage): SuiteResult => {
      // A stage's checks: those in workerd, then those over real connections (if it has any).
      const inWorkerd = suite(stage, suiteFile(stage));
      const sockets = suite(stage, socketsSuiteFile(stage));
      if (!inWorkerd) return { stage, checks: [], error: runErrors[0] ?? "the suite did not run" };
      // Code that does not load fails both; its error, not a list of failed checks, says what to fix.
      if (!sockets || (inWorkerd.error && inWorkerd.checks.length === 0)) return inWorkerd;
      const error = inWorkerd.error ?? sockets.error;
      return { stage, checks: [...inWorkerd.checks, ...sockets.checks], ...(error ? { error } : {}) };
    });
    const kit = [...(inWorkerd?.children.suites() ?? [])].filter((s) => s.name.startsWith("shared/checks/kit/"));
    return { ...target, folder, suites, kitChecks: kit.flatMap((block) => suiteResult(target.stage, block).checks) };
  });
}

function folderOf(target: Target): string {
  return target.folder ?? stageDir(target.kind, target.stage);
}

function suiteResult(stage: Stage, block: TestSuite): SuiteResult {
  // A skipped check did not run (with stopAtFirst, it came after a failure): it is left out.
  const checks = [...block.children.allTests()].filter((test) => test.result().state !== "skipped").map((test): CheckResult => {
    const result = test.result();
    if (result.state === "failed") {
      return { name: test.name, passed: false, error: result.errors?.map((e) => e.message).join("\n") };
    }
    return { name: test.name, passed: result.state === "passed" };
  });
  // A suite file that did not import (the target's code does not build, say) fails its block.
  const errors = block.errors().map((e) => e.message);
  if (errors.length > 0) return { stage, checks, error: errors.join("\n") };
  return { stage, checks };
}

/** The whole file failed (shared/checks/suites.test.ts itself): every suite says why. */
function moduleFailed(stage: Stage, module: TestModule): SuiteResult {
  return { stage, checks: [], error: module.errors().map((e) => e.message).join("\n") };
}

/** Whether every check of every suite passed. */
export function allPassed(result: TargetResult): boolean {
  return result.suites.every(suitePassed);
}

export function suitePassed(suite: SuiteResult): boolean {
  return !suite.error && suite.checks.length > 0 && suite.checks.every((c) => c.passed);
}

/**
 * The failing check to start with: the first one, in stage order, that failed on its own
 * behaviour. A check that could not test its behaviour ("Could not test this yet: it needs …")
 * comes after those, since fixing what it needs is another check's job.
 */
export function firstToFix(result: TargetResult): { suite: SuiteResult; check: CheckResult } | undefined {
  const failing = result.suites.flatMap((suite) => suite.checks.filter((c) => !c.passed).map((check) => ({ suite, check })));
  return failing.find(({ check }) => !check.error?.startsWith("Could not test")) ?? failing[0];
}

