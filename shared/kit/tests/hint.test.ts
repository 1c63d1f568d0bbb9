// npm run hint: the hint files' shape (the docs include them too), and one more hint per call.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { hintsFile, parseHints } from "../hints.ts";
import { REPO_ROOT } from "../paths.ts";
import { STAGES } from "../stages.ts";
import { tempKit } from "./temp-kit.ts";

describe("shared/hints: 3 to 4 VitePress details blocks per stage", () => {
  for (const stage of STAGES) {
    test(hintsFile(stage), () => {
      const markdown = readFileSync(join(REPO_ROOT, hintsFile(stage)), "utf8");
      const hints = parseHints(markdown);
      assert.ok(hints.length >= 3 && hints.length <= 4, `${hints.length} hints`);
      const titles = [...markdown.matchAll(/^::: details (.*)$/gm)].map((m) => m[1]);
      assert.deepEqual(
        titles.map((title) => /^Hint (\d+): \S/.exec(title)?.[1]),
        hints.map((_, index) => String(index + 1)),
        "titles read 'Hint 1: …', 'Hint 2: …' in order",
      );
      // Nothing outside the blocks, and every block closed: the docs include the file as it is.
      const outside = markdown.replace(/^::: details .*\n[\s\S]*?^:::[ \t]*$/gm, "").trim();
      assert.equal(outside, "");
      for (const hint of hints) {
        assert.ok(hint.body.length > 0, `hint "${hint.title}" is empty`);
        assert.equal((hint.body.match(/^\s*```/gm) ?? []).length % 2, 0, `unclosed code fence in "${hint.title}"`);
      }
    });
  }
});

describe("npm run hint", () => {
  const kit = tempKit("hint");
  after(kit.remove);

  test("shows one more hint each time, remembers the count per stage, and --all shows every hint", () => {
    const first = kit.run("hint.ts", ["3"]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^03 · Persistence · hint 1 of 4: SQLite inside the object$/m);
    assert.match(first.stdout, /Run npm run hint -- 3 again for hint 2 of 4\./);
    assert.doesNotMatch(first.stdout, /hint 2 of 4:/);

    const second = kit.run("hint.ts", ["03-persistence"]);
    assert.match(second.stdout, /hint 2 of 4: Create the table in a constructor/);
    // Code blocks lose their fences and are indented; inline code keeps its backticks without colors.
    assert.doesNotMatch(second.stdout, /```/);
    assert.match(second.stdout, /^ {4}constructor\(ctx: DurableObjectState, env: Env\) \{$/m);
    assert.match(second.stdout, /`CREATE TABLE IF NOT EXISTS`/);
    assert.deepEqual(JSON.parse(readFileSync(join(kit.dir, ".state/hints.json"), "utf8")), { "03-persistence": 2 });

    // Another stage counts on its own.
    assert.match(kit.run("hint.ts", ["1"]).stdout, /01 · Echo · hint 1 of 4/);

    const all = kit.run("hint.ts", ["3", "--all"]);
    assert.equal(all.status, 0);
    for (let n = 1; n <= 4; n++) assert.match(all.stdout, new RegExp(`hint ${n} of 4:`));
    const again = kit.run("hint.ts", ["3"]);
    assert.match(again.stdout, /hint 4 of 4: The newest 100, oldest first/);
    assert.match(again.stdout, /You have seen all 4 hints for this stage/);
  });

  test("the last hint points to the solution diff", () => {
    kit.run("hint.ts", ["2"]);
    kit.run("hint.ts", ["2"]);
    const last = kit.run("hint.ts", ["2"]);
    assert.match(last.stdout, /hint 3 of 3: A small helper keeps it readable/);
    assert.match(last.stdout, /That was the last hint\. .*npm run diff -- 2 --solution/);
  });

  test("colors only when asked: no escape codes without a terminal", () => {
    assert.doesNotMatch(kit.run("hint.ts", ["4"]).stdout, /\x1b\[/);
    assert.match(kit.run("hint.ts", ["4"], { FORCE_COLOR: "1" }).stdout, /\x1b\[36m/);
  });

  test("bad stage, no stage, unknown option: exit 2 with what to do; --help: exit 0", () => {
    const bad = kit.run("hint.ts", ["99"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, new RegExp(`There is no stage "99"\\. Use a number from 1 to ${STAGES.length}`));
    const none = kit.run("hint.ts");
    assert.equal(none.status, 2);
    assert.match(none.stderr, /Which stage\? Give its number\.\n\nUsage: npm run hint/);
    const option = kit.run("hint.ts", ["1", "--every"]);
    assert.equal(option.status, 2);
    assert.match(option.stderr, /Unknown option '--every'/);
    const help = kit.run("hint.ts", ["--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: npm run hint -- <N> \[--all\]/);
    assert.equal(bad.stdout + none.stdout + option.stdout, "");
  });
});
