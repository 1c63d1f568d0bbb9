import type { Mistake } from "./mistake.ts";

const TAGGED = "this.ctx.acceptWebSocket(server, [name]);";
const FIND = "const recipients = this.ctx.getWebSockets(to).filter((socket) => socket.readyState === WebSocket.OPEN);";
const DELIVER = "for (const socket of new Set([...recipients, ...this.ctx.getWebSockets(from)])) {";
const HISTORY = "send(server, this.history(after));";
const ROUTE = "if (frame.to !== undefined) return this.sendPrivately(ws, sender.name, frame.to, frame.message, timestamp);";

export const mistakes: Mistake[] = [
  {
    did: "sends the unknown_user error to every tab of the sender, as a private message goes to all of them",
    patch: [["return send(ws, { type: \"error\", code: \"unknown_user\", message: `Nobody called ${to} is in this room right now.` });", "for (const socket of this.ctx.getWebSockets(from)) send(socket, { type: \"error\", code: \"unknown_user\", message: `Nobody called ${to} is in this room right now.` });\n      return;"]],
    fails: "a private message to nobody in the room gets an unknown_user error, and reaches no one",
    says: "not her other tab",
  },
  {
    did: "sends to every socket getWebSockets(to) lists, without keeping the OPEN ones: a recipient whose only socket is closing gets nothing, and the sender no error",
    patch: [["const recipients = this.ctx.getWebSockets(to).filter((socket) => socket.readyState === WebSocket.OPEN);", "const recipients = this.ctx.getWebSockets(to);"]],
    fails: "a recipient whose only connection is closing is gone: unknown_user",
    says: "bob's only connection is closing",
  },
  {
    did: "forgets { privateMessages: true }, so every frame with \"to\" is refused",
    patch: [["readMessage(data, { privateMessages: true })", "readMessage(data)"]],
    fails: 'a private message reaches every connection of its recipient, marked with "to"',
    says: '{"type":"error","code":"bad_message",',
  },
  {
    did: "accepts the socket without a tag, so getWebSockets(name) finds nobody",
    patch: [[TAGGED, "this.ctx.acceptWebSocket(server);"]],
    fails: 'a private message reaches every connection of its recipient, marked with "to"',
    says: '"code":"unknown_user"',
  },
  {
    did: "broadcasts the private message to the whole room",
    patch: [[ROUTE, "if (frame.to !== undefined) return this.broadcast({ type: \"message\", name: sender.name, to: frame.to, message: frame.message, timestamp, serverTime: new Date(timestamp).toISOString() });"]],
    fails: "nobody else in the room receives it",
    says: "carol receives no message",
  },
  {
    did: "sends it to the recipient and back to the sending socket, but not to the sender's other tabs",
    patch: [[DELIVER, "for (const socket of new Set([...recipients, ws])) {"]],
    fails: "the sender's own connections get it too",
    says: "alice's other tab",
  },
  {
    did: "sends it twice to someone who writes to themselves (no Set)",
    patch: [[DELIVER, "for (const socket of [...recipients, ...this.ctx.getWebSockets(from)]) {"]],
    fails: "a message to yourself reaches each of your connections once",
    says: "once, not twice",
  },
  {
    did: "stores the private message like any other, so it shows in every newcomer's history",
    patch: [[ROUTE, `if (frame.to !== undefined) {
      this.ctx.storage.sql.exec("INSERT INTO messages (name, message, timestamp) VALUES (?, ?, ?)", sender.name, frame.message, timestamp);
      return this.sendPrivately(ws, sender.name, frame.to, frame.message, timestamp);
    }`]],
    fails: "a private message is not stored: it has no id and no newcomer sees it",
    says: "the history holds the public message only",
  },
  {
    did: "keeps private messages for their recipient and hands them over whenever that name connects",
    patch: [
      [ROUTE, `if (frame.to !== undefined) {
      this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS mailbox (sender TEXT, recipient TEXT, message TEXT, timestamp INTEGER)");
      this.ctx.storage.sql.exec("INSERT INTO mailbox VALUES (?, ?, ?, ?)", sender.name, frame.to, frame.message, timestamp);
      return this.sendPrivately(ws, sender.name, frame.to, frame.message, timestamp);
    }`],
      [HISTORY, `${HISTORY}
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS mailbox (sender TEXT, recipient TEXT, message TEXT, timestamp INTEGER)");
    for (const kept of this.ctx.storage.sql.exec<{ sender: string; message: string; timestamp: number }>("SELECT * FROM mailbox WHERE recipient = ?", name)) {
      send(server, { type: "message", name: kept.sender, to: name, message: kept.message, timestamp: kept.timestamp, serverTime: new Date(kept.timestamp).toISOString() });
    }`],
    ],
    fails: "a private message is not stored: it has no id and no newcomer sees it",
    says: "whoever picks the name bob next",
  },
  {
    did: "stays silent when nobody has that name, so the sender thinks it was delivered",
    patch: [['return send(ws, { type: "error", code: "unknown_user", message: `Nobody called ${to} is in this room right now.` });', "return;"]],
    fails: "a private message to nobody in the room gets an unknown_user error, and reaches no one",
    says: "received no \"error\" frame",
  },
  {
    did: "handles private messages before the rate limit, so whispering is free",
    patch: [
      ["    const sender = ws.deserializeAttachment() as Attachment;\n", `    const sender = ws.deserializeAttachment() as Attachment;
    const early = readMessage(data, { privateMessages: true });
    if (!("type" in early) && early.to !== undefined) return this.sendPrivately(ws, sender.name, early.to, early.message, (this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1)));
`],
    ],
    fails: "private messages count against the rate limit",
    says: "rate_limited",
  },
  {
    did: "takes a second token in sendPrivately, so a private message costs two",
    patch: [[
      "  private sendPrivately(ws: WebSocket, from: string, to: string, message: string, timestamp: number) {\n",
      "  private sendPrivately(ws: WebSocket, from: string, to: string, message: string, timestamp: number) {\n    if (this.takeToken(from, Date.now()) > 0) return;\n",
    ]],
    fails: "private messages count against the rate limit",
    says: "it cost one token, like any message",
  },
  {
    did: "finds the recipient by reading every socket's attachment instead of by tag",
    patch: [
      [TAGGED, "this.ctx.acceptWebSocket(server);"],
      [FIND, "const recipients = this.ctx.getWebSockets().filter((socket) => socket.readyState === WebSocket.OPEN && (socket.deserializeAttachment() as Attachment).name === to);"],
      [DELIVER, "for (const socket of new Set([...recipients, ...this.ctx.getWebSockets().filter((s) => (s.deserializeAttachment() as Attachment).name === from)])) {"],
    ],
    fails: "every socket is tagged with its name",
    says: "its tags: []",
  },
  {
    did: "keeps each name's sockets in a Map field, which is empty after hibernation",
    patch: [
      ["  private changed = new Set<string>();\n", "  private changed = new Set<string>();\n  private sockets = new Map<string, WebSocket[]>();\n"],
      [TAGGED, `${TAGGED}\n    this.sockets.set(name, [...(this.sockets.get(name) ?? []), server]);`],
      [FIND, "const recipients = (this.sockets.get(to) ?? []).filter((socket) => socket.readyState === WebSocket.OPEN);"],
    ],
    fails: "private messages still arrive after the object hibernated",
    says: 'bob received no message "after a nap"',
  },
  {
    did: "keeps a Map of sockets and sends to them without asking whether they are still open",
    patch: [
      ["  private changed = new Set<string>();\n", "  private changed = new Set<string>();\n  private sockets = new Map<string, WebSocket[]>();\n"],
      [TAGGED, `${TAGGED}\n    this.sockets.set(name, [...(this.sockets.get(name) ?? []), server]);`],
      [FIND, "const recipients = [...(this.sockets.get(to) ?? []), ...this.ctx.getWebSockets(to)];"],
    ],
    fails: "a recipient whose connection dropped without a close frame is gone: unknown_user",
    says: 'alice received no "error" frame',
  },
  {
    did: "stamps a private message with a Date.now() and a new Date() of its own, not the timestamp every message gets",
    patch: [["const frame: MessageFrame = { type: \"message\", name: from, to, message, timestamp, serverTime: new Date(timestamp).toISOString() };", "const frame: MessageFrame = { type: \"message\", name: from, to, message, timestamp: Date.now(), serverTime: new Date().toISOString() };"]],
    fails: "a private message is stamped like any other: after the room's newest timestamp, serverTime the same instant",
    says: "the public message's just before it",
  },
  {
    did: "broadcasts the unknown_user error to the whole room instead of answering the sender",
    patch: [['return send(ws, { type: "error", code: "unknown_user",', 'return this.broadcast({ type: "error", code: "unknown_user",']],
    fails: "a private message to nobody in the room gets an unknown_user error, and reaches no one",
    says: "the unknown_user error goes to alice alone",
  },
  {
    did: "answers unknown_user with the object shorthand { …, message }, which sends back the private text as the error's explanation",
    patch: [["message: `Nobody called ${to} is in this room right now.` });", "message });"]],
    fails: "a private message to nobody in the room gets an unknown_user error, and reaches no one",
    says: "not alice's own words",
  },
  {
    did: "sends a private message to the recipient only, so the sender's own tabs never show it",
    patch: [["for (const socket of new Set([...recipients, ...this.ctx.getWebSockets(from)])) {", "for (const socket of recipients) {"]],
    fails: "the sender's own connections get it too",
    says: "the tab alice sent it from",
  },
  {
    did: "sends the unknown_user error without return, so the message goes on to the sender anyway",
    patch: [["return send(ws, { type: \"error\", code: \"unknown_user\",", "send(ws, { type: \"error\", code: \"unknown_user\","]],
    fails: "a private message to nobody in the room gets an unknown_user error, and reaches no one",
    says: "alice receives no message either",
  },
  {
    did: "tags every socket, then finds the recipient by reading every socket's attachment all the same",
    patch: [
      [FIND, "const recipients = this.ctx.getWebSockets().filter((socket) => socket.readyState === WebSocket.OPEN && (socket.deserializeAttachment() as Attachment).name === to);"],
      [DELIVER, "for (const socket of new Set([...recipients, ...this.ctx.getWebSockets().filter((s) => (s.deserializeAttachment() as Attachment).name === from)])) {"],
    ],
    fails: "a private message finds its recipient by tag, without reading every socket of the room",
    says: "calls to deserializeAttachment()",
  },
  {
    did: "keeps private messages in a table of their own, which the history leaves out but the server still holds",
    patch: [[ROUTE, 'if (frame.to !== undefined) {\n      this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS private_messages (sender TEXT, recipient TEXT, message TEXT)");\n      this.ctx.storage.sql.exec("INSERT INTO private_messages VALUES (?, ?, ?)", sender.name, frame.to, frame.message);\n      return this.sendPrivately(ws, sender.name, frame.to, frame.message, timestamp);\n    }']],
    fails: "a private message is not stored: it has no id and no newcomer sees it",
    says: "table private_messages",
  },
  {
    did: "moves lastTimestamp past public messages only, so the next public message can share the private one's timestamp",
    patch: [["    this.lastTimestamp = timestamp;\n    if (frame.to !== undefined) return this.sendPrivately(ws, sender.name, frame.to, frame.message, timestamp);\n", "    if (frame.to !== undefined) return this.sendPrivately(ws, sender.name, frame.to, frame.message, timestamp);\n    this.lastTimestamp = timestamp;\n"]],
    fails: "a private message is stamped like any other: after the room's newest timestamp, serverTime the same instant",
    says: "stamped after the private one",
  },
];
