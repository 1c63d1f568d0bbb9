// `npm run doctor [-- --port <P>]`: the preflight to run before a workshop. Each check says what
// it found and, when something is wrong, the one thing to do about it. Works offline.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromiumPath } from "./browser/chromium.ts";
import { parseOptions, parsePort, run } from "./cli.ts";
import { freePortNear, isPortFree } from "./free-port.ts";
import { REPO_ROOT } from "./paths.ts";
import { paint } from "./report.ts";

const USAGE = `Usage: npm run doctor [-- --port <P>]

Checks that this machine is ready for the workshop: the kit's Node.js, npm, the Workers
runtime (workerd), a free port for npm run step (8787, or the one given with --port), a
writable checkout, git, and (optional) Chromium. Needs no network.
Exit code 0 when every required check passes.`;

/** Wrangler 4 needs this Node.js; the kit installs its own (the "node" dev dependency). */
const MIN_NODE = [22, 12] as const;
const MIN_NPM = 10;

type Finding = { level: "ok" | "fail" | "warn" | "info"; text: string; fix?: string };

async function main(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { port: { type: "string" } }, USAGE, { noArguments: true });
  const port = parsePort(values.port, 8787);

  console.log(`${paint("bold", "Checking this machine for the hello-chat workshop")}\n`);
  const findings = [node(), npm(), workerd(), await portFree(port), writable(), git(), chromium()];
  for (const finding of findings) {
    const mark = { ok: paint("green", "✓"), fail: paint("red", "✗"), warn: paint("yellow", "!"), info: paint("dim", "·") }[finding.level];
    console.log(`  ${mark} ${finding.text}`);
    if (finding.fix) console.log(`      ${paint("cyan", "Fix:")} ${finding.fix}`);
  }
  const failed = findings.filter((f) => f.level === "fail").length;
  console.log("");
  if (failed > 0) {
    console.log(paint(["bold", "red"], `${failed} required check${failed === 1 ? "" : "s"} failed: see the Fix lines above, then run npm run doctor again.`));
    return 1;
  }
  console.log(paint(["bold", "green"], "Ready for the workshop: every required check passes."));
  return 0;
}

function node(): Finding {
  // The kit's Node arrives through the "node" package's install script. When npm skips install
  // scripts, node_modules/.bin/node never appears and `npm run` quietly uses whatever `node` is
  // on PATH, so check the kit's own binary, not only the Node running this file.
  const wanted = `v${JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).devDependencies.node}`;
  const kitNode = join(REPO_ROOT, "node_modules/.bin", process.platform === "win32" ? "node.cmd" : "node");
  const kitVersion = existsSync(kitNode) ? output(kitNode, ["--version"]) : undefined;
  if (kitVersion !== wanted) {
    const why = !existsSync(kitNode) ? `${kitNode} is missing` : kitVersion ? `it is ${kitVersion}` : `${kitNode} does not run`;
    // `npm install` would not help: it leaves a package that is already in node_modules alone,
    // skipped script or not. `npm ci` installs everything again, with the install scripts.
    if (output("npm", ["config", "get", "ignore-scripts"]) === "true") {
      return {
        level: "fail",
        text: `npm is set to skip install scripts (ignore-scripts=true), so the kit's Node.js ${wanted} was never installed (${why})`,
        fix: "run npm ci --ignore-scripts=false in the kit's folder.",
      };
    }
    return { level: "fail", text: `The kit's own Node.js ${wanted} is not installed (${why})`, fix: "run npm ci in the kit's folder." };
  }
  // The same version elsewhere (a system Node 24.21.0) runs the kit just as well.
  if (process.version !== wanted) {
    const [major, minor] = process.versions.node.split(".").map(Number);
    const old = major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1]);
    return {
      level: old ? "fail" : "warn",
      text: `Node.js ${process.version} (${process.execPath}) runs the kit, not the kit's own ${wanted}${old ? `; Wrangler needs ${MIN_NODE.join(".")} or newer` : ""}`,
      fix: "start the kit's commands with npm run (it puts the kit's Node.js first), not with node directly.",
    };
  }
  return { level: "ok", text: `Node.js ${process.version} (${process.execPath})` };
}

