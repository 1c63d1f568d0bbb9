// unifiedDiff against git's own: the same text, byte for byte, on the kit's real stage pairs
// and on the awkward cases (empty files, a missing final newline, CRLF).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { REPO_ROOT } from "../paths.ts";
import { STAGES, stageEntry } from "../stages.ts";
import { unifiedDiff } from "../unified-diff.ts";

const noGit = spawnSync("git", ["--version"]).status === 0 ? undefined : "git is not installed: nothing to compare with";

/**
 * `git diff --no-index` from its `---` line on. Git appends the enclosing function after
 * each `@@ … @@`; unifiedDiff does not, so that part is left out.
 */
function gitDiff(oldPath: string, newPath: string, context = 3): string {
  const result = spawnSync(
    "git",
    ["diff", "--no-index", "--no-color", "--no-ext-diff", "--no-indent-heuristic", `-U${context}`, oldPath, newPath],
    { cwd: REPO_ROOT, encoding: "utf8" },
  );
  assert.ok(result.status === 0 || result.status === 1, result.stderr);
  const start = result.stdout.indexOf("\n--- ");
  if (start === -1) return "";
  return result.stdout.slice(start + 1).replace(/^(@@ -\S+ \+\S+ @@).*$/gm, "$1");
}

function ours(oldPath: string, newPath: string, context?: number): string {
  const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");
  return unifiedDiff(read(oldPath), read(newPath), { oldName: `a/${oldPath}`, newName: `b/${newPath}`, context });
}

test("unifiedDiff: equal texts give an empty string", () => {
  assert.equal(unifiedDiff("a\nb\n", "a\nb\n", { oldName: "x", newName: "y" }), "");
  assert.equal(unifiedDiff("", "", { oldName: "x", newName: "y" }), "");
});

describe("unifiedDiff matches git diff on the kit's stages", { skip: noGit }, () => {
  const pairs: [string, string][] = [];
  for (const stage of STAGES) {
    pairs.push([stageEntry("steps", stage), stageEntry("solutions", stage)]);
    const next = STAGES[stage.number];
    if (next) pairs.push([stageEntry("solutions", stage), stageEntry("steps", next)]);
    if (next) pairs.push([stageEntry("solutions", stage), stageEntry("solutions", next)]);
  }
  for (const [oldPath, newPath] of pairs) {
    test(`${oldPath} → ${newPath}`, () => {
      const expected = gitDiff(oldPath, newPath);
      assert.notEqual(expected, "");
      assert.equal(ours(oldPath, newPath), expected);
    });
  }

  test("with 1 and 0 lines of context", () => {
    const [oldPath, newPath] = [stageEntry("solutions", STAGES[3]), stageEntry("solutions", STAGES[4])];
    for (const context of [0, 1]) assert.equal(ours(oldPath, newPath, context), gitDiff(oldPath, newPath, context));
  });
});

describe("unifiedDiff: edge cases, as git writes them", { skip: noGit }, () => {
  const dir = mkdtempSync(join(tmpdir(), "hello-chat-diff-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let count = 0;

  /** Writes both texts to files, then compares our diff with git's. */
  function same(oldText: string, newText: string) {
    const oldPath = join(dir, `old-${++count}`);
    const newPath = join(dir, `new-${count}`);
    writeFileSync(oldPath, oldText);
    writeFileSync(newPath, newText);
    const expected = gitDiff(oldPath, newPath).replace(/^--- a\/.*$/m, "--- old").replace(/^\+\+\+ b\/.*$/m, "+++ new");
    assert.equal(unifiedDiff(oldText, newText, { oldName: "old", newName: "new" }), expected);
    return expected;
  }

  test("from and to an empty file", () => {
    assert.match(same("", "one\ntwo\n"), /^@@ -0,0 \+1,2 @@\n\+one\n\+two\n$/m);
    assert.match(same("one\ntwo\n", ""), /^@@ -1,2 \+0,0 @@$/m);
  });

  test("a missing final newline is a change, marked as git marks it", () => {
    const diff = same("a\nb\nc\n", "a\nb\nc");
    assert.match(diff, /-c\n\+c\n\\ No newline at end of file\n$/);
    same("a\nb", "a\nb\nc\n");
    same("a", "b");
  });

  test("CRLF line endings are kept, and a CRLF/LF change shows", () => {
    same("a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n");
    const diff = same("a\nb\n", "a\r\nb\n");
    assert.match(diff, /^-a\n\+a\r\n/m);
  });

  test("changes far apart make separate hunks, close ones share one", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const far = [...lines];
    far[2] = "changed 3";
    far[25] = "changed 26";
    assert.equal(same(`${lines.join("\n")}\n`, `${far.join("\n")}\n`).match(/^@@/gm)?.length, 2);
    const near = [...lines];
    near[2] = "changed 3";
    near[9] = "changed 10";
    assert.equal(same(`${lines.join("\n")}\n`, `${near.join("\n")}\n`).match(/^@@/gm)?.length, 1);
  });

  test("repeated lines (blank lines, closing braces) slide the way git slides them", () => {
    same("{\n}\n\n{\n}\n", "{\n}\n\n{\n}\n\n{\n}\n");
    same("a\n\n\nb\n", "a\n\n\n\nb\n");
    same("x\ny\nx\ny\nx\n", "x\ny\nx\n");
  });
});
