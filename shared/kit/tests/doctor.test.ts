// npm run doctor: every line on a working machine, the advice when the port is taken, and a
// failing exit code only when something required is missing.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { freePort } from "../free-port.ts";
import { REPO_ROOT } from "../paths.ts";
import { tempKit } from "./temp-kit.ts";

describe("npm run doctor", () => {
  const kit = tempKit("doctor");
  after(kit.remove);

  test("on a ready machine: one ✓ per required check, Chromium as optional, exit 0", async () => {
    // The port the test asks about is one it knows to be free, not 8787, which a running `npm run step` may hold.
    const port = await freePort();
    const { status, stdout } = kit.run("doctor.ts", ["--port", String(port)]);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /^ {2}✓ Node\.js v2\d\.\d+\.\d+ \(.*node_modules\/node\/bin\/node\)$/m);
    assert.match(stdout, /^ {2}✓ npm \d+\.\d+\.\d+$/m);
    assert.match(stdout, /^ {2}✓ workerd \S+ starts$/m);
    assert.match(stdout, new RegExp(`^ {2}✓ Port ${port} is free for npm run step$`, "m"));
    assert.match(stdout, /^ {2}✓ The kit's folder is writable/m);
    assert.match(stdout, /^ {2}✓ git version \d/m);
    assert.match(stdout, /^ {2}· Chromium (found|not found) at .* \(optional/m);
    assert.doesNotMatch(stdout, /Fix:/);
    assert.match(stdout, /Ready for the workshop: every required check passes\./);
  });

  test("a port in use is a warning that names a free port for --port, not a failure", async () => {
    const server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      // A bound port refuses a second listener whatever this process is doing, so a synchronous run is fine.
      const { status, stdout } = kit.run("doctor.ts", ["--port", String(port)]);
      assert.equal(status, 0, stdout);
      assert.match(stdout, new RegExp(`^ {2}! Port ${port} is in use`, "m"));
      const other = Number(/Fix: stop that program, or use another port: npm run step -- 1 --port (\d+)$/m.exec(stdout)?.[1]);
      assert.ok(other > 0 && other !== port, stdout);
    } finally {
      server.close();
    }
  });

  test("npm 9, which the first releases of Node 20 came with, fails with what to install", async () => {
    // npm names itself to the scripts it runs, as it would on that laptop.
    const { status, stdout } = kit.run("doctor.ts", ["--port", String(await freePort())], { NO_COLOR: "1", npm_config_user_agent: "npm/9.8.1 node/v20.7.0 linux x64" });
    assert.match(stdout, /^ {2}✗ npm 9\.8\.1 is too old \(the kit needs 10 or newer\)$/m);
    assert.match(stdout, /Fix: install a newer Node\.js \(20\.9 and later come with npm 10\), or npm install --global npm@10\./);
    assert.equal(status, 1, stdout);
  });

  test("bad --port and a stage: exit 2", () => {
    const port = kit.run("doctor.ts", ["--port", "http"]);
    assert.equal(port.status, 2);
    assert.match(port.stderr, /--port must be a whole number from 1 to 65535 \(got "http"\)/);
    const stage = kit.run("doctor.ts", ["3"]);
    assert.equal(stage.status, 2);
    assert.match(stage.stderr, /npm run doctor takes no argument \(got 3\)/);
  });
});

/** A copy of the kit whose node_modules links every package of the real one, and every
 *  node_modules/.bin entry but those in `leaveOut`. */
function brokenKit(name: string, leaveOut: string[]) {
  const kit = tempKit(name, { linkNodeModules: false });
  const modules = join(REPO_ROOT, "node_modules");
  mkdirSync(join(kit.dir, "node_modules/.bin"), { recursive: true });
  for (const name of readdirSync(modules)) {
    if (name !== ".bin") symlinkSync(join(modules, name), join(kit.dir, "node_modules", name), "junction");
  }
  for (const name of readdirSync(join(modules, ".bin"))) {
    if (!leaveOut.includes(name)) symlinkSync(join(modules, ".bin", name), join(kit.dir, "node_modules/.bin", name));
  }
  return kit;
}

