// Where the checks' runtimes keep their scratch files (every room's SQLite database, the state of
// the servers that checks connect to over real sockets): in memory when the system has a RAM disk
// (/dev/shm on Linux), else in the usual temporary folder. Every check opens rooms of its own, and
// on a disk each new database costs writes and syncs: the mistakes catalogue spent a fifth of its
// CPU time on them (docs/reference/benchmarks.md).
import { accessSync, constants, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const RAM_DISK = "/dev/shm";
const PREFIX = "hello-chat-checks-";
/** A run interrupted (Ctrl-C) leaves its folder behind: gone once it is this old. */
const STALE_MS = 60 * 60 * 1000;

/** Runs `body` with the temporary folder (TMPDIR) in memory, and removes what it left there. */
export async function inRamScratch<T>(body: () => Promise<T>): Promise<T> {
  let dir: string;
  try {
    accessSync(RAM_DISK, constants.W_OK);
    removeStale();
    dir = mkdtempSync(join(RAM_DISK, PREFIX));
  } catch {
    return body();
  }
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await body();
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  }
}

function removeStale(): void {
  for (const name of readdirSync(RAM_DISK).filter((entry) => entry.startsWith(PREFIX))) {
    const path = join(RAM_DISK, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run removed it first.
    }
  }
}
