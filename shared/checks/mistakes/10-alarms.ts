import type { Mistake } from "./mistake.ts";

const NONE = "    if (times.length === 0) return this.ctx.storage.deleteAlarm();\n";
const SOONER = `    const next = Math.min(...times);
    const set = await this.ctx.storage.getAlarm();
    if (set === null || next < set) await this.ctx.storage.setAlarm(next);
`;
const AFTER_STORE = "    if ((await this.ctx.storage.getAlarm()) === null) await this.scheduleAlarm();\n";
const DELETE = `    const deleted = !expired ? 0 : this.ctx.storage.sql.exec(
      "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE timestamp <= ? ORDER BY id LIMIT ?)",
      cutoff,
      DELETE_BATCH,
    ).rowsWritten;
`;
const LEFT =
  "      ws.close(GHOST_CODE, GHOST_REASON);\n      // A ghost sends no close frame back, so webSocketClose may never come: leave now. Should\n" +
  "      // its browser wake and answer after all, the mark keeps it from leaving a second time.\n      this.leave(ws);\n";

const COPIED = "    // Nor AUTOINCREMENT, which ALTER TABLE cannot add: their table is copied into one that has\n" +
  "    // it, once, in one transaction (all of it, or nothing if the object stops halfway).\n" +
  "    const { sql: created } = sql.exec<{ sql: string }>(\"SELECT sql FROM sqlite_master WHERE name = 'messages'\").one();\n" +
  "    if (!created.includes(\"AUTOINCREMENT\")) {\n" +
  "      this.ctx.storage.transactionSync(() => {\n" +
  "        sql.exec(`CREATE TABLE messages_autoincrement ${schema}`);\n" +
  "        sql.exec(\"INSERT INTO messages_autoincrement SELECT id, name, message, timestamp FROM messages\");\n" +
  "        sql.exec(\"DROP TABLE messages\");\n" +
  "        sql.exec(\"ALTER TABLE messages_autoincrement RENAME TO messages\");\n" +
  "      });\n" +
  "    }\n";

