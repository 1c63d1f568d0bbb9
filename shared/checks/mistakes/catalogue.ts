// Every stage's mistakes, read from shared/checks/mistakes/<slug>.ts, and how to turn one
// into a scratch folder shaped like a stage's (so its relative imports still resolve).
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../kit/paths.ts";
import { STAGES, stageEntry, type Stage } from "../../kit/stages.ts";
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

/** The solution's code with the mistake's patch applied; throws if a `from` is not there exactly once. */
export function applyMistake(stage: Stage, mistake: Mistake): string {
  let code = readFileSync(join(REPO_ROOT, stageEntry("solutions", stage)), "utf8");
  for (const [from, to] of mistake.patch) {
    const count = code.split(from).length - 1;
    if (count !== 1) throw new Error(`${stage.slug} "${mistake.did}": expected the solution to contain ${JSON.stringify(from)} once, found it ${count} times`);
    code = code.replace(from, () => to);
  }
  return code;
}

/** Writes the mistaken code to <REPO_ROOT>/<folder>/src/index.ts; `folder` must be two levels deep, like steps/<slug>. */
export function writeMistake(folder: string, code: string): void {
  mkdirSync(join(REPO_ROOT, folder, "src"), { recursive: true });
  writeFileSync(join(REPO_ROOT, folder, "src/index.ts"), code);
  // A stage with its own wrangler.jsonc (08 on) runs with it: so does its copy.
  const config = join(REPO_ROOT, "solutions", folder.split("/").at(-1)!.replace(/~.*$/, ""), "wrangler.jsonc");
  if (existsSync(config)) copyFileSync(config, join(REPO_ROOT, folder, "wrangler.jsonc"));
}
