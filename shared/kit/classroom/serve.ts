// `npm run classroom [-- --port P] [--lan] [--session CODE] [--at ADDRESS]`: the instructor's
// classroom. Serves the classroom Worker (shared/classroom/) with wrangler dev, opens a session
// (or reopens one), and prints the dashboard's address and the line attendees type.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CODE_PATTERN } from "../../classroom/report.ts";
import { parseOptions, parsePort, run } from "../cli.ts";
import { freePort, freePortNear, isPortFree } from "../free-port.ts";
import { lanUrls } from "../lan.ts";
import { REPO_ROOT } from "../paths.ts";
import { paint } from "../report.ts";
import { UsageError } from "../stages.ts";
import { exitOf, spawnWrangler } from "../wrangler.ts";
import { createKey } from "./create-key.ts";

const DEFAULT_PORT = 8790;
const READY_TIMEOUT_MS = 60_000;

const USAGE = `Usage: npm run classroom [-- --port <P>] [--lan] [--session <CODE>] [--at <address>]

  npm run classroom                   a new session, served on this computer (port ${DEFAULT_PORT})
  npm run classroom -- --lan          the same, reachable from the attendees' laptops on your network
  npm run classroom -- --session K7MQ4P   reopen a session (its results are kept between restarts)
  npm run classroom -- --at https://hello-chat-classroom.<you>.workers.dev
                                      a new session on the classroom you deployed
                                      (npm run classroom:deploy), instead of serving one here

It prints the dashboard's address (with your instructor key: keep it to yourself) and the
one line attendees type. Stop it with Ctrl+C. See docs/instructors.md.`;

type Sessions = Record<string, { origin: string; key: string; createdAt: string }>;

async function main(args: string[]): Promise<number> {
  const { values } = parseOptions(
    args,
    { port: { type: "string" }, lan: { type: "boolean" }, session: { type: "string" }, at: { type: "string" } },
    USAGE,
    { noArguments: true },
  );
  const code = values.session?.toUpperCase();
  if (code !== undefined && !CODE_PATTERN.test(code)) throw new UsageError(`--session takes a 6-character code like K7MQ4P (got "${values.session}").`);
  const stateDir = resolve(REPO_ROOT, process.env.CHAT_STATE_DIR ?? ".state", "classroom");
  mkdirSync(stateDir, { recursive: true });

  if (values.at !== undefined) {
    if (values.port || values.lan) throw new UsageError("--at uses a deployed classroom: --port and --lan are for one served here.");
    const origin = URL.parse(values.at)?.origin;
    if (!origin || origin === "null") throw new UsageError(`--at takes the deployed classroom's address, like https://hello-chat-classroom.you.workers.dev (got "${values.at}").`);
    const opened = await openSession(stateDir, origin, code);
    if (typeof opened === "string") {
      console.error(opened);
      return 1;
    }
    console.log(banner(origin, [origin], opened, undefined));
    return 0;
  }

  const port = parsePort(values.port, DEFAULT_PORT);
  if (!(await isPortFree(port))) {
    console.error(`Port ${port} is already in use (a second npm run classroom?).\nStop it, or choose another: npm run classroom -- --port ${await freePortNear(port)}`);
    return 1;
  }
  const child = spawnWrangler(
    [
      "dev", "--config", join(REPO_ROOT, "shared/classroom/wrangler.jsonc"),
      "--ip", values.lan ? "0.0.0.0" : "127.0.0.1", "--port", String(port),
      "--inspector-port", String(await freePort()),
      "--persist-to", stateDir,
      // Every report would print a request line: the classroom's lines below would scroll away.
      "--log-level", "warn",
    ],
    { cwd: stateDir },
  );
  const exited = exitOf(child);
  const origin = `http://127.0.0.1:${port}`;
  if (!(await ready(origin, () => child.exitCode))) {
    child.kill("SIGTERM");
    console.error(`The classroom did not start on port ${port}: wrangler's output above says why.`);
    return (await exited) || 1;
  }
  const opened = await openSession(stateDir, origin, code);
  if (typeof opened === "string") {
    console.error(opened);
    child.kill("SIGTERM");
    await exited;
    return 1;
  }
  const attendeeOrigins = values.lan ? lanUrls(port).map((url) => url.replace(/\/$/, "")) : [`http://localhost:${port}`];
  console.log(banner(`http://localhost:${port}`, attendeeOrigins, opened, values.lan ? undefined : "Only this computer can reach it: add --lan for the attendees' laptops."));
  const shown = relative(REPO_ROOT, stateDir);
  console.log(`State: ${shown.startsWith("..") || isAbsolute(shown) ? stateDir : shown} (kept between restarts). Stop: Ctrl+C\n`);
  return exited;
}

type Opened = { code: string; key: string; reopened: boolean };

/** A new session on `origin`, or the one with `code` whose key this computer remembers. */
async function openSession(stateDir: string, origin: string, code: string | undefined): Promise<Opened | string> {
  const file = join(stateDir, "sessions.json");
  const sessions: Sessions = (() => {
    try {
      return JSON.parse(readFileSync(file, "utf8"));
    } catch {
      return {};
    }
  })();
  if (code !== undefined) {
    const known = sessions[code];
    if (!known) return `This computer did not open session ${code}, so it has no key for it. Sessions opened here: ${Object.keys(sessions).join(", ") || "none"}.`;
    return { code, key: known.key, reopened: true };
  }
  const response = await fetch(`${origin}/api/sessions`, {
    method: "POST",
    // Only a deployed classroom checks it (npm run classroom:deploy uploaded it).
    headers: { Authorization: `Bearer ${createKey()}` },
    signal: AbortSignal.timeout(10_000),
  }).catch((error: Error) => error);
  if (response instanceof Error) return `Could not reach the classroom at ${origin}: ${response.message}`;
  if (response.status !== 201) {
    const error = await response.json().then((body) => (body as { error?: string }).error, () => undefined);
    return `The classroom at ${origin} did not open a session: ${error ?? `HTTP ${response.status}`}`;
  }
  const { code: newCode, key } = (await response.json()) as { code: string; key: string };
  sessions[newCode] = { origin, key, createdAt: new Date().toISOString() };
  writeFileSync(file, JSON.stringify(sessions, null, 2) + "\n", { mode: 0o600 });
  return { code: newCode, key, reopened: false };
}

function banner(dashboardOrigin: string, attendeeOrigins: string[], { code, key, reopened }: Opened, note: string | undefined): string {
  const joins = attendeeOrigins.length > 0
    ? attendeeOrigins.map((origin) => `    ${paint("cyan", `npm run classroom:join -- ${origin}/c/${code} --as "<your name>"`)}`)
    : ["    (no network address found: is this computer on the Wi-Fi?)"];
  return [
    "",
    paint("bold", `Classroom session ${code}${reopened ? " (reopened)" : ""}`),
    "",
    `Dashboard: ${dashboardOrigin}/c/${code}/dashboard#key=${key}`,
    paint("dim", "  (the address holds your instructor key: open it yourself, do not share it)"),
    "",
    "Attendees type, in their checkout:",
    ...joins,
    ...(note ? [paint("yellow", `  ${note}`)] : []),
    "",
    `Reopen it later: npm run classroom -- --session ${code}`,
  ].join("\n");
}

/** Waits until the classroom answers (a 405 from POST-only /api/sessions is an answer). */
async function ready(origin: string, exitCode: () => number | null): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && exitCode() === null) {
    try {
      await fetch(`${origin}/api/sessions`, { signal: AbortSignal.timeout(2_000) });
      return true;
    } catch {
      await sleep(250);
    }
  }
  return false;
}

await run(main);
