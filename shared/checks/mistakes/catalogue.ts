// Every stage's mistakes, read from shared/checks/mistakes/<slug>.ts, and how to turn one
// into a scratch folder shaped like a stage's (so its relative imports still resolve).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../kit/paths.ts";
import { STAGES, stageDir, stageEntry, type Stage } from "../../kit/stages.ts";
import { configFile } from "../../kit/worker-settings.ts";
import type { Mistake } from "./mistake.ts";

export type { Mistake };

export async function catalogue(): Promise<{ stage: Stage; mistakes: Mistake[] }[]> {
  return Promise.all(
    STAGES.map(async (stage) => {
      const file = join(REPO_ROOT, "shared/checks/mistakes", `${stage.slug}.ts`);
      // A stage without a file has no mistakes yet, which the catalogue's own test refuses.
      const { mistakes } = existsSync(file) ? ((await import(file)) as { mistakes: Mistake[] }) : { mistakes: [] };
      return { stage, mistakes };
    }),
  );
}

/** A mistaken copy of a solution: its code, and its own wrangler.jsonc if the stage has one. */
export type Applied = { code: string; config?: string };

/** The solution with the mistake's patches applied; throws if a `from` is not there exactly once. */
export function applyMistake(stage: Stage, mistake: Mistake): Applied {
  const folder = stageDir("solutions", stage);
  const ownConfig = configFile(folder) === "wrangler.jsonc" ? undefined : configFile(folder);
  if (mistake.config && !ownConfig) throw new Error(`${stage.slug} "${mistake.did}": patches a wrangler.jsonc the stage does not have`);
  return {
    code: patched(stage, mistake, readFileSync(join(REPO_ROOT, stageEntry("solutions", stage)), "utf8"), mistake.patch),
    config: ownConfig && patched(stage, mistake, readFileSync(join(REPO_ROOT, ownConfig), "utf8"), mistake.config ?? []),
  };
}

function patched(stage: Stage, mistake: Mistake, text: string, patch: [string, string][]): string {
  for (const [from, to] of patch) {
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`${stage.slug} "${mistake.did}": expected the solution to contain ${JSON.stringify(from)} once, found it ${count} times`);
    text = text.replace(from, () => to);
  }
  return text;
}

/** Writes a mistaken copy to <REPO_ROOT>/<folder>; `folder` must be two levels deep, like steps/<slug>. */
export function writeMistake(folder: string, { code, config }: Applied): void {
  mkdirSync(join(REPO_ROOT, folder, "src"), { recursive: true });
  writeFileSync(join(REPO_ROOT, folder, "src/index.ts"), code);
  if (config !== undefined) writeFileSync(join(REPO_ROOT, folder, "wrangler.jsonc"), config);
}
