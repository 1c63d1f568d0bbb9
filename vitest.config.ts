import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { STAGES, stageEntry, suiteFile, type Kind } from "./shared/kit/stages.ts";

// Each target folder (a step or a solution) is one Vitest project: its src/index.ts
// runs as the Worker inside workerd, and the suites of stages 1..N run against it.
// The check runner picks the targets with CHAT_TARGETS ("steps/03-persistence,…");
// a plain `vitest` run checks every solution. With CHAT_KIT_CHECKS=1, solutions also
// run the kit's own checks in shared/checks/kit/ (named for the first stage they apply to).
const kitChecks = process.env.CHAT_KIT_CHECKS === "1";
const targets = (process.env.CHAT_TARGETS ?? STAGES.map((stage) => `solutions/${stage.slug}`).join(","))
  .split(",")
  .map((name) => {
    const [kind, slug] = name.split("/") as [Kind, string];
    const stage = STAGES.find((s) => s.slug === slug);
    if (!stage) throw new Error(`CHAT_TARGETS: no stage folder "${name}"`);
    return { name, kind, stage };
  });

export default defineConfig({
  test: {
    projects: targets.map(({ name, kind, stage }) => ({
      plugins: [cloudflareTest({ main: stageEntry(kind, stage), wrangler: { configPath: "./wrangler.jsonc" } })],
      test: {
        name,
        include: STAGES.filter((s) => s.number <= stage.number).flatMap((s) =>
          kitChecks && kind === "solutions" ? [suiteFile(s), `shared/checks/kit/${s.slug}.*.test.ts`] : [suiteFile(s)],
        ),
        // The kit's checks adapt to the stage they run against (broadcast from 02, history from 03, …).
        provide: { stage: stage.number },
        // Every check uses its own room, so the files can share a worker.
        isolate: false,
        testTimeout: 20_000,
      },
    })),
  },
});
