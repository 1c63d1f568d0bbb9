// A stage served by `serve.ts` (so by wrangler dev, as `npm run step` does), or the classroom, for the kit's
// own tests, browser scripts and benchmarks: started on a free port, waited for, stopped.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, isPortFree } from "./free-port.ts";
import { REPO_ROOT } from "./paths.ts";
import type { Kind } from "./stages.ts";
import { WRANGLER_ENV } from "./wrangler.ts";

const SERVE = join(REPO_ROOT, "shared/kit/serve.ts");
const CLASSROOM = join(REPO_ROOT, "shared/kit/classroom/serve.ts");
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export type DevServer = {
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  child: ChildProcess;
  /** Everything serve.ts and wrangler printed so far. */
  output: () => string;
  /** Its own temporary folder (wrangler's Miniflare keeps files there), removed once it has exited. */
  scratch: string;
  exited: Promise<number | null>;
  /** Stops it as Ctrl+C would, and waits until the port is free again. */
  stop: () => Promise<void>;
  /** Ends the whole process tree at once (SIGKILL), as a crash would. */
  kill: () => void;
};

export type DevServerOptions = {
  kind: Kind;
  /** As an attendee writes it: 3, "03" or "03-persistence". */
  stage: string | number;
  /** Where state goes (CHAT_STATE_DIR); each kind and stage gets a folder inside. */
  stateDir: string;
  /** A free one when not given. */
  port?: number;
  /** More environment for the server's processes (a proxy, say). */
  env?: Record<string, string>;
};

/**
 * Starts a stage's server and resolves once its chat page answers. A free port can be taken by
 * another process before wrangler listens on it (the system hands out free ports to everyone,
 * and a busy test run starts many servers): then it tries again on another, twice at most.
 */
export function startDevServer({ kind, stage, stateDir, port, env }: DevServerOptions): Promise<DevServer> {
  return onFreePort(port, (chosen) => startServer([SERVE, kind, String(stage), "--port", String(chosen)], { port: chosen, stateDir, env, what: `${kind} ${stage}` }));
}

/** Runs `start` on `port`, or on a free one, and on another when that one was taken meanwhile. */
export async function onFreePort<T>(port: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(port ?? (await freePort()));
    } catch (error) {
      if (port !== undefined || attempt === 3 || !/already in use|EADDRINUSE/i.test(String(error))) throw error;
    }
  }
}

export type Classroom = DevServer & {
  /** The dashboard's address, key included, as `npm run classroom` printed it. */
  dashboard: string;
  /** The address attendees join with: http://localhost:<port>/c/<code> */
  joinAddress: string;
  code: string;
  key: string;
};

/** `npm run classroom` (shared/kit/classroom/serve.ts), with its session open. */
export async function startClassroom({ stateDir, port: given, args = [] }: { stateDir: string; port?: number; args?: string[] }): Promise<Classroom> {
  const server = await onFreePort(given, (port) =>
    startServer([CLASSROOM, "--port", String(port), ...args], { port, stateDir, what: "the classroom", readyLine: /^Reopen it later/m }),
  );
  const { port } = server;
  const dashboard = /^Dashboard: (\S+)/m.exec(server.output())?.[1];
  const match = dashboard && /\/c\/([A-Z0-9]{6})\/dashboard#key=(\S+)$/.exec(dashboard);
  if (!dashboard || !match) {
    server.kill();
    throw new Error(`npm run classroom printed no dashboard address:\n${server.output()}`);
  }
  // With --lan on a computer with no network address, there is no join line: this computer's own.
  const joinAddress = /classroom:join -- (\S+)/.exec(server.output())?.[1] ?? `http://localhost:${port}/c/${match[1]}`;
  return { ...server, dashboard, joinAddress, code: match[1], key: match[2] };
}

/** Runs a kit server script in its own process group; resolves once it answers (or prints readyLine). */
async function startServer(
  args: string[],
  { port, stateDir, env, what, readyLine }: { port: number; stateDir: string; env?: Record<string, string>; what: string; readyLine?: RegExp },
): Promise<DevServer> {
  // A server killed at once, as a crash kills it, cannot remove its temporary files: they go to a
  // folder of its own, removed when it exits. Node's compile cache stays where every wrangler shares it.
  const scratch = mkdtempSync(join(tmpdir(), "hello-chat-server-"));
  const temporary = { TMPDIR: scratch, TEMP: scratch, TMP: scratch, NODE_COMPILE_CACHE: WRANGLER_ENV.NODE_COMPILE_CACHE };
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...temporary, ...env, CHAT_STATE_DIR: stateDir, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so kill() reaches wrangler's workerd children too.
    detached: process.platform !== "win32",
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      rmSync(scratch, { recursive: true, force: true });
      resolve(code);
    }),
  );

  const kill = () => killTree(child);
  const server: DevServer = {
    port,
    origin: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    scratch,
    exited,
    kill,
    stop: () => stopGracefully(child, port, exited, () => output),
  };

  // Whatever answers on the port is this server only once its wrangler says it listens there.
  const listening = new RegExp(`Ready on \\S+:${port}\\b`);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null) {
    if (readyLine || !listening.test(output)) {
      if (readyLine?.test(output)) return server;
      await sleep(100);
      continue;
    }
    try {
      await fetch(`${server.origin}/`, { signal: AbortSignal.timeout(2_000) });
      return server;
    } catch {
      await sleep(250);
    }
  }
  kill();
  throw new Error(`${what} did not answer on port ${port}. Its output:\n${output}`);
}

async function stopGracefully(
  child: ChildProcess,
  port: number,
  exited: Promise<number | null>,
  output: () => string,
): Promise<void> {
  if (process.platform === "win32") {
    // Windows has no SIGTERM to forward: end the whole tree.
    spawnSync("taskkill", ["/pid", String(child.pid), "/T", "/F"]);
  } else {
    child.kill("SIGTERM");
  }
  const code = await Promise.race([exited, sleep(STOP_TIMEOUT_MS, "timeout" as const, { ref: false })]);
  if (code === "timeout") {
    killTree(child);
    throw new Error(`the server did not stop within ${STOP_TIMEOUT_MS} ms:\n${output()}`);
  }
  for (let i = 0; i < 50 && !(await isPortFree(port)); i++) await sleep(100);
  if (!(await isPortFree(port))) throw new Error(`port ${port} is still in use after the server stopped`);
}

function killTree(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  if (process.platform === "win32") {
    spawnSync("taskkill", ["/pid", String(pid), "/T", "/F"]);
    return;
  }
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
