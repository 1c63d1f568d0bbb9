// Runs the kit's own wrangler (never a global one) with the kit's Node, offline-friendly, and
// passes on how it ended: what every command that serves or deploys a Worker does the same way.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { constants } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.ts";

const WRANGLER = join(REPO_ROOT, "node_modules/wrangler/bin/wrangler.js");

export function spawnWrangler(args: string[], { cwd = REPO_ROOT, stdio = "inherit" as StdioOptions } = {}): ChildProcess {
  return spawn(process.execPath, [WRANGLER, ...args], {
    cwd,
    stdio,
    // Offline, Miniflare would try (and fail, loudly) to download Request.cf data.
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });
}

/** Passes Ctrl+C and SIGTERM on to wrangler, and resolves with its exit code. */
export function exitOf(child: ChildProcess): Promise<number> {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      // On Windows, Ctrl+C already reaches wrangler through the console, and kill() would
      // end it at once instead of letting it shut workerd down.
      if (process.platform !== "win32") child.kill(signal);
    });
  }
  return new Promise((done) => {
    child.on("error", (error) => {
      console.error(`Could not start wrangler: ${error.message}`);
      done(1);
    });
    child.on("exit", (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}