describe("npm run doctor on a broken install", () => {
  // node_modules without workerd, and a file where the .state/ folder should be.
  const kit = brokenKit("doctor-broken", ["workerd"]);
  after(kit.remove);
  writeFileSync(join(kit.dir, ".state"), "");

  test("each failure has a Fix line, and the exit code is 1", async () => {
    const { status, stdout } = kit.run("doctor.ts", ["--port", String(await freePort())]);
    assert.equal(status, 1, stdout);
    assert.match(stdout, /^ {2}✗ The Workers runtime \(workerd\) is not installed\n {6}Fix: run npm install in the kit's folder\.$/m);
    assert.match(stdout, /^ {2}✗ The kit cannot write to .*\.state: E\w+\n {6}Fix: clone the kit into a folder you own/m);
    assert.match(stdout, /^ {2}✓ Node\.js/m);
    assert.match(stdout, /2 required checks failed: see the Fix lines above, then run npm run doctor again\./);
  });
});

describe("npm run doctor when the kit's Node never arrived", () => {
  // What `npm install` leaves when it skips install scripts: the "node" package is there, but
  // not the binary its script fetches, so npm links no node_modules/.bin/node.
  const kit = brokenKit("doctor-no-node", ["node"]);
  after(kit.remove);
  const wanted = `v${JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).devDependencies.node}`;
  // npm reads the user's settings from the file npm_config_userconfig names (instead of ~/.npmrc).
  // An `npm test` above passes its own ignore-scripts down as npm_config_ignore_scripts: not here.
  const npmrc = (text: string): Record<string, string> => {
    writeFileSync(join(kit.dir, "user-npmrc"), text);
    const env: Record<string, string | undefined> = { NO_COLOR: "1", npm_config_userconfig: join(kit.dir, "user-npmrc"), npm_config_ignore_scripts: undefined };
    return env as Record<string, string>;
  };

  test("with ignore-scripts=true: says npm skipped the install scripts, and the command that runs them", async () => {
    const { status, stdout } = kit.run("doctor.ts", ["--port", String(await freePort())], npmrc("ignore-scripts=true\n"));
    assert.equal(status, 1, stdout);
    assert.match(
      stdout,
      new RegExp(
        `^ {2}✗ npm is set to skip install scripts \\(ignore-scripts=true\\), so the kit's Node\\.js ${wanted.replaceAll(".", "\\.")} was never installed \\(.*node_modules/\\.bin/node is missing\\)\n` +
          ` {6}Fix: run npm ci --ignore-scripts=false in the kit's folder\\.$`,
        "m",
      ),
    );
    assert.match(stdout, /1 required check failed/);
  });

  test("without it: the kit's Node is missing, npm ci", async () => {
    const { status, stdout } = kit.run("doctor.ts", ["--port", String(await freePort())], npmrc(""));
    assert.equal(status, 1, stdout);
    assert.match(stdout, new RegExp(`^ {2}✗ The kit's own Node\\.js ${wanted.replaceAll(".", "\\.")} is not installed \\(.*is missing\\)\n {6}Fix: run npm ci in the kit's folder\\.$`, "m"));
  });

  test("a node_modules/.bin/node of another version is not the kit's", { skip: process.platform === "win32" && "a shell script stands in for node" }, async () => {
    const fake = join(kit.dir, "node_modules/.bin/node");
    writeFileSync(fake, "#!/bin/sh\necho v20.0.0\n", { mode: 0o755 });
    try {
      const { status, stdout } = kit.run("doctor.ts", ["--port", String(await freePort())], npmrc(""));
      assert.equal(status, 1, stdout);
      assert.match(stdout, new RegExp(`^ {2}✗ The kit's own Node\\.js ${wanted.replaceAll(".", "\\.")} is not installed \\(it is v20\\.0\\.0\\)$`, "m"));
    } finally {
      rmSync(fake);
    }
  });
});

describe("npm run doctor on a Node too old for the kit's .ts files", () => {
  // The Node npm falls back to when the kit's never arrived: the system's, here Debian's.
  const old = ["/usr/bin/node", "/usr/local/bin/node"].map((path) => ({ path, version: spawnSync(path, ["--version"], { encoding: "utf8" }).stdout?.trim() }))
    .find(({ version }) => /^v(1\d|2[01])\.|^v22\.(\d|1[0-7])\./.test(version ?? ""));

  const wantedVersion = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).devDependencies.node as string;

  test("says which Node runs and how to get the kit's, instead of crashing", { skip: !old && "no Node older than 22.18 on this machine" }, () => {
    const result = spawnSync(old!.path, [join(REPO_ROOT, "shared/kit/doctor.mjs")], { encoding: "utf8" });
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`^✗ This is Node\\.js ${old!.version!.replaceAll(".", "\\.")} from your PATH, not the kit's own Node\\.js ${wantedVersion.replaceAll(".", "\\.")}:`));
    assert.match(result.stderr, /Fix: npm ci --ignore-scripts=false/);
    assert.doesNotMatch(result.stderr, /ERR_UNKNOWN_FILE_EXTENSION|at .*:\d+:\d+/);
  });

  test("the troubleshooting page quotes doctor with the kit's Node.js version of package.json", () => {
    const page = readFileSync(join(REPO_ROOT, "docs/troubleshooting.md"), "utf8");
    const quoted = [...page.matchAll(/the kit's (?:own )?Node\.js v?(\d+\.\d+\.\d+)/g)].map((match) => match[1]);
    assert.ok(quoted.length >= 2, "the page quotes doctor's two messages that name the kit's Node.js");
    for (const version of quoted) assert.equal(version, wantedVersion, "a version the page quotes");
  });
});
