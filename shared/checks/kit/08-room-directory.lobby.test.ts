// Kit check for solution 08 on: what the guide says of the lobby's table, beyond the attendee's
// checks. list() reads the busiest rooms through the index, in order, without sorting the table.
import { expect, test } from "vitest";
import { env } from "../helpers/target.ts";
import { runInDurableObject } from "cloudflare:test";

test("the lobby reads the busiest rooms through its index (online DESC, name), without a sort", async () => {
  const lobby = (env as { LOBBY?: DurableObjectNamespace }).LOBBY!.getByName("lobby");
  const plan = await runInDurableObject(lobby, (_instance, state) =>
    state.storage.sql
      .exec<{ detail: string }>("EXPLAIN QUERY PLAN SELECT name, online FROM rooms ORDER BY online DESC, name LIMIT 100")
      .toArray()
      .map((row) => row.detail),
  );
  expect(plan.join("\n")).toMatch(/USING (COVERING )?INDEX busiest/);
  expect(plan.join("\n")).not.toMatch(/TEMP B-TREE/);
});
