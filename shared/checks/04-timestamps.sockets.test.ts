// Stage 04 · Timestamps, on storage that stage 03's code wrote: rooms outlive deploys, so your
// stage 04 code opens a room saved before messages had timestamps. Stage 03's finished code
// writes the room first, then your code is served on the same storage.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, inject } from "vitest";
import { findStage, stageEntry } from "../kit/stages.ts";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { connect, newRoom } from "./sockets/connect.ts";
import { serve } from "./sockets/serve.ts";

const HINT =
  "CREATE TABLE IF NOT EXISTS leaves an existing table as it is: in the constructor, if " +
  "pragma_table_info('messages') lists no \"timestamp\", ALTER TABLE messages ADD COLUMN timestamp " +
  "INTEGER NOT NULL DEFAULT 0. Old messages then have 0: time unknown. See TODO(step 4).";

describe("04 · Timestamps (a room saved by stage 03)", () => {
  check("a room saved by stage 03's code opens: old messages with time 0 (unknown), new ones stamped", HINT, async () => {
    const dir = mkdtempSync(join(tmpdir(), "hello-chat-upgrade-"));
    const handlerLog = join(dir, "handlers.log");
    writeFileSync(handlerLog, "");
    const persist = join(dir, "state");
    const room = newRoom("upgrade");
    try {
      const before = await serve(stageEntry("solutions", findStage("03")!), { dir, handlerLog, persist });
      try {
        const ann = await connect(room, "ann", before.origin);
        ann.say("from stage 03");
        await needs("stage 03's code to store a message", ann.messageWithText("from stage 03", "ann's message is accepted"));
        await ann.close(1000, "bye");
      } finally {
        await before.dispose();
      }
      const after = await serve(inject("entry"), { dir, handlerLog, persist });
      try {
        const alice = await connect(room, "alice", after.origin);
        const history = await alice.next("history", "the history frame, with the message stored by stage 03's code");
        const old = history.messages[0] ?? {};
        if (old.name !== "ann" || old.message !== "from stage 03" || old.timestamp !== 0) {
          throw new CheckFailure('{"name":"ann","message":"from stage 03","timestamp":0,…}', show(old));
        }
        alice.say("after the upgrade");
        const fresh = await alice.messageWithText("after the upgrade", "alice's new message comes back");
        if (!Number.isInteger(fresh.timestamp) || (fresh.timestamp as number) < Date.now() - 60_000) {
          throw new CheckFailure("the new message stamped with the server's clock", show(fresh));
        }
      } finally {
        await after.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // It starts two servers of its own (stage 03's code, then yours): seconds each on a busy laptop.
  }, 30_000);
});
