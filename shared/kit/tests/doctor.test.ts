// npm run doctor: every line on a working machine, the advice when the port is taken, and a
// failing exit code only when something required is missing.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
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

  test("bad --port and a stage: exit 2; --help: exit 0", () => {
    const port = kit.run("doctor.ts", ["--port", "http"]);
    assert.equal(port.status, 2);
    assert.match(port.stderr, /--port needs a port number from 1 to 65535 \(got "http"\)/);
    const stage = kit.run("doctor.ts", ["3"]);
    assert.equal(stage.status, 2);
    assert.match(stage.stderr, /npm run doctor takes no stage/);
    const help = kit.run("doctor.ts", ["--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: npm run doctor/);
  });
});

describe("npm run doctor on a broken install", () => {
  // node_modules without workerd, and a file where the .state/ folder should be.
  const kit = tempKit("doctor-broken", { linkNodeModules: false });
  after(kit.remove);
  const modules = join(REPO_ROOT, "node_modules");
  mkdirSync(join(kit.dir, "node_modules/.bin"), { recursive: true });
  for (const name of readdirSync(modules)) {
    if (name !== ".bin") symlinkSync(join(modules, name), join(kit.dir, "node_modules", name), "junction");
  }
  for (const name of readdirSync(join(modules, ".bin"))) {
    if (name !== "workerd") symlinkSync(join(modules, ".bin", name), join(kit.dir, "node_modules/.bin", name));
  }
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
