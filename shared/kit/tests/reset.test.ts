// npm run reset: back to the starter from the kit's own copy (the temp copy has no git
// history), the attendee's version saved first, and never a question nobody can answer.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { readFolder, starterFiles } from "../starters.ts";
import { STAGES } from "../stages.ts";
import { tempKit } from "./temp-kit.ts";

describe("npm run reset", () => {
  const kit = tempKit("reset");
  after(kit.remove);
  const folder = join(kit.dir, "steps/02-broadcast");
  const mine = "// my work in progress\n";
  writeFileSync(join(folder, "src/index.ts"), mine);
  writeFileSync(join(folder, "src/notes.ts"), "// my notes\n");

  test("without a terminal and without --yes it refuses, and changes nothing", () => {
    const { status, stdout, stderr } = kit.run("reset.ts", ["2"]);
    assert.equal(status, 2);
    assert.match(stderr, /npm run reset would replace your steps\/02-broadcast, and asks first, but there is no terminal to ask in\./);
    assert.match(stderr, /run: npm run reset -- 2 --yes/);
    assert.equal(stdout, "");
    assert.equal(readFileSync(join(folder, "src/index.ts"), "utf8"), mine);
  });

  test("at a terminal it asks first, [y/N], and n changes nothing", { skip: process.platform !== "linux" && "script(1) lends the command a terminal on Linux" }, () => {
    // script(1) runs the command on a pseudo-terminal and types what it reads: "n", then Enter.
    const command = `'${process.execPath}' shared/kit/reset.ts 2`;
    const { stdout } = spawnSync("script", ["-qec", command, "/dev/null"], { cwd: kit.dir, input: "n\n", encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 30_000 });
    assert.match(stdout, /This replaces your code in steps\/02-broadcast with the starter \(your version is saved first to \.state\/backups\/\)\. Go ahead\? \[y\/N\]/);
    assert.match(stdout, /Nothing changed: steps\/02-broadcast is as you left it\./);
    assert.equal(readFileSync(join(folder, "src/index.ts"), "utf8"), mine);
  });

  test("--yes saves the attendee's version to a named backup, then restores the starter exactly", () => {
    const { status, stdout } = kit.run("reset.ts", ["02", "--yes"]);
    assert.equal(status, 0, stdout);
    const backup = /^Saved your version of steps\/02-broadcast in (\.state\/backups\/02-broadcast-\d{4}-\d\d-\d\d-\d{6})\/$/m.exec(stdout)?.[1];
    assert.ok(backup, stdout);
    assert.equal(readFileSync(join(kit.dir, backup, "src/index.ts"), "utf8"), mine);
    assert.equal(readFileSync(join(kit.dir, backup, "src/notes.ts"), "utf8"), "// my notes\n");
    assert.match(stdout, /steps\/02-broadcast is the starter again\. Start with npm run step -- 2/);
    // The added file is gone too: the folder is the starter, file for file.
    assert.deepEqual(readFolder(folder), starterFiles(STAGES[1]));
    assert.ok(!existsSync(join(folder, "src/notes.ts")));
  });

  test("a starter nobody touched needs no reset", () => {
    const { status, stdout } = kit.run("reset.ts", ["2"]);
    assert.equal(status, 0);
    assert.match(stdout, /steps\/02-broadcast is already the starter: nothing to reset\./);
  });

  test("bad stage, two stages, unknown option: exit 2; --help: exit 0", () => {
    const bad = kit.run("reset.ts", ["seven", "--yes"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, new RegExp(`There is no stage "seven"\\. Use a number from 1 to ${STAGES.length}`));
    const two = kit.run("reset.ts", ["1", "2"]);
    assert.equal(two.status, 2);
    assert.match(two.stderr, /Give one stage \(got 1 2\)/);
    const option = kit.run("reset.ts", ["1", "--force"]);
    assert.equal(option.status, 2);
    assert.match(option.stderr, /Unknown option '--force'/);
    const help = kit.run("reset.ts", ["--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Your version is saved first, to \.state\/backups\//);
  });
});
