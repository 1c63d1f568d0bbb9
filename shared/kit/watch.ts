// `npm run check -- <N> --watch [--poll]`: runs a stage's checks again whenever a file under
// its folder is saved. File watching does not work everywhere (WSL on a Windows drive, network
// drives, some containers): there, and with --poll, it looks for changes once a second instead.
import { readdirSync, readFileSync, statSync, watch, type FSWatcher } from "node:fs";
import { basename, join, relative } from "node:path";
import { REPO_ROOT } from "./paths.ts";
import { formatWatch, paint } from "./report.ts";
import { checkWithCache } from "./check-cache.ts";
import { stageDir, type Kind, type Stage } from "./stages.ts";
import { sendReport } from "./classroom/membership.ts";

const DEBOUNCE_MS = 200;
const POLL_MS = 1000;

export function watchStage(kind: Kind, stage: Stage, { poll = false } = {}): void {
  const folder = stageDir(kind, stage);
  const dir = join(REPO_ROOT, folder);
  let mode = "";
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  async function check(): Promise<void> {
    running = true;
    try {
      const { results: [result] } = await checkWithCache([{ kind, stage }], false);
      const reported = kind === "steps" ? sendReport([result]) : undefined;
      // A terminal gets a fresh screen per run; a log (or a test) keeps every run.
      if (process.stdout.isTTY) process.stdout.write("\x1b[2J\x1b[3J\x1b[H");
      console.log(formatWatch(result));
      const line = await reported;
      if (line) console.log(paint("dim", line));
    } catch (error) {
      console.log(paint("red", `The checks could not run: ${(error as Error).message}`));
    } finally {
      running = false;
    }
    console.log(`\n${paint("dim", `Watching ${folder} for changes (${mode}). Save a file to check again; Ctrl+C to stop.`)}`);
    if (again) {
      again = false;
      void check();
    }
  }

  function changed(file: string): void {
    if (isEditorScratch(file)) return;
    clearTimeout(timer);
    // Editors save in several writes (and some through a temporary file): wait for quiet.
    timer = setTimeout(() => {
      console.log(paint("dim", `\n${file} changed: checking again…`));
      if (running) again = true;
      else void check();
    }, DEBOUNCE_MS);
  }

  let watcher: FSWatcher | undefined;
  let poller: NodeJS.Timeout | undefined;
  const startPolling = (why: string) => {
    watcher?.close();
    mode = `checking for changes every ${POLL_MS / 1000} s`;
    console.log(paint("yellow", `${why}: checking ${folder} for changes every ${POLL_MS / 1000} s instead.`));
    let before = snapshot(dir);
    poller = setInterval(() => {
      const now = snapshot(dir);
      const file = [...new Set([...now.keys(), ...before.keys()])].find((path) => now.get(path) !== before.get(path));
      before = now;
      if (file) changed(relative(REPO_ROOT, join(dir, file)));
    }, POLL_MS);
  };

  if (poll) startPolling("--poll");
  else if (onWindowsDriveInWsl(dir)) startPolling("Under WSL, saves to a Windows drive (/mnt/…) are not noticed");
  else {
    try {
      mode = "file watching";
      watcher = watch(dir, { recursive: true }, (_event, file) => changed(relative(REPO_ROOT, join(dir, file ?? ""))));
      watcher.on("error", (error) => startPolling(`File watching stopped (${error.message})`));
    } catch (error) {
      startPolling(`File watching does not work here (${(error as Error).message})`);
    }
  }

  const stop = () => {
    watcher?.close();
    clearInterval(poller);
    clearTimeout(timer);
    console.log("\nStopped watching.");
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  console.log(paint("dim", `Running the checks of ${folder}…`));
  void check();
}

/** Each file's size and modification time, by path: what polling compares. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  try {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      const { size, mtimeMs } = statSync(path, { throwIfNoEntry: false }) ?? { size: -1, mtimeMs: 0 };
      files.set(relative(dir, path), `${size}:${mtimeMs}`);
    }
  } catch {
    // The folder is being replaced (npm run reset): the next poll sees the new one.
  }
  return files;
}

/** Swap and backup files editors write while you type (vim's .swp and 4913, emacs's ~): not a save. */
function isEditorScratch(file: string): boolean {
  const name = basename(file);
  return name.startsWith(".") || name.endsWith("~") || /\.sw[a-p]$/.test(name) || name === "4913";
}

/** WSL passes no change events for files on Windows drives: watching there waits forever. */
function onWindowsDriveInWsl(dir: string): boolean {
  if (process.platform !== "linux" || !dir.startsWith("/mnt/")) return false;
  try {
    return /microsoft/i.test(readFileSync("/proc/version", "utf8"));
  } catch {
    return false;
  }
}
