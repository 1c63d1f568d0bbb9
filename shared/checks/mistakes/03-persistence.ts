import type { Mistake } from "./mistake.ts";

const INSERT = `const { id } = this.ctx.storage.sql
      .exec<{ id: number }>("INSERT INTO messages (name, message) VALUES (?, ?) RETURNING id", sender.name, frame.message)
      .one();`;
const SELECT = '"SELECT id, name, message FROM messages WHERE id > ? ORDER BY id DESC LIMIT ?",';
const REVERSE = "const messages = rows.slice(0, HISTORY_SIZE).reverse().map(toFrame);";

export const mistakes: Mistake[] = [
  {
    did: "numbers a message by counting the rows after its INSERT (COUNT(*)), so every message reads the whole table",
    patch: [[INSERT, 'this.ctx.storage.sql.exec("INSERT INTO messages (name, message) VALUES (?, ?)", sender.name, frame.message);\n    const id = this.ctx.storage.sql.exec<{ id: number }>("SELECT COUNT(*) AS id FROM messages").one().id;']],
    fails: "a message sent into a room of 300 messages reads a few rows, not all of them",
    says: "rows read",
  },
  {
    did: "sends no history frame to a client that reconnects having missed nothing, since it would be empty",
    patch: [["send(server, this.history(after));", "const history = this.history(after);\n    if (after === 0 || history.messages.length > 0) send(server, history);"]],
    fails: "a client that reconnects with after=<id> receives only what it missed",
    says: "it missed nothing",
  },
  {
    did: "pastes the name and the text into the INSERT instead of binding them: a quote breaks it, and a message can run SQL",
    patch: [[INSERT, "const { id } = this.ctx.storage.sql\n      .exec<{ id: number }>(`INSERT INTO messages (name, message) VALUES ('${sender.name}', '${frame.message}') RETURNING id`)\n      .one();"]],
    fails: "a message with quotes, a backslash and SQL in it is stored and sent back exactly as written",
    says: "is accepted",
  },
  {
    did: "writes the history frame's JSON by hand, so a quote in a message breaks the frame for every newcomer",
    patch: [["send(server, this.history(after));", 'const { messages, truncated } = this.history(after);\n    server.send(`{"type":"history","messages":[${messages.map((m) => `{"type":"message","id":${m.id},"name":"${m.name}","message":"${m.message}"}`).join(",")}]${truncated ? \',"truncated":true\' : ""}}`);']],
    fails: "a message with quotes, a backslash and SQL in it is stored and sent back exactly as written",
    says: 'no "history" frame',
  },
  {
    did: "keeps the history in an array field instead of storage",
    patch: [
      ["export class Chat extends DurableObject<Env> {", "export class Chat extends DurableObject<Env> {\n  private messages: StoredMessage[] = [];\n"],
      [INSERT, "const id = this.messages.length + 1;\n    this.messages.push({ id, name: sender.name, message: frame.message });"],
      [REVERSE, "rows.push(...this.messages.filter((m) => m.id > after).reverse());\n    " + REVERSE],
    ],
    fails: "history survives the object's eviction",
    says: "the history after eviction",
  },
  {
    did: "sends the oldest 100 messages instead of the newest",
    patch: [[SELECT, '"SELECT id, name, message FROM messages WHERE id > ? ORDER BY id LIMIT ?",'], [REVERSE, "const messages = rows.slice(0, HISTORY_SIZE).map(toFrame);"]],
    fails: "a newcomer receives only the last 100 messages, oldest first",
    says: "messages 6 to 105",
  },
  {
    did: "reads the newest 100 but forgets to reverse them",
    patch: [[REVERSE, "const messages = rows.slice(0, HISTORY_SIZE).map(toFrame);"]],
    fails: "the history holds the earlier messages, oldest first, before live ones",
    says: '["first","second","third"]',
  },
  {
    did: "sends each stored message as a frame of its own instead of one history frame",
    patch: [["send(server, this.history(after));", "for (const message of this.history(after).messages) send(server, message);"]],
    fails: "the first frame is the history, an empty one in a new room",
    says: '{"type":"history","messages":[]}',
  },
  {
    did: "reads every row and keeps the last 100 in JavaScript",
    patch: [[SELECT, '"SELECT id, name, message FROM messages WHERE id > ? ORDER BY id DESC",'], ["        HISTORY_SIZE + 1,\n", ""]],
    fails: "joining a room of 300 messages reads about 100 rows, not all of them",
    says: "rows read",
  },
  {
    did: "ignores after, so a reconnecting client gets the whole history again",
    patch: [[SELECT, '"SELECT id, name, message FROM messages ORDER BY id DESC LIMIT ?",'], ["        after,\n        HISTORY_SIZE + 1,", "        HISTORY_SIZE + 1,"]],
    fails: "a client that reconnects with after=<id> receives only what it missed",
    says: '["three","four"]',
  },
  {
    did: "never says truncated, so a client cannot tell it missed some",
    patch: [["const truncated = after > 0 && rows.length > HISTORY_SIZE;", "const truncated = false;"]],
    fails: "after more than 100 missed: the newest 100, and truncated: true",
    says: '"truncated": true with 105 missed',
  },
  {
    did: 'sends "truncated": false in every history frame that is complete, instead of leaving it out',
    patch: [['return truncated ? { type: "history", messages, truncated } : { type: "history", messages };', 'return { type: "history", messages, truncated } as HistoryFrame;']],
    fails: "the first frame is the history, an empty one in a new room",
    says: '"truncated":false',
  },
  {
    did: "says truncated to every newcomer of a busy room, not only to a client that reconnects",
    patch: [["const truncated = after > 0 && rows.length > HISTORY_SIZE;", "const truncated = rows.length > HISTORY_SIZE;"]],
    fails: "a newcomer receives only the last 100 messages, oldest first",
    says: "no truncated flag for a newcomer",
  },
  {
    did: "numbers the messages with a counter kept in a field, which starts again at 0 after an eviction",
    patch: [
      ["export class Chat extends DurableObject<Env> {", "export class Chat extends DurableObject<Env> {\n  private lastId = 0;\n"],
      [INSERT, `const id = ++this.lastId;
    this.ctx.storage.sql.exec("INSERT INTO messages (id, name, message) VALUES (?, ?, ?)", id, sender.name, frame.message);`],
    ],
    fails: "history survives the object's eviction",
    says: "after the eviction",
  },
  {
    did: "sends the rows as SQL gives them, not as message frames, in the history",
    patch: [[REVERSE, "const messages = rows.slice(0, HISTORY_SIZE).reverse() as MessageFrame[];"]],
    fails: "each message carries its row's id, which only grows, in live frames and in the history",
    says: "as it was broadcast",
  },
  {
    did: "counts every missed row (COUNT(*)) to decide truncated, instead of reading one row more",
    patch: [["const truncated = after > 0 && rows.length > HISTORY_SIZE;", 'const truncated = after > 0 && this.ctx.storage.sql.exec<{ missed: number }>("SELECT COUNT(*) AS missed FROM messages WHERE id > ?", after).one().missed > HISTORY_SIZE;']],
    fails: "joining a room of 300 messages reads about 100 rows, not all of them",
    says: "having missed 299",
  },
  {
    did: "leaves the id out of the message frame",
    patch: [['return { type: "message", id, name, message };', 'return { type: "message", name, message };']],
    fails: "each message carries its row's id, which only grows, in live frames and in the history",
    says: 'message frames with an "id"',
  },
  {
    did: "uses Date.now() as the message's key",
    patch: [[INSERT, 'const id = Date.now();\n    this.ctx.storage.sql.exec("INSERT INTO messages (id, name, message) VALUES (?, ?, ?)", id, sender.name, frame.message);']],
    // Any check that sends two messages within a millisecond meets it; the stopped clock of the
    // first listed makes sure one does. All show the exception the collision threw.
    fails: [
      "messages sent in the same instant are all kept",
      "messages come back in the order they were sent",
      "with two people in a room, each message carries its own sender's name",
      "every client sees every message in the same order",
      "the history holds the earlier messages, oldest first, before live ones",
      "each message carries its row's id, which only grows, in live frames and in the history",
      "a client that reconnects with after=<id> receives only what it missed",
    ],
    says: "UNIQUE constraint failed",
  },
  {
    did: "forgets to store the message",
    patch: [[INSERT, "const id = 0;"]],
    fails: "the history holds the earlier messages, oldest first, before live ones",
    says: '["first","second","third"]',
  },
  {
    did: "stores the frames that readMessage refused too",
    patch: [['if ("type" in frame) return send(ws, frame);', 'if ("type" in frame) {\n      this.ctx.storage.sql.exec("INSERT INTO messages (name, message) VALUES (?, ?)", "?", String(data));\n      return send(ws, frame);\n    }']],
    fails: "invalid messages are not stored",
    says: 'only the valid message: ["kept"]',
  },
  {
    did: "sends the history to everyone in the room, not only the newcomer",
    patch: [["send(server, this.history(after));", "this.broadcast(this.history(after));"]],
    fails: "only the newcomer receives the history",
    says: "alice receives no second history frame when bob joins",
  },
  {
    did: 'gives every reconnecting client a "truncated" key, false when nothing was left out',
    patch: [['return truncated ? { type: "history", messages, truncated } : { type: "history", messages };', 'return after > 0 ? ({ type: "history", messages, truncated } as HistoryFrame) : { type: "history", messages };']],
    fails: "a client that reconnects with after=<id> receives only what it missed",
    says: 'no "truncated" key',
  },
  {
    did: "sets truncated with >= 100, so a client that missed exactly 100 is told it missed more",
    patch: [["const truncated = after > 0 && rows.length > HISTORY_SIZE;", "const truncated = after > 0 && rows.length >= HISTORY_SIZE;"]],
    fails: "after more than 100 missed: the newest 100, and truncated: true",
    says: "no truncated flag with exactly 100 missed",
  },
];
