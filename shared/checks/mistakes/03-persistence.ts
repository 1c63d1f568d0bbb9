import type { Mistake } from "./mistake.ts";

const INSERT = 'this.ctx.storage.sql.exec("INSERT INTO messages (name, message) VALUES (?, ?)", sender.name, frame.message);';

export const mistakes: Mistake[] = [
  {
    did: "keeps the history in an array field instead of storage",
    patch: [
      ["export class Chat extends DurableObject<Env> {", "export class Chat extends DurableObject<Env> {\n  private messages: StoredMessage[] = [];\n"],
      [INSERT, "this.messages.push({ name: sender.name, message: frame.message });"],
      ['.exec<StoredMessage>("SELECT name, message FROM messages ORDER BY id DESC LIMIT ?", HISTORY_SIZE)\n      .toArray();', ".exec<StoredMessage>(\"SELECT name, message FROM messages LIMIT 0\").toArray();\n    rows.push(...this.messages.slice(-HISTORY_SIZE).reverse());"],
    ],
    fails: "history survives the object's eviction",
    says: "fields are lost when the object is evicted",
  },
  {
    did: "sends the oldest 100 messages instead of the newest",
    patch: [["ORDER BY id DESC LIMIT ?", "ORDER BY id LIMIT ?"], ["return rows.reverse().map(toFrame);", "return rows.map(toFrame);"]],
    fails: "a newcomer receives only the last 100 messages, oldest first",
    says: "messages 6 to 105",
  },
  {
    did: "reads the newest 100 but forgets to reverse them",
    patch: [["return rows.reverse().map(toFrame);", "return rows.map(toFrame);"]],
    fails: "a newcomer first receives the earlier messages, oldest first",
    says: '["first","second","third"]',
  },
  {
    did: "reads every row and keeps the last 100 in JavaScript",
    patch: [
      ['.exec<StoredMessage>("SELECT name, message FROM messages ORDER BY id DESC LIMIT ?", HISTORY_SIZE)\n      .toArray();', '.exec<StoredMessage>("SELECT name, message FROM messages ORDER BY id DESC")\n      .toArray()\n      .slice(0, HISTORY_SIZE);'],
    ],
    fails: "joining a room of 300 messages reads about 100 rows, not all of them",
    says: "rows read",
  },
  {
    did: "uses Date.now() as the message's key",
    patch: [[INSERT, 'this.ctx.storage.sql.exec("INSERT INTO messages (id, name, message) VALUES (?, ?, ?)", Date.now(), sender.name, frame.message);']],
    fails: "messages sent in the same instant are all kept",
    says: "Keys must not collide",
  },
  {
    did: "forgets to store the message",
    patch: [[INSERT, ""]],
    fails: "a newcomer first receives the earlier messages, oldest first",
    says: "a newcomer receives the 3 messages stored so far",
  },
  {
    did: "keys messages by Date.now() and replaces the one with the same key",
    patch: [[INSERT, 'this.ctx.storage.sql.exec("INSERT OR REPLACE INTO messages (id, name, message) VALUES (?, ?, ?)", Date.now(), sender.name, frame.message);']],
    fails: "messages sent in the same instant are all kept",
    says: "Keys must not collide",
  },
  {
    did: "sends the history to everyone in the room, not only the newcomer",
    patch: [["for (const frame of this.history()) send(server, frame);", "for (const frame of this.history()) this.broadcast(frame);"]],
    fails: "only the newcomer receives the history",
    says: "alice receives nothing more when bob joins",
  },
];
