// npm run check -- N --watch: a long-running child in a temporary copy of the kit. The test
// waits for its first report, saves a file, and waits for the report of the re-run.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { tempKit } from "./temp-kit.ts";

/** A running `check.ts … --watch` and everything it printed so far. */
function startWatch(dir: string, args: string[]) {
  const child = spawn(process.execPath, [join(dir, "shared/kit/check.ts"), ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, PWD: dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));

  /** Waits until the output printed after `from` matches, and returns where the match ends. */
  function waitFor(pattern: RegExp, from = 0, timeoutMs = 90_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const look = () => {
        const match = pattern.exec(output.slice(from));
        if (!match) return false;
        clearTimeout(timer);
        child.stdout?.off("data", look);
        resolve(from + match.index + match[0].length);
        return true;
      };
      const timer = setTimeout(() => {
        child.stdout?.off("data", look);
        reject(new Error(`no ${pattern} within ${timeoutMs} ms; the output so far:\n${output}`));
      }, timeoutMs);
      if (!look()) child.stdout?.on("data", look);
    });
  }
  return { child, waitFor, output: () => output };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

describe("npm run check -- N --watch", () => {
  const kit = tempKit("watch");
  after(kit.remove);
  const step1 = join(kit.dir, "steps/01-echo/src/index.ts");
  const starter = readFileSync(step1, "utf8");

  test("runs the checks, shows a bar and the first failure, and runs again when a file is saved", async () => {
    const watch = startWatch(kit.dir, ["1", "--watch"]);
    try {
      let at = await watch.waitFor(/Watching steps\/01-echo for changes \(file watching\)/);
      const first = watch.output().slice(0, at);
      // The starter passes only the checks of what it is given (the Worker's request checks).
      const [, passing, total] = /\[█+░+\] (\d+) of (\d+) checks pass/.exec(first) ?? assert.fail(`no progress bar in:\n${first}`);
      const starterBar = new RegExp(`${passing} of ${total} checks pass`);
      assert.match(first, /✗ 01 · Echo: GET \/ws with a room and a name opens a WebSocket\n {4}Expected:/);
      assert.match(first, new RegExp(`${Number(total) - Number(passing) - 1} more failing after this one`));
      assert.match(first, /Stuck\? npm run hint -- 1 in another terminal gives a hint\./);

      copyFileSync(join(kit.dir, "solutions/01-echo/src/index.ts"), step1);
      at = await watch.waitFor(/steps\/01-echo\/src\/index\.ts changed: checking again…/, at);
      at = await watch.waitFor(new RegExp(`Stage 1 is done: all ${total} checks pass\\.[\\s\\S]*Watching steps/01-echo`), at);

      // Several saves in a burst make one run, not one each.
      writeFileSync(step1, starter);
      writeFileSync(step1, `${starter}\n`);
      writeFileSync(step1, starter);
      at = await watch.waitFor(new RegExp(`${starterBar.source}[\\s\\S]*Watching steps/01-echo`), at);
      assert.equal(watch.output().match(/checking again…/g)?.length, 2);

      assert.equal(await stop(watch.child), 0);
      assert.match(watch.output(), /Stopped watching\.\n$/);
    } finally {
      await stop(watch.child);
    }
  });

  test("--poll looks for changes every second, says so, and notices a save", async () => {
    writeFileSync(step1, starter);
    const watch = startWatch(kit.dir, ["01-echo", "--watch", "--poll"]);
    try {
      let at = await watch.waitFor(/--poll: checking steps\/01-echo for changes every 1 s instead\./);
      at = await watch.waitFor(/\d+ of \d+ checks pass[\s\S]*Watching steps\/01-echo for changes \(checking for changes every 1 s\)/, at);
      writeFileSync(step1, `${starter}\nexport const broken = ;\n`);
      at = await watch.waitFor(/changed: checking again…/, at);
      await watch.waitFor(/Your code in steps\/01-echo\/src\/index\.ts did not load, so no check could run/, at);
    } finally {
      await stop(watch.child);
    }
  });

  test("--watch without a stage, --poll without --watch, --watch with --json: exit 2", () => {
    const noStage = kit.run("check.ts", ["--watch"]);
    assert.equal(noStage.status, 2);
    assert.match(noStage.stderr, /--watch needs a stage to watch: npm run check -- 3 --watch/);
    const poll = kit.run("check.ts", ["1", "--poll"]);
    assert.equal(poll.status, 2);
    assert.match(poll.stderr, /--poll goes with --watch/);
    const json = kit.run("check.ts", ["1", "--watch", "--json"]);
    assert.equal(json.status, 2);
    assert.match(json.stderr, /--watch and --json do not go together/);
    const bad = kit.run("check.ts", ["99", "--watch"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /There is no stage "99"/);
  });
});