export const mistakes: Mistake[] = [
  {
    did: "runs the clean-up with setTimeout instead of the Durable Object's alarm",
    patch: [[NONE, "    if (times.length === 0) return;\n"], [SOONER, "    setTimeout(() => void this.alarm(), Math.max(0, Math.min(...times) - Date.now()));\n"]],
    // The timer keeps the object awake, which stage 02's hibernation check meets first.
    fails: "everyone still receives messages after the object hibernates",
    says: "a timer (setInterval, setTimeout)",
  },
  {
    did: "keeps the alarm coming back every 30 s, even in an empty, idle room",
    patch: [[NONE, "    if (times.length === 0) times.push(Date.now() + GHOST_SWEEP_MS);\n"]],
    fails: "the alarm leaves an empty, idle room without an alarm",
    says: "no alarm left once the room is empty",
  },
  {
    did: "keeps the newest 500 messages instead of the last 7 days' (retention by count)",
    patch: [[DELETE, `    const deleted = this.ctx.storage.sql.exec(
      "DELETE FROM messages WHERE id NOT IN (SELECT id FROM messages ORDER BY id DESC LIMIT ?)",
      DELETE_BATCH,
    ).rowsWritten;
`]],
    fails: "the alarm deletes the messages older than the retention and keeps the newer ones",
    says: "the ages in minutes of the messages left",
  },
  {
    did: "deletes every expired message in one unbounded DELETE",
    patch: [[DELETE, `    const deleted = !expired ? 0 : this.ctx.storage.sql.exec(
      "DELETE FROM messages WHERE timestamp <= ?",
      cutoff,
    ).rowsWritten;
`]],
    fails: "a run deletes at most 500 messages and comes back at once for the rest",
    says: "leaves 700",
  },
  {
    did: "sets the alarm without looking at the one set already: each arrival puts the ghost sweep off by 30 s",
    patch: [[SOONER, "    await this.ctx.storage.setAlarm(Math.min(...times));\n"]],
    fails: "an arrival or a message does not put off the ghost sweep: the alarm set when the first came stays",
    says: "as set when alice came, still there after bob joined",
  },
  {
    did: "sets no alarm after storing a message",
    patch: [[AFTER_STORE, ""]],
    fails: "storing a message sets the room's alarm, for when the oldest message expires",
    says: "a message stored in a room without an alarm sets one",
  },
  {
    did: "sets the alarm for the newest message's expiry instead of the oldest's",
    patch: [['"SELECT timestamp FROM messages ORDER BY id LIMIT 1"', '"SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1"']],
    fails: "the alarm deletes the messages older than the retention and keeps the newer ones",
    says: "the alarm set for when the oldest message left expires",
  },
  {
    did: "does not set the next alarm at the end of alarm()",
    patch: [["    await this.scheduleAlarm(deleted === DELETE_BATCH ? now : undefined);\n", "    void deleted;\n"]],
    fails: "storing a message sets the room's alarm, for when the oldest message expires",
    says: "once everyone left, the alarm at the oldest message's timestamp",
  },
  {
    did: "sets no alarm when a socket connects, so a quiet room is never swept for ghosts",
    patch: [["    void this.scheduleAlarm();\n    return new Response(null, { status: 101, webSocket: client });\n", "    return new Response(null, { status: 101, webSocket: client });\n"]],
    fails: "while a socket is open, an alarm is set within 30 s, even without messages",
    says: "an alarm in 30 s at most",
  },
  {
    did: "ignores RETENTION_SECONDS: the alarm always keeps 7 days",
    patch: [["    const cutoff = now - retentionSeconds(this.env) * 1000;\n", "    const cutoff = now - DEFAULT_RETENTION_SECONDS * 1000;\n"]],
    fails: "the alarm keeps messages for RETENTION_SECONDS, the Worker variable",
    says: "with RETENTION_SECONDS=3600",
  },
  {
    did: "sets the next alarm with the constant 7 days, not RETENTION_SECONDS: with an hour, an emptied room sleeps a week",
    patch: [["    if (oldest) times.push(oldest.timestamp + retentionSeconds(this.env) * 1000);\n", "    if (oldest) times.push(oldest.timestamp + DEFAULT_RETENTION_SECONDS * 1000);\n"]],
    fails: "the alarm keeps messages for RETENTION_SECONDS, the Worker variable",
    says: "the next alarm when the message left expires",
  },
  {
    did: "takes Number(env.RETENTION_SECONDS) as it is: an empty variable makes a retention of 0",
    patch: [["  const seconds = Number(env.RETENTION_SECONDS);\n  return Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_RETENTION_SECONDS;\n", "  return Number(env.RETENTION_SECONDS);\n"]],
    fails: "a RETENTION_SECONDS that is empty, 0, negative or not a number means the default: 7 days",
    says: "with RETENTION_SECONDS=\"\", the message of a day ago kept",
  },
  {
    did: "reads RETENTION_SECONDS with Number(…) || the default, so a negative one deletes every message as soon as it is stored",
    patch: [["  const seconds = Number(env.RETENTION_SECONDS);\n  return Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_RETENTION_SECONDS;\n", "  return Number(env.RETENTION_SECONDS) || DEFAULT_RETENTION_SECONDS;\n"]],
    fails: "a RETENTION_SECONDS that is empty, 0, negative or not a number means the default: 7 days",
    says: "with RETENTION_SECONDS=\"-60\", the message of a day ago kept",
  },
  {
    did: "skips the vars TODO in wrangler.jsonc: the code falls back to 7 days, and RETENTION_SECONDS can never be changed",
    patch: [],
    config: [['  "vars": { "RETENTION_SECONDS": "604800" },\n', ""]],
    fails: "wrangler.jsonc gives the Worker its RETENTION_SECONDS variable",
    says: "env.RETENTION_SECONDS is undefined",
  },
  {
    did: "tells GET /api/rooms/<room> the default retention, not RETENTION_SECONDS: with an hour set, the page still says 7 days",
    patch: [["retentionSeconds: retentionSeconds(env) })", "retentionSeconds: DEFAULT_RETENTION_SECONDS })"]],
    fails: "GET /api/rooms/<room> says how long messages are kept: retentionSeconds",
    says: "says \"retentionSeconds\":3600",
  },
  {
    did: "tells GET /api/rooms/<room> the retention in milliseconds",
    patch: [["retentionSeconds: retentionSeconds(env) })", "retentionSeconds: retentionSeconds(env) * 1000 })"]],
    fails: "GET /api/rooms/<room> says how long messages are kept: retentionSeconds",
    says: '"retentionSeconds":604800000',
  },
  {
    did: "finds ghosts from connectedAt only, so sockets that ping are closed 90 s after joining",
    patch: [["      const lastSeen = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? attachment.connectedAt;\n", "      const lastSeen = attachment.connectedAt;\n"]],
    fails: 'a socket that sent "ping" recently is kept, however long ago it connected',
    says: "the alarm closed her socket too",
  },
  {
    did: "writes KEEPALIVE_TIMEOUT_MS as 90, seconds compared with milliseconds: 90 ms of silence makes a ghost",
    patch: [["const KEEPALIVE_TIMEOUT_MS = 90_000;", "const KEEPALIVE_TIMEOUT_MS = 90;"]],
    fails: "a socket silent for 89 s is kept, even one that never sent \"ping\": only over 90 s makes a ghost",
    says: "the alarm closed the socket",
  },
  {
    did: "closes a ghost without leave(), so presence and the directory never follow",
    patch: [[LEFT, "      ws.close(GHOST_CODE, GHOST_REASON);\n"]],
    fails: "a socket silent for over 90 s is closed with 4008: the others see it leave, and the directory follows",
    says: "bob sees the ghost leave",
  },
  {
    did: "counts CLOSING sockets as open, so the alarm comes back forever after a ghost",
    patch: [["this.ctx.getWebSockets().some((ws) => ws.readyState === WebSocket.OPEN)", "this.ctx.getWebSockets().length > 0"]],
    fails: "once the ghosts are closed and everyone left, an empty room has no alarm",
    says: "no alarm once the only socket, a ghost, was closed",
  },
  {
    did: "runs the DELETE at every alarm, so each ghost sweep reads every message to find none expired",
    patch: [["    const deleted = !expired ? 0 : this.ctx.storage.sql.exec(\n", "    const deleted = this.ctx.storage.sql.exec(\n"]],
    fails: "an alarm run in a room of 2,000 recent messages reads only a few rows",
    says: "rows read",
  },
  {
    did: "cleans only messages in alarm(): expired tickets and old guesses stay forever",
    patch: [[
      '    this.ctx.storage.sql.exec("DELETE FROM tickets WHERE expires_at <= ?", now);\n    this.ctx.storage.sql.exec("DELETE FROM guesses WHERE at <= ?", now - WRONG_PASSWORD_WINDOW_MS);\n',
      "",
    ]],
    fails: "the alarm also deletes expired tickets and guesses older than a minute",
    says: "1 ticket(s) and 1 guess(es) left",
  },
  {
    did: "does not mark a ghost gone, so when its browser answers the close at last, webSocketClose announces it leaving again",
    patch: [["      ws.serializeAttachment({ ...attachment, gone: true } satisfies Attachment);\n", ""]],
    fails: "a second run of the alarm passes a ghost it closed by: nobody sees it leave twice",
    says: "when the ghost's browser answers the close at last",
  },
  {
    did: "keeps messages.id as the earlier stages made it, without AUTOINCREMENT: once the alarm has emptied a room, ids start again at 1",
    patch: [["      id INTEGER PRIMARY KEY AUTOINCREMENT,\n", "      id INTEGER PRIMARY KEY,\n"], [COPIED, ""]],
    fails: "ids only grow, even once the alarm has deleted every message: a client that reconnects misses nothing",
    says: "an id above 2",
  },
  {
    did: "adds AUTOINCREMENT to CREATE TABLE only, which leaves a table saved by an earlier stage as it was",
    patch: [[COPIED, ""]],
    fails: "a room whose table an earlier stage made keeps its ids growing too, once the alarm has emptied it",
    says: "an id above 2",
  },
  {
    did: "deletes the newest expired messages first (ORDER BY id DESC), so the oldest wait for the last batch",
    patch: [["DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE timestamp <= ? ORDER BY id LIMIT ?)", "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE timestamp <= ? ORDER BY id DESC LIMIT ?)"]],
    fails: "a run deletes at most 500 messages and comes back at once for the rest",
    says: "the oldest message left is the 501st",
  },
  {
    did: "empties the tickets and guesses tables in alarm(), valid ones too: the 30 s sweep resets the count of wrong passwords",
    patch: [
      ['    this.ctx.storage.sql.exec("DELETE FROM tickets WHERE expires_at <= ?", now);\n    this.ctx.storage.sql.exec("DELETE FROM guesses WHERE at <= ?", now - WRONG_PASSWORD_WINDOW_MS);\n', '    this.ctx.storage.sql.exec("DELETE FROM tickets");\n    this.ctx.storage.sql.exec("DELETE FROM guesses");\n'],
    ],
    fails: "the alarm also deletes expired tickets and guesses older than a minute",
    says: "the ticket given just now and the wrong guess made just now",
  },
  {
    did: "writes KEEPALIVE_TIMEOUT_MS as 61_000: a minute and a second of silence already makes a ghost",
    patch: [["const KEEPALIVE_TIMEOUT_MS = 90_000;", "const KEEPALIVE_TIMEOUT_MS = 61_000;"]],
    fails: "a socket silent for 89 s is kept, even one that never sent \"ping\": only over 90 s makes a ghost",
    says: "the alarm closed the socket",
  },
  {
    did: "closes a ghost with 4008 and no reason",
    patch: [["ws.close(GHOST_CODE, GHOST_REASON);", "ws.close(GHOST_CODE);"]],
    fails: "a socket silent for over 90 s is closed with 4008: the others see it leave, and the directory follows",
    says: "a reason that says why",
  },
];
