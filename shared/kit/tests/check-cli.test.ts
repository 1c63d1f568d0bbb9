// `npm run check` as an attendee runs it: a child process, its output and its exit code.
// The runs that do not depend on each other run side by side: most of a run is waiting.
import assert from "node:assert/strict";
import { cpSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { REPO_ROOT } from "../paths.ts";
import { STAGES } from "../stages.ts";
import { NO_NETWORK, noNetworkSkipReason, runNode } from "./run-node.ts";
import { tempKit } from "./temp-kit.ts";

function check(args: string[], cwd = REPO_ROOT, within?: string[]) {
  return runNode(join(cwd, "shared/kit/check.ts"), args, { cwd, env: { ...process.env, NO_COLOR: "1", PWD: cwd }, within });
}

describe("npm run check", { concurrency: true }, () => {
  describe("npm run check: arguments", { concurrency: true }, () => {
    test("a stage that does not exist is explained, exit 2", async () => {
      const { status, stderr } = await check(["99"]);
      assert.equal(status, 2);
      assert.match(stderr, new RegExp(`There is no stage "99"\\. Use a number from 1 to ${STAGES.length}`));
    });

    test("an unknown option shows the usage, exit 2", async () => {
      const { status, stderr } = await check(["3", "--nope"]);
      assert.equal(status, 2);
      assert.match(stderr, /Unknown option '--nope'/);
      assert.match(stderr, /Usage: npm run check/);
    });

    test("--help shows the usage, exit 0", async () => {
      const { status, stdout } = await check(["--help"]);
      assert.equal(status, 0);
      assert.match(stdout, /N may be written 3, 03 or 03-persistence/);
    });
  });

  describe("npm run check -- N", { concurrency: true }, () => {
    test("a solution passes, with --json results for tools (stage written as 02-broadcast)", async () => {
      const { status, stdout } = await check(["02-broadcast", "--solution", "--json"]);
      assert.equal(status, 0, stdout);
      const result = JSON.parse(stdout);
      assert.equal(result.folder, "solutions/02-broadcast");
      assert.deepEqual(
        result.suites.map((s: { stage: { slug: string } }) => s.stage.slug),
        ["01-echo", "02-broadcast"],
      );
      for (const suite of result.suites) {
        assert.ok(suite.checks.length > 0 && suite.checks.every((c: { passed: boolean }) => c.passed));
      }
    });

    test("--json stays parseable while the runtime prints: a room that leaves a promise rejected makes workerd report it", async () => {
      // Stage 01's solution, in a copy, whose Worker calls a method of the room that throws, and
      // catches the error: the runtime reports every Durable Object method that throws.
      const kit = tempKit("check-prints");
      try {
        const entry = join(kit.dir, "steps/01-echo/src/index.ts");
        cpSync(join(kit.dir, "solutions/01-echo/src"), join(kit.dir, "steps/01-echo/src"), { recursive: true });
        const code = readFileSync(entry, "utf8");
        const [call, room] = ["    return room.fetch(request);", "export class Chat extends DurableObject<Env> {"];
        assert.ok(code.split(call).length === 2 && code.split(room).length === 2, "solutions/01-echo changed: find another place for the throwing call");
        writeFileSync(entry, code
          .replace(call, `    await (room as unknown as { fails(): Promise<void> }).fails().catch(() => {});\n${call}`)
          .replace(room, `${room}\n  fails() {\n    throw new Error("printed by the runtime on purpose");\n  }\n`));
        const { status, stdout, stderr } = await check(["1", "--json"], kit.dir);
        assert.equal(status, 0, stdout + stderr);
        assert.equal(JSON.parse(stdout).folder, "steps/01-echo");
        // What the runtime printed went to stderr instead.
        assert.match(stderr, /printed by the runtime on purpose/);
      } finally {
        kit.remove();
      }
    });

    test("an untouched starter fails, saying what was expected, what came, and where to look", async () => {
      const { status, stdout } = await check(["01"]);
      assert.equal(status, 1);
      assert.match(stdout, /Checking steps\/01-echo against stages 1–1/);
      assert.match(stdout, /✗ a message comes back to its sender, with the sender's name/);
      assert.match(stdout, /Expected: GET \/ws\?room=.*opens a WebSocket \(status 101\)/);
      assert.match(stdout, /Got: +status 501/);
      assert.match(stdout, /Hint: +In the Worker's fetch, get the room's object/);
      assert.match(stdout, /The TODO\(step 1\) comments in steps\/01-echo\/src\/index.ts show where to work; the guide's page http:\/\/localhost:5173\/steps\/01-echo \(npm run docs serves it\) explains the ideas\./);
      assert.match(stdout, /Stuck\? npm run hint -- 1 gives a hint, one more each time you ask\./);
    });
  });

  // The setup page promises that after npm install everything works offline.
  test("with no network at all, only loopback, a solution passes its checks and nothing warns", { skip: noNetworkSkipReason() }, async () => {
    const { status, stdout, stderr } = await check(["4", "--solution"], REPO_ROOT, NO_NETWORK);
    assert.equal(status, 0, stdout + stderr);
    assert.match(stdout, /Stage 4 is done: all \d+ checks pass\./);
    // Miniflare, for one, warns when it cannot fetch Request.cf data, and goes on.
    assert.doesNotMatch(stdout + stderr, /\[mf:(warn|error)\]|unable to fetch|ENOTFOUND|EAI_AGAIN|ENETUNREACH/i);
  });

  // One after another: each run sees what the one before left in the copy.
  describe("npm run check (progress)", { concurrency: false }, () => {
    // A copy of the kit where the attendee finished stage 1 and started stage 2.
    const kit = tempKit("check");
    after(kit.remove);
    const copy = kit.dir;
    cpSync(join(copy, "solutions/01-echo/src"), join(copy, "steps/01-echo/src"), { recursive: true });
    const step2 = join(copy, "steps/02-broadcast/src/index.ts");
    writeFileSync(step2, `${readFileSync(step2, "utf8")}\n// started, not finished\n`);

    test("shows passed, failing and not started stages, and what to do next", async () => {
      const { status, stdout } = await check([], copy);
      assert.equal(status, 1, stdout);
      assert.match(stdout, /✓ 01 · Echo +passed +(\d+)\/\1 checks/);
      assert.match(stdout, /✗ 02 · Broadcast +failing +\d+\/\d+ checks/);
      assert.match(stdout, /· 03 · Persistence +not started/);
      // The bar counts the workshop's six stages; the optional ones follow under their own heading.
      assert.match(stdout, /^\[█{4}░{20}\] 1 of 6 stages done\n\nOptional, for those who finish early\n\n +· 07 · Private messages +not started/m);
      assert.match(stdout, /Next: 02 · Broadcast\. npm run check -- 2 shows what is left/);
      assert.doesNotMatch(stdout, /not checked again/);
    });

    test("the next table checks again only what did not pass or changed since", async () => {
      const again = await check([], copy);
      assert.match(again.stdout, /✓ 01 · Echo +passed/);
      assert.match(again.stdout, /✗ 02 · Broadcast +failing/);
      assert.match(again.stdout, /\(steps\/01-echo: unchanged since they passed, not checked again\)/);

      // A saved file (here, a broken echo) makes stage 1 count for real again.
      const step1 = join(copy, "steps/01-echo/src/index.ts");
      writeFileSync(step1, readFileSync(step1, "utf8").replace("this.ctx.acceptWebSocket(server);", "server.accept();"));
      const changed = await check([], copy);
      assert.match(changed.stdout, /✗ 01 · Echo +failing/);
      assert.doesNotMatch(changed.stdout, /not checked again/);
    });

    test("--json without a stage: the same table, one object per stage, for a script", async () => {
      const { status, stdout } = await check(["--json"], copy);
      assert.equal(status, 1, stdout);
      const rows = JSON.parse(stdout) as { folder: string; status: string; passed: number; total: number }[];
      assert.equal(rows.length, 10);
      // Stage 1 is the broken echo the test above saved.
      assert.deepEqual(rows.slice(0, 3).map(({ folder, status }) => ({ folder, status })), [
        { folder: "steps/01-echo", status: "failing" },
        { folder: "steps/02-broadcast", status: "failing" },
        { folder: "steps/03-persistence", status: "not started" },
      ]);
      assert.ok(rows[1].passed > 0 && rows[1].passed < rows[1].total, stdout);
    });
  });
});
