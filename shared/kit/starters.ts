// Knows each starter as it was shipped (a fingerprint per steps/ folder), so the
// progress table can tell "not started" from "started and failing".
// After changing a starter, record the new fingerprints: node shared/kit/starters.ts --update
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.ts";
import { STAGES, stageDir, type Stage } from "./stages.ts";

const RECORD = join(REPO_ROOT, "shared/kit/starter-fingerprints.json");

/** A hash of the folder's src/ files. Line endings are normalised, so a Windows checkout matches. */
export function fingerprint(stage: Stage): string {
  const src = join(REPO_ROOT, stageDir("steps", stage), "src");
  const hash = createHash("sha256");
  for (const file of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!file.isFile()) continue;
    const path = join(file.parentPath, file.name);
    hash.update(path.slice(src.length).replaceAll("\\", "/"));
    hash.update(readFileSync(path, "utf8").replaceAll("\r\n", "\n"));
  }
  return hash.digest("hex");
}

export function recordedFingerprints(): Record<string, string> {
  return JSON.parse(readFileSync(RECORD, "utf8"));
}

/** Whether steps/<N> is still exactly the starter the kit shipped. */
export function isUntouched(stage: Stage): boolean {
  return recordedFingerprints()[stage.slug] === fingerprint(stage);
}

if (process.argv[2] === "--update") {
  const record = Object.fromEntries(STAGES.map((stage) => [stage.slug, fingerprint(stage)]));
  writeFileSync(RECORD, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`Recorded the fingerprints of ${STAGES.length} starters in ${RECORD}.`);
}
