import type { Mistake } from "./mistake.ts";

const STAMP = "const timestamp = Math.max(Date.now(), this.lastTimestamp + 1);";
const RESTORE = `const newest = ctx.storage.sql.exec<{ timestamp: number }>(
      "SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1",
    );
    this.lastTimestamp = newest.next().value?.timestamp ?? 0;`;

export const mistakes: Mistake[] = [
  {
    did: "keeps lastTimestamp in a module variable, restored in the constructor: every room of the isolate shares it, and a room that starts resets it",
    patch: [
      ["  /** The newest timestamp handed out, so two messages never share one. */\n  private lastTimestamp: number;\n", ""],
      ["    this.lastTimestamp = newest.next().value?.timestamp ?? 0;", "    lastTimestamp = newest.next().value?.timestamp ?? 0;"],
      ["/** One instance per room: it owns the room's sockets and its stored messages. */", "let lastTimestamp = 0;\n\n/** One instance per room: it owns the room's sockets and its stored messages. */"],
      ["const timestamp = Math.max(Date.now(), this.lastTimestamp + 1);\n    this.lastTimestamp = timestamp;", "const timestamp = Math.max(Date.now(), lastTimestamp + 1);\n    lastTimestamp = timestamp;"],
    ],
    fails: "timestamps strictly increase, even within one millisecond",
    says: "after another room started",
  },
  {
    did: "keeps lastTimestamp in a module variable, never read from storage: it survives an eviction in one isolate, not a deploy",
    patch: [
      ["  /** The newest timestamp handed out, so two messages never share one. */\n  private lastTimestamp: number;\n", ""],
      ["    const newest = ctx.storage.sql.exec<{ timestamp: number }>(\n      \"SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1\",\n    );\n    this.lastTimestamp = newest.next().value?.timestamp ?? 0;\n", ""],
      ["/** One instance per room: it owns the room's sockets and its stored messages. */", "let lastTimestamp = 0;\n\n/** One instance per room: it owns the room's sockets and its stored messages. */"],
      ["const timestamp = Math.max(Date.now(), this.lastTimestamp + 1);\n    this.lastTimestamp = timestamp;", "const timestamp = Math.max(Date.now(), lastTimestamp + 1);\n    lastTimestamp = timestamp;"],
    ],
    fails: "timestamps keep increasing after a restart, even when the clock went back",
    says: "a timestamp greater than the newest stored before the restart",
  },
  {
    did: "stamps with Date.now() alone",
    patch: [[STAMP, "const timestamp = Date.now();"]],
    fails: "timestamps strictly increase, even within one millisecond",
    says: "sent within one millisecond",
  },
  {
    did: "never updates lastTimestamp after stamping",
    patch: [["this.lastTimestamp = timestamp;", ""]],
    fails: "timestamps strictly increase, even within one millisecond",
    says: "keep the result in this.lastTimestamp",
  },
  {
    did: "adds 1 only when Date.now() equals the last stamp",
    patch: [[STAMP, "const now = Date.now();\n    const timestamp = now === this.lastTimestamp ? now + 1 : now;"]],
    fails: "timestamps strictly increase, even within one millisecond",
    says: "each timestamp greater than the one before",
  },
  {
    did: "makes serverTime from a second reading of the clock",
    patch: [["serverTime: new Date(timestamp).toISOString()", "serverTime: new Date().toISOString()"]],
    fails: "timestamps strictly increase, even within one millisecond",
    says: "serverTime: the same instant",
  },
  {
    did: "stamps in seconds, not milliseconds",
    patch: [[STAMP, "const timestamp = Math.max(Math.floor(Date.now() / 1000), this.lastTimestamp + 1);"]],
    fails: "messages carry the server's timestamp and serverTime",
    says: "whole milliseconds since 1970",
  },
  {
    did: "sends the timestamp but does not store it",
    patch: [
      ['"INSERT INTO messages (name, message, timestamp) VALUES (?, ?, ?) RETURNING id",', '"INSERT INTO messages (name, message) VALUES (?, ?) RETURNING id",'],
      ["        frame.message,\n        timestamp,\n      )", "        frame.message,\n      )"],
    ],
    fails: "history carries the original timestamps",
    says: '"timestamp":0',
  },
  {
    did: "starts lastTimestamp at 0 instead of restoring it from storage",
    patch: [["private lastTimestamp: number;", "private lastTimestamp = 0;"], [RESTORE, ""]],
    fails: "timestamps keep increasing after a restart, even when the clock went back",
    says: "SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1",
  },
  {
    did: "restores lastTimestamp in fetch, which a message that wakes the object from hibernation never runs",
    patch: [
      [`    const newest = ctx.storage.sql.exec<{ timestamp: number }>(
      "SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1",
    );
    this.lastTimestamp = newest.next().value?.timestamp ?? 0;
`, "    this.lastTimestamp = 0;\n"],
      ['    const after = Number(params.get("after") ?? 0);\n', `    const after = Number(params.get("after") ?? 0);
    this.lastTimestamp = this.ctx.storage.sql.exec<{ timestamp: number }>("SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1").next().value?.timestamp ?? 0;
`],
    ],
    fails: "timestamps keep increasing after the object hibernated, with everyone still connected",
    says: "before the object hibernated",
  },
  {
    did: "restores lastTimestamp from the oldest row (no DESC)",
    patch: [["ORDER BY id DESC LIMIT 1", "ORDER BY id LIMIT 1"]],
    fails: "timestamps keep increasing after a restart, even when the clock went back",
    says: "a timestamp greater than the newest stored before the restart",
  },
  {
    did: "adds the column to CREATE TABLE, but does not upgrade rooms saved before",
    patch: [
      ["      message TEXT NOT NULL\n    )`);", "      message TEXT NOT NULL,\n      timestamp INTEGER NOT NULL DEFAULT 0\n    )`);"],
      [`    const columns = ctx.storage.sql.exec("SELECT name FROM pragma_table_info('messages')").toArray();
    if (!columns.some((column) => column.name === "timestamp")) {
      ctx.storage.sql.exec("ALTER TABLE messages ADD COLUMN timestamp INTEGER NOT NULL DEFAULT 0");
    }
`, ""],
    ],
    fails: "a room saved by stage 03's code opens: old messages with time 0 (unknown), new ones stamped",
    says: "ALTER TABLE",
  },
  {
    did: "restores lastTimestamp with MAX(timestamp), which reads every row",
    patch: [['"SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1"', '"SELECT MAX(timestamp) AS timestamp FROM messages"']],
    fails: "joining a room of 300 messages reads about 100 rows, not all of them",
    says: "rows read",
  },
  {
    did: "restores lastTimestamp with .one(), which throws in an empty room",
    patch: [[RESTORE, `this.lastTimestamp = ctx.storage.sql
      .exec<{ timestamp: number }>("SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1")
      .one().timestamp;`]],
    fails: "GET /ws with a room and a name opens a WebSocket",
    says: "Expected: GET /ws",
  },
  {
    did: "adds timestamp to the frame but not serverTime",
    patch: [[", serverTime: new Date(timestamp).toISOString() };", " };"]],
    fails: "messages carry the server's timestamp and serverTime",
    says: "serverTime: the same instant as an ISO 8601 string",
  },
  {
    did: "adds the timestamp column without DEFAULT 0, so the messages stage 03 stored have null for a time",
    patch: [["ALTER TABLE messages ADD COLUMN timestamp INTEGER NOT NULL DEFAULT 0", "ALTER TABLE messages ADD COLUMN timestamp INTEGER"]],
    fails: "a room saved by stage 03's code opens: old messages with time 0 (unknown), new ones stamped",
    says: "\"timestamp\":null",
  },
  {
    did: "stores a Date.now() of its own in the INSERT, not the timestamp it sent",
    patch: [["        frame.message,\n        timestamp,\n      )", "        frame.message,\n        Date.now(),\n      )"]],
    fails: "history carries the original timestamps",
    says: "the stored messages' times, as they were sent",
  },
];