function npm(): Finding {
  // npm names itself to the scripts it runs; only a direct `node doctor.ts` has to ask it.
  const fromAgent = /\bnpm\/(\d+[\w.-]*)/.exec(process.env.npm_config_user_agent ?? "")?.[1];
  const version = fromAgent ?? output("npm", ["--version"]);
  if (!version) return { level: "fail", text: "npm was not found", fix: "install Node.js from https://nodejs.org (it comes with npm)." };
  if (Number(version.split(".")[0]) < MIN_NPM) {
    return { level: "fail", text: `npm ${version} is too old (the kit needs ${MIN_NPM} or newer)`, fix: "install a newer Node.js (20.9 and later come with npm 10), or npm install --global npm@10." };
  }
  return { level: "ok", text: `npm ${version}` };
}

function workerd(): Finding {
  const bin = join(REPO_ROOT, "node_modules/.bin", process.platform === "win32" ? "workerd.cmd" : "workerd");
  if (!existsSync(bin)) return { level: "fail", text: "The Workers runtime (workerd) is not installed", fix: "run npm install in the kit's folder." };
  const result = spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 30_000, shell: process.platform === "win32" });
  if (result.status !== 0) {
    const why = (result.error?.message ?? `${result.stderr}${result.stdout}`).trim().split("\n")[0];
    return {
      level: "fail",
      text: `The Workers runtime (workerd) did not start: ${why || `exit code ${result.status}`}`,
      fix: "run npm install again; on Linux, workerd needs glibc 2.35 or newer (Ubuntu 22.04, Debian 12).",
    };
  }
  return { level: "ok", text: `${result.stdout.trim()} starts` };
}

async function portFree(port: number): Promise<Finding> {
  if (await isPortFree(port)) return { level: "ok", text: `Port ${port} is free for npm run step` };
  const other = await freePortNear(port);
  return {
    level: "warn",
    text: `Port ${port} is in use (another npm run step, or another program)`,
    fix: `stop that program, or use another port: npm run step -- 1 --port ${other}`,
  };
}

function writable(): Finding {
  const probe = join(REPO_ROOT, ".state", `.doctor-${process.pid}`);
  try {
    mkdirSync(join(REPO_ROOT, ".state"), { recursive: true });
    writeFileSync(probe, "");
    rmSync(probe);
    return { level: "ok", text: "The kit's folder is writable (local Durable Object state goes to .state/)" };
  } catch (error) {
    return {
      level: "fail",
      text: `The kit cannot write to ${join(REPO_ROOT, ".state")}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      fix: "clone the kit into a folder you own, such as one in your home folder.",
    };
  }
}

function git(): Finding {
  const version = output("git", ["--version"]);
  if (version) return { level: "ok", text: version };
  return {
    level: "warn",
    text: "git was not found (the kit works without it: npm run reset keeps its own copy of every starter)",
    fix: "install git to keep your own history of your work: https://git-scm.com/downloads",
  };
}

function chromium(): Finding {
  const path = chromiumPath();
  return existsSync(path)
    ? { level: "info", text: `Chromium found at ${path} (optional: used by the kit's browser tests)` }
    : { level: "info", text: `Chromium not found at ${path} (optional: only the kit's browser tests use it; set CHROMIUM_PATH if it lives elsewhere)` };
}

/** The first line a program prints, or undefined when it cannot run. */
function output(command: string, args: string[]): string | undefined {
  // In the kit's folder, so that npm reads the kit's own .npmrc, if it has one.
  const result = spawnSync(command, args, { cwd: REPO_ROOT, encoding: "utf8", timeout: 30_000, shell: process.platform === "win32" });
  return result.status === 0 ? result.stdout.trim().split("\n")[0] : undefined;
}

await run(main);
