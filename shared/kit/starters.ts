// Knows each starter as it was shipped: a snapshot of every steps/ folder (starters.json), so
// the progress table can tell "not started" from "started and failing", and `npm run reset` and
// `npm run diff` work without git history (a zip download, a shallow or squashed clone).
// After changing a starter, record it again: node shared/kit/starters.ts --update
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO_ROOT } from "./paths.ts";
import { STAGES, stageDir, type Stage } from "./stages.ts";

/** A folder's files: path inside the folder ("src/index.ts") to text, with LF line endings. */
export type Files = Record<string, string>;

const RECORD = join(REPO_ROOT, "shared/kit/starters.json");

/**
 * Every file under `dir`, sorted by path. Line endings are normalised, so a Windows
 * checkout (core.autocrlf) still counts as untouched.
 */
export function readFolder(dir: string): Files {
  const files: Files = {};
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  const paths = entries.map((entry) => relative(dir, join(entry.parentPath, entry.name))).sort();
  for (const path of paths) files[path.replaceAll("\\", "/")] = readFileSync(join(dir, path), "utf8").replaceAll("\r\n", "\n");
  return files;
}

let recorded: Record<string, Files> | undefined;

/** The starter of a stage as the kit shipped it. */
export function starterFiles(stage: Stage): Files {
  recorded ??= JSON.parse(readFileSync(RECORD, "utf8")) as Record<string, Files>;
  const files = recorded[stage.slug];
  if (!files) throw new Error(`${RECORD} has no starter for ${stage.slug}: run node shared/kit/starters.ts --update`);
  return files;
}

/** The starters as they are in steps/ now, in the shape of starters.json. */
export function currentStarters(): Record<string, Files> {
  return Object.fromEntries(STAGES.map((stage) => [stage.slug, readFolder(join(REPO_ROOT, stageDir("steps", stage)))]));
}

/** Only the code and its configuration count: reading or annotating the README does not start a stage. */
function code(files: Files): string {
  const paths = Object.keys(files).filter((path) => path.startsWith("src/") || path === "wrangler.jsonc");
  return JSON.stringify(paths.map((path) => [path, files[path]]));
}

/** Whether the code in steps/<N> is still exactly the starter the kit shipped. */
export function isUntouched(stage: Stage): boolean {
  return code(readFolder(join(REPO_ROOT, stageDir("steps", stage)))) === code(starterFiles(stage));
}

if (import.meta.main && process.argv[2] === "--update") {
  writeFileSync(RECORD, `${JSON.stringify(currentStarters(), null, 2)}\n`);
  console.log(`Recorded the ${STAGES.length} starters of steps/ in ${relative(process.cwd(), RECORD)}.`);
}
