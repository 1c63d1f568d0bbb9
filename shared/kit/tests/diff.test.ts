// npm run diff: an attendee's changes against the starter kit's own copy (no git needed), and
// against the solution; a patch when piped, colored only when asked.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { tempKit } from "./temp-kit.ts";
import { STAGES } from "../stages.ts";

describe("npm run diff", () => {
  const kit = tempKit("diff");
  after(kit.remove);
  const step1 = join(kit.dir, "steps/01-echo/src/index.ts");

  test("an untouched starter has no changes, and says where to begin", () => {
    const { status, stdout } = kit.run("diff.ts", ["1"]);
    assert.equal(status, 0);
    assert.match(stdout, /No changes yet: steps\/01-echo is still the starter\. The TODO\(step 1\) comments/);
  });

  test("shows the attendee's changes as a unified diff, plain when piped", () => {
    const starter = readFileSync(step1, "utf8");
    const edited = starter.replace(
      '    return new Response("Not implemented yet: see TODO(step 1) in src/index.ts", { status: 501 });',
      "    return env.CHAT.getByName(join.room).fetch(request);",
    );
    assert.notEqual(edited, starter);
    writeFileSync(step1, edited);
    const { status, stdout } = kit.run("diff.ts", ["01-echo"]);
    assert.equal(status, 0);
    assert.match(stdout, /^--- a\/steps\/01-echo\/src\/index\.ts\n\+\+\+ b\/steps\/01-echo\/src\/index\.ts\n@@ -15,7 \+15,7 @@\n/);
    assert.match(stdout, /^-    return new Response\("Not implemented yet/m);
    assert.match(stdout, /^\+    return env\.CHAT\.getByName\(join\.room\)\.fetch\(request\);$/m);
    assert.doesNotMatch(stdout, /\x1b\[/);
    const colored = kit.run("diff.ts", ["1"], { FORCE_COLOR: "1" }).stdout;
    assert.match(colored, /\x1b\[32m\+    return env\.CHAT/);
    assert.match(colored, /\x1b\[31m-    return new Response/);
  });

  const noGit = spawnSync("git", ["--version"]).status === 0 ? undefined : "git is not installed";
  test("--solution shows what is missing, as a patch that git apply turns into the solution", { skip: noGit }, () => {
    const { status, stdout } = kit.run("diff.ts", ["1", "--solution"]);
    assert.equal(status, 0);
    assert.match(stdout, /^--- a\/steps\/01-echo\/src\/index\.ts\n\+\+\+ b\/solutions\/01-echo\/src\/index\.ts\n/);
    assert.match(stdout, /^\+    this\.ctx\.acceptWebSocket\(server\);$/m);
    const patch = stdout.replaceAll("b/solutions/", "b/steps/");
    const applied = spawnSync("git", ["apply", "-"], { cwd: kit.dir, input: patch, encoding: "utf8" });
    assert.equal(applied.status, 0, applied.stderr);
    assert.equal(readFileSync(step1, "utf8"), readFileSync(join(kit.dir, "solutions/01-echo/src/index.ts"), "utf8"));
    assert.match(kit.run("diff.ts", ["1", "--solution"]).stdout, /^steps\/01-echo has the same code as solutions\/01-echo\.$/m);
  });

  test("a file the attendee added shows as new", () => {
    copyFileSync(join(kit.dir, "steps/02-broadcast/src/index.ts"), join(kit.dir, "steps/02-broadcast/src/extra.ts"));
    const { stdout } = kit.run("diff.ts", ["2"]);
    assert.match(stdout, /^--- \/dev\/null\n\+\+\+ b\/steps\/02-broadcast\/src\/extra\.ts\n@@ -0,0 \+1,\d+ @@/m);
  });

  test("bad stage and unknown option: exit 2; --help: exit 0", () => {
    const bad = kit.run("diff.ts", ["0"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, new RegExp(`There is no stage "0"\\. Use a number from 1 to ${STAGES.length}`));
    const option = kit.run("diff.ts", ["1", "--solutions"]);
    assert.equal(option.status, 2);
    assert.match(option.stderr, /Unknown option '--solutions'[\s\S]*Usage: npm run diff/);
    const help = kit.run("diff.ts", ["-h"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /npm run diff -- 3 --solution {3}what the solution has/);
  });
});
