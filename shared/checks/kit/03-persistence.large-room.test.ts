// Kit check for the solutions (stage 03 on), not an attendee check: joining a room
// with 100,000 stored messages sends the newest 100 and reads only about that many rows,
// also when the object starts fresh after eviction (its constructor runs again), and so
// does a reconnect that asks for the messages after one it has (`after`).
import { env } from "../helpers/target.ts";
import { runInDurableObject } from "cloudflare:test";
import { expect, test } from "vitest";
import { ChatClient, evict, newRoom, request } from "../helpers/chat-client.ts";

const STORED = 100_000;

test(`joining a room with ${STORED.toLocaleString("en")} messages reads about 100 rows, also when resuming`, async () => {
  const room = newRoom("large");
  const stub = env.CHAT.getByName(room);
  const sql = await runInDurableObject(stub, (_instance, state) => {
    seed(state.storage.sql);
    return state.storage.sql;
  });

  // The runtime and these tests share one isolate, so counting every cursor the object opens is one patch away.
  // Every object of the runtime shares it, so each cursor is kept with the storage that opened it: other checks'
  // rooms run meanwhile (from stage 10, their alarms delete old messages), and only this room's reads count.
  const cursors: { storage: SqlStorage; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] = [];
  const prototype = Object.getPrototypeOf(sql) as SqlStorage;
  const exec = prototype.exec;
  prototype.exec = function <T extends Record<string, SqlStorageValue>>(this: SqlStorage, query: string, ...bindings: unknown[]) {
    const cursor = exec.call<SqlStorage, [string, ...unknown[]], SqlStorageCursor<T>>(this, query, ...bindings);
    cursors.push({ storage: this, cursor });
    return cursor;
  };
  /** Joins (after `after`, if given) and returns the history frame, with the rows read on the way. */
  const joinCounting = async (after?: number) => {
    const start = cursors.length;
    const reader = await joinAfter(room, "reader", after);
    const history = await reader.next("history", "the history frame");
    await reader.expectNoMore("history", "exactly one history frame");
    expect(reader.all("message"), "no message frames besides the history").toHaveLength(0);
    await reader.close();
    // The room's object is still the one that served the join: its storage tells its cursors from the others'.
    const own = await runInDurableObject(stub, (_instance, state) => state.storage.sql);
    const mine = cursors.slice(start).filter(({ storage }) => storage === own);
    expect(mine.length, "queries of the room's own storage seen").toBeGreaterThan(0);
    const rowsRead = mine.reduce((sum, { cursor }) => sum + cursor.rowsRead, 0);
    return { ...history, rowsRead, queries: mine.length };
  };
  try {
    await evict(room, "close");
    const fresh = await joinCounting();
    expect(fresh.messages).toHaveLength(100);
    expect(fresh.messages.at(-1)?.message).toBe(`message ${STORED}`);
    expect(fresh.truncated, "a new client has missed nothing").toBeUndefined();
    expect(fresh.rowsRead, `rows read by ${fresh.queries} queries`).toBeLessThanOrEqual(250);

    // seed() gives message i the id i. 200 missed: the newest 100 of them, and `truncated`.
    const behind = await joinCounting(STORED - 200);
    expect(behind.messages.map((frame) => frame.id)).toEqual(range(STORED - 99, STORED));
    expect(behind.truncated).toBe(true);
    expect(behind.rowsRead, `rows read by ${behind.queries} queries`).toBeLessThanOrEqual(250);

    // 50 missed: all of them.
    const recent = await joinCounting(STORED - 50);
    expect(recent.messages.map((frame) => frame.id)).toEqual(range(STORED - 49, STORED));
    expect(recent.messages.at(-1)?.message).toBe(`message ${STORED}`);
    expect(recent.truncated).toBeUndefined();
    expect(recent.rowsRead, `rows read by ${recent.queries} queries`).toBeLessThanOrEqual(250);
  } finally {
    prototype.exec = exec;
  }
});

/** Opens a socket to `room`, with `after` when given (the helpers' join() has no `after`). */
async function joinAfter(room: string, name: string, after?: number): Promise<ChatClient> {
  const query = new URLSearchParams({ room, name, ...(after === undefined ? {} : { after: String(after) }) });
  const response = await request(`/ws?${query}`, { headers: { Upgrade: "websocket" } });
  expect(response.status, `GET /ws?${query} opens a WebSocket`).toBe(101);
  return new ChatClient(name, response.webSocket!);
}

/** The whole numbers from `first` to `last`. */
const range = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);

/** Fills the room's table in one statement, with or without stage 04's timestamp column. Message i gets the id i. */
function seed(sql: SqlStorage) {
  const numbers = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${STORED})`;
  const columns = sql.exec("SELECT name FROM pragma_table_info('messages')").toArray().map((row) => row.name);
  if (columns.includes("timestamp")) {
    // Recent times, one millisecond apart: from stage 10 on, older messages would be the alarm's to delete.
    sql.exec(`${numbers} INSERT INTO messages (id, name, message, timestamp) SELECT i, 'seed', 'message ' || i, ? + i FROM n`, Date.now() - 200_000);
  } else {
    sql.exec(`${numbers} INSERT INTO messages (id, name, message) SELECT i, 'seed', 'message ' || i FROM n`);
  }
}
