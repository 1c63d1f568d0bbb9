// Check runs keep their scratch files in memory where the system has a RAM disk (/dev/shm).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { inRamScratch } from "../ram-scratch.ts";

describe("inRamScratch", { skip: existsSync("/dev/shm") ? false : "no /dev/shm on this system" }, () => {
  test("points the temporary folder into /dev/shm while the body runs, then removes it and restores TMPDIR", async () => {
    const before = process.env.TMPDIR;
    let inside = "";
    const result = await inRamScratch(async () => {
      inside = tmpdir();
      writeFileSync(join(mkdtempSync(join(tmpdir(), "room-")), "db.sqlite"), "x");
      return 42;
    });
    assert.equal(result, 42);
    assert.match(inside, /^\/dev\/shm\/hello-chat-checks-/);
    assert.equal(existsSync(inside), false, "the folder and what the body wrote there are gone");
    assert.equal(process.env.TMPDIR, before);
  });

  test("a body that throws still leaves nothing behind", async () => {
    let inside = "";
    await assert.rejects(inRamScratch(async () => {
      inside = tmpdir();
      throw new Error("a check run that failed to start");
    }), /failed to start/);
    assert.equal(existsSync(inside), false);
  });

  test("a folder an interrupted run left over an hour ago is removed; a recent one is kept", async () => {
    const old = "/dev/shm/hello-chat-checks-test-old";
    const recent = "/dev/shm/hello-chat-checks-test-recent";
    mkdirSync(old, { recursive: true });
    mkdirSync(recent, { recursive: true });
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(old, twoHoursAgo, twoHoursAgo);
    try {
      await inRamScratch(async () => undefined);
      assert.equal(existsSync(old), false, "the stale folder is gone");
      assert.equal(existsSync(recent), true, "a run going on now keeps its folder");
    } finally {
      for (const dir of [old, recent]) if (existsSync(dir)) rmSync(dir, { recursive: true });
    }
  });
});
