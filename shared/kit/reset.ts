// `npm run reset -- <N> [--yes]`: puts steps/<N> back to its starter, after saving the
// attendee's version to a backup folder. The starter comes from shared/kit/starters.json,
// so this works in a copy without git history.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline/promises";
import { oneStage, parseOptions, run } from "./cli.ts";
import { REPO_ROOT } from "./paths.ts";
import { paint } from "./report.ts";
import { readFolder, starterFiles } from "./starters.ts";
import { stageDir, UsageError, type Stage } from "./stages.ts";

const USAGE = `Usage: npm run reset -- <N> [--yes]

  npm run reset -- 3          put steps/03-* back to its starter (asks first)
  npm run reset -- 3 --yes    without asking (for scripts)

Your version is saved first, to .state/backups/<stage>-<date and time>/.
N may be written 3, 03 or 03-persistence.`;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { yes: { type: "boolean", short: "y" } }, USAGE);
  const stage = oneStage(positionals, USAGE);
  const folder = stageDir("steps", stage);
  const dir = join(REPO_ROOT, folder);
  const starter = starterFiles(stage);

  if (existsSync(dir) && JSON.stringify(readFolder(dir)) === JSON.stringify(starter)) {
    console.log(`${folder} is already the starter: nothing to reset.`);
    return 0;
  }
  if (!values.yes && !(await confirm(stage, folder))) {
    console.log(`Nothing changed: ${folder} is as you left it.`);
    return 1;
  }

  const backup = existsSync(dir) ? saveBackup(stage, dir) : undefined;
  // Empty the folder rather than delete it: an editor or `check --watch` holding it open keeps working.
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
  for (const [path, text] of Object.entries(starter)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  if (backup) console.log(`Saved your version of ${folder} in ${backup}/`);
  console.log(
    `${folder} is the starter again. Start with ${paint("cyan", `npm run step -- ${stage.number}`)} ` +
      `and the TODO(step ${stage.number}) comments in ${folder}/src/index.ts.`,
  );
  return 0;
}

async function confirm(stage: Stage, folder: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    // Nobody can answer the question (a script, a pipe): refuse rather than wait forever.
    throw new UsageError(
      `npm run reset would replace your ${folder}, and asks first, but there is no terminal to ask in.\n` +
        `If you mean it, run: npm run reset -- ${stage.number} --yes (your version is still saved first).`,
    );
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await prompt.question(
      `This replaces your code in ${folder} with the starter (your version is saved first to .state/backups/). Go ahead? [y/N] `,
    );
    return /^y(es)?$/i.test(answer.trim());
  } catch (error) {
    // Ctrl+D instead of an answer: that is a no.
    if ((error as Error).name !== "AbortError") throw error;
    console.log("");
    return false;
  } finally {
    prompt.close();
    // After Ctrl+D, readline leaves stdin reading, which would keep the process alive.
    process.stdin.pause();
  }
}

/** Copies the folder to .state/backups/<slug>-<local date and time>/ and returns that path. */
function saveBackup(stage: Stage, dir: string): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  let backup = `.state/backups/${stage.slug}-${stamp}`;
  // Two resets in one second keep both versions.
  for (let n = 2; existsSync(join(REPO_ROOT, backup)); n++) backup = `.state/backups/${stage.slug}-${stamp}-${n}`;
  cpSync(dir, join(REPO_ROOT, backup), { recursive: true });
  return backup;
}

await run(main);
