// npm run offline:pack, on a small node_modules shaped like the kit's (not the real 500 MB one):
// what `tar -xzf` gives back elsewhere still has its symlink and its execute bit.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { tempKit } from "./temp-kit.ts";

const name = `hello-chat-offline-${process.platform}-${process.arch}.tgz`;

describe("npm run offline:pack", { skip: process.platform === "win32" && "Windows has no execute bits, and its .bin holds .cmd files" }, () => {
  const kit = tempKit("offline", { linkNodeModules: false });
  const elsewhere = mkdtempSync(join(tmpdir(), "hello-chat-offline-restore-"));
  after(() => {
    kit.remove();
    rmSync(elsewhere, { recursive: true, force: true });
  });
  const modules = join(kit.dir, "node_modules");
  mkdirSync(join(modules, "node/bin"), { recursive: true });
  mkdirSync(join(modules, ".bin"));
  mkdirSync(join(modules, "plain"));
  writeFileSync(join(modules, "node/bin/node"), "#!/bin/sh\necho v0.0.0-fixture\n", { mode: 0o755 });
  writeFileSync(join(modules, "plain/index.js"), "export {};\n", { mode: 0o644 });

  test("without node_modules/.bin/node: refuses to pack a broken install, exit 1, no archive", () => {
    const { status, stderr } = kit.run("offline.ts");
    assert.equal(status, 1);
    assert.match(stderr, /node_modules\/\.bin\/node is missing: run npm run doctor, and pack once it passes\./);
    assert.equal(existsSync(join(kit.dir, name)), false);
  });

  test("packs node_modules; tar -xzf in another folder gives back the symlink and the execute bit", () => {
    // npm's own layout: .bin/node is a relative symlink to the package's binary.
    symlinkSync("../node/bin/node", join(modules, ".bin/node"));
    const { status, stdout, stderr } = kit.run("offline.ts");
    assert.equal(status, 0, stderr);
    assert.match(stdout, new RegExp(`^Wrote .*${name} \\(\\d+ MB\\), for ${process.platform}-${process.arch} only\\.$`, "m"));
    assert.match(stdout, new RegExp(`tar -xzf ${name}, then npm run doctor\\.`));

    // The attendee's side: the exact command the guide gives, in a folder of its own.
    const restore = spawnSync("tar", ["-xzf", join(kit.dir, name)], { cwd: elsewhere, encoding: "utf8" });
    assert.equal(restore.status, 0, restore.stderr);
    const link = join(elsewhere, "node_modules/.bin/node");
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readlinkSync(link), "../node/bin/node");
    assert.notEqual(statSync(join(elsewhere, "node_modules/node/bin/node")).mode & 0o111, 0);
    assert.equal(statSync(join(elsewhere, "node_modules/plain/index.js")).mode & 0o111, 0);
    const run = spawnSync(link, [], { encoding: "utf8" });
    assert.equal(run.stdout, "v0.0.0-fixture\n");
  });

  test("an argument: exit 2", () => {
    const extra = kit.run("offline.ts", ["somewhere"]);
    assert.equal(extra.status, 2);
    assert.match(extra.stderr, /npm run offline:pack takes no argument \(got somewhere\)/);
  });
});
