import type { Mistake } from "./mistake.ts";

const NOTE_JOIN = "if (!online.has(name)) this.presenceChanged(name);";
const NOTE_LEAVE = "if (!this.onlineNames().has(name)) this.presenceChanged(name);";
const HISTORY = "    send(server, this.history(after));\n";
const USERS = 'send(server, { type: "users", count: online.size, names: [...online].sort() });';
const TIMER = "if (this.changed.size === 0) setTimeout(() => this.sendPresence(), PRESENCE_DELAY_MS);";
const OPEN = "const open = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);";
const CLOSE = "ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);";
const BURST = "10 people arriving at once reach alice in 1 to 3 presence frames";

export const mistakes: Mistake[] = [
  {
    did: "counts open sockets in the presence frame, so a person in two tabs counts twice there",
    patch: [["    this.broadcast({ type: \"presence\", joined, left, count: online.size });\n", "    this.broadcast({ type: \"presence\", joined, left, count: this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length });\n"]],
    fails: "a second tab of someone already here tells nobody, and counts once",
    says: "alice, zoe (in two tabs) and bob",
  },
  {
    did: "sends the whole list to everyone at every join, not a presence frame",
    patch: [
      [NOTE_JOIN, ""],
      [USERS, 'this.broadcast({ type: "users", count: online.size, names: [...online].sort() });'],
    ],
    fails: "the others are told who joined, in a presence frame",
    says: 'alice receives {"type":"presence","joined":["bob"],"left":[],"count":2}',
  },
  {
    did: "sends a presence frame at once for every change, with no timer to gather a burst",
    patch: [[TIMER, ""], ["    this.changed.add(name);\n", "    this.changed.add(name);\n    this.sendPresence();\n"]],
    // Sent before the newcomer's socket is accepted, the frame even says it left.
    fails: "the others are told who joined, in a presence frame",
    says: 'alice receives {"type":"presence","joined":["bob"]',
  },
  {
    did: "adds the name to changed before testing whether it is empty, so the timer never starts",
    patch: [[`    ${TIMER}\n    this.changed.add(name);\n`, `    this.changed.add(name);\n    ${TIMER}\n`]],
    fails: "the others are told who joined, in a presence frame",
    says: 'alice receives {"type":"presence","joined":["bob"]',
  },
  {
    did: "starts a timer for every change, not only the first of a burst",
    patch: [[TIMER, "setTimeout(() => this.sendPresence(), PRESENCE_DELAY_MS);"]],
    fails: "people who arrive together are told in one presence frame, not one each",
    says: BURST,
  },
  {
    did: "sends the newcomer's users frame later, after the presence frame about their own arrival",
    patch: [[USERS, `setTimeout(() => ${USERS.slice(0, -1)}, PRESENCE_DELAY_MS * 2);`]],
    fails: "a client that joins is told who is here, right after the history",
    says: "the users frame right after the history, before any other frame",
  },
  {
    did: "sends the users frame before the history",
    patch: [[HISTORY, ""], [`    ${USERS}\n`, `    ${USERS}\n${HISTORY}`]],
    fails: "the first frame is the history, an empty one in a new room",
    says: "history",
  },
  {
    did: "notes a change when someone opens a second tab",
    patch: [[NOTE_JOIN, "this.presenceChanged(name);"]],
    fails: "a second tab of someone already here tells nobody, and counts once",
    says: "zoe was online already",
  },
  {
    did: "notes a change when one of someone's two tabs closes",
    patch: [[NOTE_LEAVE, "this.presenceChanged(name);"]],
    fails: "closing one of two tabs tells nobody; closing the last one does",
    says: "no presence frame while zoe still has a tab open",
  },
  {
    did: "keeps the names in a Map field, empty after hibernation",
    patch: [
      ["export class Chat extends DurableObject<Env> {", "export class Chat extends DurableObject<Env> {\n  private names = new Map<WebSocket, string>();\n"],
      ["server.serializeAttachment(attachment);", "server.serializeAttachment(attachment);\n    this.names.set(server, name);"],
      [`${OPEN}\n    return new Set(open.map((ws) => (ws.deserializeAttachment() as Attachment).name));`, "return new Set(this.names.values());"],
      [CLOSE, `${CLOSE}\n    this.names.delete(ws);`],
    ],
    fails: "who is here is right after the object hibernates",
    says: '"count":1,"names":["bob"]',
  },
  {
    did: "counts the socket that is closing (no readyState filter)",
    patch: [[OPEN, "const open = this.ctx.getWebSockets();"]],
    fails: "everyone is told when someone leaves",
    says: '"left":["bob"]',
  },
  {
    did: "sends 1006 back after a dropped connection: ws.close throws, the name is never noted as gone",
    patch: [[CLOSE, "ws.close(code === 1005 ? 1000 : code, reason);"]],
    fails: "a connection that drops without a close frame raises no error",
    says: "Invalid WebSocket close code: 1006",
  },
  {
    did: "has no webSocketError handler",
    patch: [["  async webSocketError(ws: WebSocket) {\n    this.leave(ws);\n  }\n", ""]],
    fails: "everyone is told when a connection breaks the protocol",
    says: '"left":["mallory"]',
  },
  {
    did: "lists a name once per tab (no Set)",
    patch: [[USERS, 'send(server, { type: "users", count: online.size, names: this.ctx.getWebSockets().map((ws) => (ws.deserializeAttachment() as Attachment).name).sort() });']],
    fails: "a newcomer is told every name once, sorted",
    says: "Use a Set",
  },
  {
    did: "lists joined and left in the order the changes came, not sorted",
    patch: [["const changed = [...this.changed].sort();", "const changed = [...this.changed];"]],
    fails: "people who arrive together are told in one presence frame, not one each",
    says: "each presence frame lists its joined and left names sorted",
  },
  {
    did: "sorts the joined names but not the left ones",
    patch: [
      ["const changed = [...this.changed].sort();", "const changed = [...this.changed];"],
      ["const joined = changed.filter((name) => online.has(name));", "const joined = changed.filter((name) => online.has(name)).sort();"],
    ],
    fails: "people who leave together are told in one presence frame, its left names sorted",
    says: '["zed","yan"]',
  },
  {
    did: "does not sort the names",
    patch: [[USERS, 'send(server, { type: "users", count: online.size, names: [...online] });']],
    fails: "a newcomer is told every name once, sorted",
    says: "then sort()",
  },
  {
    did: "counts sockets instead of people",
    patch: [[USERS, 'send(server, { type: "users", count: this.ctx.getWebSockets().length, names: [...online].sort() });']],
    fails: "a newcomer is told every name once, sorted",
    says: '"count":4',
  },
  {
    did: "broadcasts the whole list at every join, besides the presence frame",
    patch: [["send(server, { type: \"users\", count: online.size, names: [...online].sort() });", "this.broadcast({ type: \"users\", count: online.size, names: [...online].sort() });"]],
    fails: "the others are told who joined, in a presence frame",
    says: "only the newcomer gets the whole list",
  },
  {
    did: "sends the presence frame with send() to each socket, so it is serialised once per reader",
    patch: [['    this.broadcast({ type: "presence", joined, left, count: online.size });\n', '    for (const ws of this.ctx.getWebSockets()) send(ws, { type: "presence", joined, left, count: online.size });\n']],
    fails: "a presence frame is serialised once, however many are in the room",
    says: "times for 2 readers",
  },
];
