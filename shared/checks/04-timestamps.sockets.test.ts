// Stage 04 · Timestamps, on storage that stage 03's code wrote: rooms outlive deploys, so your
// stage 04 code opens a room saved before messages had timestamps. Stage 03's finished code
// saves the room before your code is served on a copy of that storage (sockets/target.ts).
import { describe } from "vitest";
import { check, CheckFailure, show } from "./helpers/check.ts";
import { connect } from "./sockets/connect.ts";
import { SAVED_BY_STAGE_03 } from "./sockets/stage-03-room.ts";
import { served } from "./sockets/target.ts";

const HINT =
  "CREATE TABLE IF NOT EXISTS leaves an existing table as it is: in the constructor, if " +
  "pragma_table_info('messages') lists no \"timestamp\", ALTER TABLE messages ADD COLUMN timestamp " +
  "INTEGER NOT NULL DEFAULT 0. Old messages then have 0: time unknown. See TODO(step 4).";

describe("04 · Timestamps (a room saved by stage 03)", () => {
  check("a room saved by stage 03's code opens: old messages with time 0 (unknown), new ones stamped", HINT, async () => {
    const alice = await connect(served().upgradeRoom!, "alice");
    const history = await alice.next("history", "the history frame, with the message stored by stage 03's code");
    const old = history.messages[0] ?? {};
    if (old.name !== "ann" || old.message !== SAVED_BY_STAGE_03 || old.timestamp !== 0) {
      throw new CheckFailure(`{"name":"ann","message":"${SAVED_BY_STAGE_03}","timestamp":0,…}`, show(old));
    }
    alice.say("after the upgrade");
    // The first write to storage that older code made: on a laptop busy with other work (npm test
    // checks 140 such folders at once) it has taken over 2 s, so this one wait is longer.
    const fresh = await alice.messageWithText("after the upgrade", "alice's new message comes back", 5000);
    if (!Number.isInteger(fresh.timestamp) || (fresh.timestamp as number) < Date.now() - 60_000) {
      throw new CheckFailure("the new message stamped with the server's clock", show(fresh));
    }
  });
});
