// What an attendee waits for: a stage's server to answer after `npm run step`, and a
// `npm run check` to finish. Run as the attendee would, through npm.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startDevServer } from "../dev-server.ts";
import { REPO_ROOT } from "../paths.ts";
import { round } from "./fanout.ts";

/** Seconds from starting the stage's server (serve.ts, what `npm run step` runs) until its chat page answers. */
export async function timeStepReady(stage: number): Promise<number> {
  const stateDir = mkdtempSync(join(tmpdir(), "hello-chat-bench-step-"));
  const started = performance.now();
  const server = await startDevServer({ kind: "steps", stage, stateDir });
  const seconds = (performance.now() - started) / 1000;
  await server.stop().catch(() => server.kill());
  rmSync(stateDir, { recursive: true, force: true });
  return round(seconds);
}

/** Seconds one `npm run check -- <args>` takes, start to exit, and its exit code. */
export function timeCheck(args: string[]): Promise<{ seconds: number; exitCode: number | null }> {
  const started = performance.now();
  const child = spawn("npm", ["run", "check", "--", ...args], {
    cwd: REPO_ROOT,
    stdio: "ignore",
    env: { ...process.env, NO_COLOR: "1" },
    // npm is a .cmd script on Windows, which only a shell runs.
    shell: process.platform === "win32",
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (exitCode) => resolve({ seconds: round((performance.now() - started) / 1000), exitCode }));
  });
}
