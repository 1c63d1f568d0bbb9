// `npm run step -- N [--port P] [--lan]` and `npm run solution -- N [--port P] [--lan]`: serves
// one stage's folder with `wrangler dev`, each with its own local Durable Object state.
import { mkdirSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { freePort, freePortNear, isPortFree } from "./free-port.ts";
import { lanUrls } from "./lan.ts";
import { REPO_ROOT } from "./paths.ts";
import { configFile } from "./worker-settings.ts";
import { parseStage, stageDir, stageEntry, UsageError, type Kind } from "./stages.ts";
import { parseOptions, parsePort, run } from "./cli.ts";
import { exitOf, spawnWrangler } from "./wrangler.ts";

const DEFAULT_PORT = 8787;

function commandOf(kind: Kind): string {
  return kind === "steps" ? "npm run step" : "npm run solution";
}

function usage(kind: Kind): string {
  const command = commandOf(kind);
  return `Usage: ${command} -- <N> [--port <P>] [--lan]

  ${command} -- 3              serve ${kind}/03-persistence at http://localhost:${DEFAULT_PORT}/
  ${command} -- 3 --port 8788  the same on another port (to run two at once, say)
  ${command} -- 3 --lan        also reachable from phones and laptops on your network

N may be written 3, 03 or 03-persistence. Stop the server with Ctrl+C.`;
}

async function main([kindArg, ...args]: string[]): Promise<number> {
  if (kindArg !== "steps" && kindArg !== "solutions") {
    throw new UsageError(`serve.ts: the first argument must be "steps" or "solutions" (got ${kindArg ?? "nothing"}).`);
  }
  const kind: Kind = kindArg;
  const { values, positionals } = parseOptions(args, { port: { type: "string" }, lan: { type: "boolean" } }, usage(kind));
  if (positionals.length > 1) throw new UsageError(`Give one stage (got ${positionals.join(" ")}).`);
  const stage = parseStage(positionals[0]);
  const port = parsePort(values.port, DEFAULT_PORT);
  // By default only this computer can connect; --lan opens the server to the local network.
  const host = values.lan ? "0.0.0.0" : "127.0.0.1";

  if (!(await isPortFree(port))) {
    console.error(
      `Port ${port} is already in use (another server, or a second \`${commandOf(kind)}\`?).\n` +
        `Stop it, or choose another port: ${commandOf(kind)} -- ${stage.number} --port ${await freePortNear(port)}`,
    );
    return 1;
  }

  // CHAT_STATE_DIR lets the kit's tests keep their data out of the attendee's .state/.
  const stateDir = resolve(REPO_ROOT, process.env.CHAT_STATE_DIR ?? ".state", kind, stage.slug);
  const shownStateDir = relative(REPO_ROOT, stateDir);
  console.log(`
Serving ${stageDir(kind, stage)} (stage ${stage.number}: ${stage.title}) with wrangler dev.
  Open   http://localhost:${port}/
  State  ${shownStateDir.startsWith("..") || isAbsolute(shownStateDir) ? stateDir : shownStateDir} (kept between restarts)
  Stop   Ctrl+C
${values.lan ? lanBanner(port) : ""}`);

  const wranglerArgs = [
    "dev", join(REPO_ROOT, stageEntry(kind, stage)),
    "--config", join(REPO_ROOT, configFile(stageDir(kind, stage))),
    "--ip", host,
    "--port", String(port),
    // wrangler's default inspector port is the same for every server: two at once would collide.
    "--inspector-port", String(await freePort()),
    "--persist-to", stateDir,
  ];
  mkdirSync(stateDir, { recursive: true });
  // Run from the state folder, not the repository: there, wrangler compares ./worker-configuration.d.ts
  // with types made for this one entry and warns "Your types might be out of date" on every start.
  // The kit's types serve all stages at once (a kit test keeps them current), so the warning is
  // noise. wrangler's own scratch files (.wrangler/) land in the state folder too.
  return exitOf(spawnWrangler(wranglerArgs, { cwd: stateDir }));
}

function lanBanner(port: number): string {
  const urls = lanUrls(port);
  if (urls.length === 0) {
    return "  Phones: no network address found. Is this computer connected to the Wi-Fi?\n";
  }
  return (
    urls.map((url, i) => `  ${i === 0 ? "Phones" : "      "} ${url}`).join("\n") +
    "\n         (on the same network; anyone on it can open the chat)\n"
  );
}

await run(main);
