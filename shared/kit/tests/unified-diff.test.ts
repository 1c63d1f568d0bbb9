// unifiedDiff (jsdiff) writes patches git accepts: `git apply` turns each old text into the new
// one, byte for byte, on the kit's real stage pairs and on the awkward cases (empty files, a
// missing final newline, CRLF). Hunks may be placed differently from git's own diff (git slides
// them with heuristics), so the test checks what the patch does, not its exact text.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { REPO_ROOT } from "../paths.ts";
import { STAGES, stageEntry } from "../stages.ts";
import { unifiedDiff } from "../unified-diff.ts";

const noGit = spawnSync("git", ["--version"]).status === 0 ? undefined : "git is not installed: nothing to apply the patches with";
const dir = mkdtempSync(join(tmpdir(), "hello-chat-diff-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Diffs the two texts, applies the patch to the old one with `git apply`, and returns the patch. */
function applies(oldText: string, newText: string, context?: number): string {
  writeFileSync(join(dir, "file"), oldText);
  const patch = unifiedDiff(oldText, newText, { oldName: "a/file", newName: "b/file", context });
  const result = spawnSync("git", ["apply", "--unidiff-zero", "--whitespace=nowarn", "-"], { cwd: dir, input: patch, encoding: "utf8" });
  assert.equal(result.status, 0, `git apply refused the patch: ${result.stderr}\n${patch}`);
  assert.equal(readFileSync(join(dir, "file"), "utf8"), newText, patch);
  return patch;
}

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");

test("unifiedDiff: equal texts give an empty string", () => {
  assert.equal(unifiedDiff("a\nb\n", "a\nb\n", { oldName: "x", newName: "y" }), "");
  assert.equal(unifiedDiff("", "", { oldName: "x", newName: "y" }), "");
});

test("unifiedDiff: the file names head the patch", () => {
  assert.match(unifiedDiff("a\n", "b\n", { oldName: "old", newName: "new" }), /^--- old\n\+\+\+ new\n@@ /);
});

describe("unifiedDiff's patches apply with git", { skip: noGit }, () => {
  for (const stage of STAGES) {
    const next = STAGES[stage.number];
    const pairs = [[stageEntry("steps", stage), stageEntry("solutions", stage)], ...(next ? [[stageEntry("solutions", stage), stageEntry("steps", next)]] : [])];
    for (const [oldPath, newPath] of pairs) {
      test(`${oldPath} → ${newPath}, with 3, 1 and 0 lines of context`, () => {
        for (const context of [3, 1, 0]) applies(read(oldPath), read(newPath), context);
      });
    }
  }

  test("from and to an empty file", () => {
    assert.match(applies("", "one\ntwo\n"), /^\+one\n\+two\n$/m);
    applies("one\ntwo\n", "");
  });

  test("a missing final newline is a change, marked as git marks it", () => {
    assert.match(applies("a\nb\nc\n", "a\nb\nc"), /-c\n\+c\n\\ No newline at end of file\n$/);
    applies("a\nb", "a\nb\nc\n");
    applies("a", "b");
  });

  test("CRLF line endings are kept, and a CRLF/LF change shows", () => {
    applies("a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n");
    assert.match(applies("a\nb\n", "a\r\nb\n"), /^-a\n\+a\r\n/m);
  });

  test("changes far apart make separate hunks, close ones share one", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const far = [...lines];
    far[2] = "changed 3";
    far[25] = "changed 26";
    assert.equal(applies(`${lines.join("\n")}\n`, `${far.join("\n")}\n`).match(/^@@/gm)?.length, 2);
    const near = [...lines];
    near[2] = "changed 3";
    near[9] = "changed 10";
    assert.equal(applies(`${lines.join("\n")}\n`, `${near.join("\n")}\n`).match(/^@@/gm)?.length, 1);
  });
});
