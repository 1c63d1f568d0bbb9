// Counts what a room's SQL queries read. The Durable Objects run in the same isolate as the
// checks, so wrapping SqlStorage's exec sees every cursor the object opens.
import { env } from "./target.ts";
import { runInDurableObject } from "cloudflare:test";
import { CheckFailure } from "./check.ts";
import { whileReplaced } from "./replaced.ts";

/**
 * Stores `count` messages ("message 1" …) straight into the room's `messages` table, with the
 * columns the stage 03 TODO names: much faster than sending them.
 */
export async function seedMessages(room: string, count: number): Promise<void> {
  try {
    await runInDurableObject(env.CHAT.getByName(room), (_instance, state) => {
      state.storage.sql.exec(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
         INSERT INTO messages (name, message) SELECT 'writer', 'message ' || i FROM n`,
      );
    });
  } catch (error) {
    throw new CheckFailure(
      `${count} messages stored in the table messages (name, message) that the stage 03 TODO describes`,
      `storing them failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export type Reads = { total: number; queries: { query: string; rowsRead: number }[] };

/** Runs `body` and returns the rows read by every SQL query made meanwhile (in any object). */
export async function rowsReadDuring(body: () => Promise<void>): Promise<Reads> {
  // Every object's storage shares one prototype; an object of its own finds it without starting
  // the room's object, whose constructor's queries must count too.
  const prototype = await runInDurableObject(env.CHAT.getByName(`rows-read-${crypto.randomUUID()}`), (_instance, state) =>
    Object.getPrototypeOf(state.storage.sql) as SqlStorage,
  );
  const seen: { query: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] = [];
  await whileReplaced(prototype, {
    exec: (exec) => function (this: SqlStorage, ...args: unknown[]) {
      const cursor = exec.apply(this, args) as SqlStorageCursor<Record<string, SqlStorageValue>>;
      seen.push({ query: String(args[0]), cursor });
      return cursor;
    },
  }, body);
  const queries = seen.map(({ query, cursor }) => ({ query: query.replace(/\s+/g, " ").trim(), rowsRead: cursor.rowsRead }));
  return { total: queries.reduce((sum, q) => sum + q.rowsRead, 0), queries };
}

/** The queries that read the most, for a failure message. */
export function heaviest(reads: Reads, count = 2): string {
  return [...reads.queries]
    .sort((a, b) => b.rowsRead - a.rowsRead)
    .slice(0, count)
    .map((q) => `${q.rowsRead} by ${JSON.stringify(q.query.length > 70 ? `${q.query.slice(0, 67)}…` : q.query)}`)
    .join(", ");
}
