// Kit check for the solutions (stage 03 on), not an attendee check: joining a room
// with 100,000 stored messages sends the newest 100 and reads only about that many rows,
// also when the object starts fresh after eviction (its constructor runs again).
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { expect, test } from "vitest";
import { evict, join, newRoom } from "../helpers/chat-client.ts";

const STORED = 100_000;

test(`joining a room with ${STORED.toLocaleString("en")} messages reads about 100 rows`, async () => {
  const room = newRoom("large");
  const stub = env.CHAT.getByName(room);
  const sql = await runInDurableObject(stub, (_instance, state) => {
    seed(state.storage.sql);
    return state.storage.sql;
  });

  // The runtime and these tests share one isolate, so counting every cursor the object opens is one patch away.
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  const prototype = Object.getPrototypeOf(sql) as SqlStorage;
  const exec = prototype.exec;
  prototype.exec = function <T extends Record<string, SqlStorageValue>>(this: SqlStorage, query: string, ...bindings: unknown[]) {
    const cursor = exec.call<SqlStorage, [string, ...unknown[]], SqlStorageCursor<T>>(this, query, ...bindings);
    cursors.push(cursor);
    return cursor;
  };
  try {
    await evict(room, "close");
    const reader = await join(room, "reader");
    for (let i = 0; i < 100; i++) await reader.nextMessage("100 history messages");
    await reader.expectNoMore("message", "no more than 100 history messages");
    expect(reader.all("message").at(-1)?.message).toBe(`message ${STORED}`);
  } finally {
    prototype.exec = exec;
  }
  const rowsRead = cursors.reduce((sum, cursor) => sum + cursor.rowsRead, 0);
  expect(rowsRead, `rows read by ${cursors.length} queries`).toBeLessThanOrEqual(250);
});

/** Fills the room's table in one statement, with or without stage 04's timestamp column. */
function seed(sql: SqlStorage) {
  const numbers = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${STORED})`;
  const columns = sql.exec("SELECT name FROM pragma_table_info('messages')").toArray().map((row) => row.name);
  if (columns.includes("timestamp")) {
    sql.exec(`${numbers} INSERT INTO messages (name, message, timestamp) SELECT 'seed', 'message ' || i, 1700000000000 + i FROM n`);
  } else {
    sql.exec(`${numbers} INSERT INTO messages (name, message) SELECT 'seed', 'message ' || i FROM n`);
  }
}
