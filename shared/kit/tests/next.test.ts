// npm run next: the first stage that does not pass, from untouched starters (no checks run)
// and from real check runs of the stages an attendee has started, in order, stopping at the
// first that fails and skipping those that passed and have not changed since. (The "all 6 pass" answer
// needs every stage's checks, over a minute here, so it is left to a manual run.)
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { tempKit } from "./temp-kit.ts";

describe("npm run next", () => {
  const kit = tempKit("next");
  after(kit.remove);
  const finish = (slug: string) => cpSync(join(kit.dir, "solutions", slug, "src"), join(kit.dir, "steps", slug, "src"), { recursive: true });

  test("a fresh kit starts at stage 1, without running any check", () => {
    const { status, stdout } = kit.run("next.ts");
    assert.equal(status, 0);
    assert.match(stdout, /^Next: 01 · Echo \(steps\/01-echo: not started yet\)$/m);
    assert.match(stdout, /^ {2}npm run step -- 1 +serve it at http:\/\/localhost:8787\/$/m);
    assert.match(stdout, /^ {2}npm run check -- 1 +what works and what is left/m);
    assert.match(stdout, /Read steps\/01-echo\/README\.md for the TODOs, and the guide's page http:\/\/localhost:5173\/steps\/01-echo \(npm run docs serves it\) for the ideas\./);
    assert.doesNotMatch(stdout, /Running the checks/);
  });

  test("stage 1 finished and stage 2 started: stage 2, with how many of its checks pass", () => {
    finish("01-echo");
    const step2 = join(kit.dir, "steps/02-broadcast/src/index.ts");
    writeFileSync(step2, `${readFileSync(step2, "utf8")}// started\n`);
    const { status, stdout } = kit.run("next.ts");
    assert.equal(status, 0, stdout);
    assert.match(stdout, /Running the checks of steps\/01-echo…[^]*Running the checks of steps\/02-broadcast…/);
    assert.match(stdout, /^Next: 02 · Broadcast \(steps\/02-broadcast: \d+ of \d+ checks pass\)$/m);
  });

  test("run again: stage 1 passed and has not changed, so only stage 2 is checked", () => {
    const { status, stdout } = kit.run("next.ts");
    assert.equal(status, 0, stdout);
    assert.doesNotMatch(stdout, /steps\/01-echo…/);
    assert.match(stdout, /Running the checks of steps\/02-broadcast…/);
    assert.match(stdout, /^Next: 02 · Broadcast/m);
  });

  test("it stops at the first stage that does not pass: a broken stage 1 is next, stage 2 is not checked", () => {
    const step1 = join(kit.dir, "steps/01-echo/src/index.ts");
    writeFileSync(step1, readFileSync(step1, "utf8").replace("this.ctx.acceptWebSocket(server);", "server.accept();"));
    const { status, stdout } = kit.run("next.ts");
    assert.equal(status, 0, stdout);
    assert.match(stdout, /Running the checks of steps\/01-echo…/);
    assert.doesNotMatch(stdout, /steps\/02-broadcast…/);
    assert.match(stdout, /^Next: 01 · Echo \(steps\/01-echo: \d+ of \d+ checks pass\)$/m);
  });

  test("takes no stage and no options: exit 2", () => {
    const stage = kit.run("next.ts", ["2"]);
    assert.equal(stage.status, 2);
    assert.match(stage.stderr, /npm run next takes no argument \(got 2\)/);
    const option = kit.run("next.ts", ["--all"]);
    assert.equal(option.status, 2);
    assert.match(option.stderr, /Unknown option '--all'/);
  });
});
