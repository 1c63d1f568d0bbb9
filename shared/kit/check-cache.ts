// Remembers what each stage folder's checks said, keyed by everything the result depends on:
// the folder's files, the checks, the protocol, the configuration and the installed packages.
// The progress table and `npm run next` reuse a pass while none of that changed, so after
// editing one stage only that stage is checked again. `npm run check -- N` always runs.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "./paths.ts";
import { allPassed, runChecks, type Target, type TargetResult } from "./run-checks.ts";
import { readFolder } from "./starters.ts";
import { stageDir } from "./stages.ts";

const CACHE = join(REPO_ROOT, ".state", "check-results.json");
/** What every stage's result depends on besides its own folder. */
const SHARED = ["shared/checks", "shared/protocol.ts", "shared/kit/run-checks.ts", "shared/kit/vitest-run.ts", "shared/kit/worker-settings.ts", "vitest.config.ts", "wrangler.jsonc", "package-lock.json"];
// (A folder's own wrangler.jsonc is one of its files.)

let sharedPart: string | undefined;

function contents(path: string): unknown {
  const full = join(REPO_ROOT, path);
  if (!existsSync(full)) return null;
  return statSync(full).isDirectory() ? readFolder(full) : readFileSync(full, "utf8");
}

function fingerprint(target: Target): string {
  sharedPart ??= JSON.stringify(SHARED.map(contents));
  const folder = target.folder ?? stageDir(target.kind, target.stage);
  return createHash("sha256").update(sharedPart).update(JSON.stringify(contents(folder))).digest("hex");
}

type Entry = { fingerprint: string; result: TargetResult };

function load(): Record<string, Entry> {
  try {
    return JSON.parse(readFileSync(CACHE, "utf8"));
  } catch {
    return {};
  }
}

/**
 * Checks the targets (in one run), reusing the last pass of any whose files and checks have not
 * changed since, unless `reuse` is false. Fingerprints are taken before the run, so a file saved
 * meanwhile makes the next run check again. Returns the results in order, and which were reused.
 */
export async function checkWithCache(targets: Target[], reuse = true): Promise<{ results: TargetResult[]; reused: TargetResult[] }> {
  const cache = load();
  const keyed = targets.map((target) => ({ target, key: target.folder ?? stageDir(target.kind, target.stage), fingerprint: fingerprint(target) }));
  const hits = keyed.map((k) => (reuse ? passOf(cache[k.key], k.fingerprint) : undefined));
  const toRun = keyed.filter((_, i) => !hits[i]);
  const ran = toRun.length > 0 ? await runChecks(toRun.map((k) => k.target)) : [];
  toRun.forEach((k, i) => (cache[k.key] = { fingerprint: k.fingerprint, result: ran[i] }));
  if (ran.length > 0) {
    mkdirSync(dirname(CACHE), { recursive: true });
    writeFileSync(CACHE, JSON.stringify(cache));
  }
  const results = keyed.map((k, i) => hits[i] ?? ran[toRun.indexOf(k)]);
  return { results, reused: hits.filter((result) => result !== undefined) };
}

/** The last pass of this target, if nothing it depends on has changed since. */
export function cachedPass(target: Target): TargetResult | undefined {
  return passOf(load()[target.folder ?? stageDir(target.kind, target.stage)], fingerprint(target));
}

// Only passes are reused: a failure is run again, in case it came from the machine, not the code.
function passOf(entry: Entry | undefined, fingerprint: string): TargetResult | undefined {
  return entry?.fingerprint === fingerprint && allPassed(entry.result) ? entry.result : undefined;
}
