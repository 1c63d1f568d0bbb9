import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { REPO_ROOT } from "./shared/kit/paths.ts";
import { checkRuntime, runtimeKey } from "./shared/kit/check-runtime.ts";
import { declarations } from "./shared/kit/worker-settings.ts";
import { SOCKETS_PROJECT, STAGES, socketsSuiteFile, suiteFile, type Kind } from "./shared/kit/stages.ts";

// Each target folder (a step or a solution) runs in workerd as a Vitest project of its own: its
// src/index.ts is the Worker, and the suites of stages 1..N run against it. With
// CHAT_TOGETHER=K, up to K folders share one project's runtime (shared/kit/check-runtime.ts),
// checked one after another: far less CPU for many folders, more time for a few.
// Stages whose behaviour depends on real connections (closes, drops) also have a
// "sockets" suite: one more project, for all targets, serves each folder as wrangler's
// dev server does and connects to it over TCP from Node.
// The check runner picks the targets with CHAT_TARGETS ("steps/03-persistence,…");
// a plain `vitest` run checks every solution. With CHAT_KIT_CHECKS=1, solutions also
// run the kit's own checks in shared/checks/kit/ (named for the first stage they apply to).
const kitChecks = process.env.CHAT_KIT_CHECKS === "1";
const targets = (process.env.CHAT_TARGETS ?? STAGES.map((stage) => `solutions/${stage.slug}`).join(","))
  .split(",")
  .map((name) => {
    // A target is a folder shaped like steps/<slug> (the mistakes catalogue uses scratch copies).
    const slug = name.split("/").at(-1)!.replace(/~.*$/, "");
    const stage = STAGES.find((s) => s.slug === slug);
    if (!stage) throw new Error(`CHAT_TARGETS: no stage folder "${name}"`);
    const kind: Kind = name.startsWith("steps/") ? "steps" : "solutions";
    return { name, kind, stage };
  });
const together = Math.max(1, Number(process.env.CHAT_TOGETHER ?? 1));
// With CHAT_STOP_AT_FIRST=1, a folder's checks stop at its first failure (see shared/checks/helpers/check.ts).
const stopAtFirst = process.env.CHAT_STOP_AT_FIRST === "1";
// CHAT_PATIENCE=P makes the checks wait P times longer for what must come (npm test's proof).
const patience = Math.max(1, Number(process.env.CHAT_PATIENCE ?? 1));

// Every target's project runs this one file, which imports the suite files it is handed (see its comment).
const SUITES = "shared/checks/suites.test.ts";
const kitSuites = (stage: { slug: string }) =>
  readdirSync(join(REPO_ROOT, "shared/checks/kit")).filter((file) => file.startsWith(`${stage.slug}.`) && file.endsWith(".test.ts")).map((file) => `shared/checks/kit/${file}`);

// The checks over real connections, for every target, in one Node project (sockets/suites.test.ts).
const overTcp = targets
  .map(({ name, stage }) => ({
    folder: name,
    stage: stage.number,
    suites: STAGES.filter((s) => s.number <= stage.number).map(socketsSuiteFile).filter((file) => existsSync(join(REPO_ROOT, file))),
  }))
  .filter((target) => target.suites.length > 0);

// Folders that can share a runtime (same compatibility settings), at most `together` to one,
// dealt out in turn so that each runtime gets some of every stage's (later stages check longer).
const groups: (typeof targets)[] = [];
for (const key of new Set(targets.map((target) => runtimeKey(target.name)))) {
  const alike = targets.filter((target) => runtimeKey(target.name) === key);
  const count = Math.ceil(alike.length / together);
  groups.push(...Array.from({ length: count }, (_, g) => alike.filter((_, i) => i % count === g)));
}

export default defineConfig({
  test: {
    projects: [
      ...groups.map((group): TestProjectInlineConfiguration => {
        // A folder alone names its project; folders together, their first.
        const name = group.length === 1 ? group[0].name : `${group[0].name} and ${group.length - 1} more`;
        const { entry, miniflare } = checkRuntime(group.map((target) => target.name));
        return {
          plugins: [cloudflareTest({ main: entry, miniflare })],
          test: {
            name,
            include: [SUITES],
            // The kit's checks adapt to the stage they run against (broadcast from 02, history from 03, …).
            provide: {
              stopAtFirst,
              patience,
              folders: group.map(({ name, kind, stage }, index) => ({
                folder: name,
                index,
                stage: stage.number,
                suites: STAGES.filter((s) => s.number <= stage.number).flatMap((s) => [suiteFile(s), ...(kitChecks && kind === "solutions" ? kitSuites(s) : [])]),
                declares: declarations(name),
              })),
            },
            // Every check uses its own room, so the files can share a worker.
            isolate: false,
            testTimeout: 20_000,
          },
        };
      }),
      ...(overTcp.length === 0 ? [] : [{
        test: {
          name: SOCKETS_PROJECT,
          include: ["shared/checks/sockets/suites.test.ts"],
          environment: "node",
          pool: "threads",
          provide: { targets: overTcp, stopAtFirst, patience },
          testTimeout: 20_000,
          // Serving a target (in beforeAll) takes seconds on a busy laptop.
          hookTimeout: 60_000,
          // A few targets at a time, each with its checks side by side.
          maxConcurrency: 24,
        },
      } satisfies TestProjectInlineConfiguration]),
    ],
  },
});
