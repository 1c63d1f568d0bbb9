// Runs the kit's own wrangler (never a global one) with the kit's Node, offline-friendly, and
// passes on how it ended: what every command that serves or deploys a Worker does the same way.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.ts";

export const WRANGLER = join(REPO_ROOT, "node_modules/wrangler/bin/wrangler.js");

/** What every wrangler the kit runs gets in its environment, besides the caller's. */
export const WRANGLER_ENV = {
  // Offline, Miniflare would try (and fail, loudly) to download Request.cf data.
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  // wrangler's banner asks npm's registry for a newer wrangler (hourly, and in a loop behind a
  // proxy that refuses it) and shows "update available": the kit pins its wrangler, so an
  // attendee must not upgrade it, and the kit asks nothing of the internet once installed.
  WRANGLER_HIDE_BANNER: "true",
  // Node keeps the compiled code of wrangler's 10 MB bundle between runs (a third of a second of
  // CPU at each start), in the temporary folder as Node's documentation advises; the attendee's
  // own NODE_COMPILE_CACHE wins, and NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE || join(tmpdir(), "node-compile-cache"),
};

export function spawnWrangler(args: string[], { cwd = REPO_ROOT, stdio = "inherit" as StdioOptions } = {}): ChildProcess {
  return spawn(process.execPath, [WRANGLER, ...args], { cwd, stdio, env: { ...process.env, ...WRANGLER_ENV } });
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
