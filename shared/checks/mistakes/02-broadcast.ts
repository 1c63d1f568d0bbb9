import type { Mistake } from "./mistake.ts";

export const mistakes: Mistake[] = [
  {
    did: "keeps the sockets in a field, filled at the first message, so whoever joins later receives nothing until the object hibernates",
    patch: [
      ["export class Chat extends DurableObject<Env> {", "export class Chat extends DurableObject<Env> {\n  private sockets?: WebSocket[];\n"],
      ["for (const ws of this.ctx.getWebSockets()) {", "this.sockets ??= this.ctx.getWebSockets();\n    for (const ws of this.sockets) {"],
    ],
    fails: "someone who joins after the first message receives the next ones",
    says: "bob, who joined after alice's first message, receives her next one",
  },
  {
    did: "serialises the frame for each socket in the loop, so the work grows with the room",
    patch: [["    const text = JSON.stringify(frame);\n", ""], ["ws.send(text);", "ws.send(JSON.stringify(frame));"]],
    fails: "a message is serialised once, however many are in the room: the work does not grow with its readers",
    says: "as often in a room of 6 as in a room of 2",
  },
  {
    did: "still sends the message back to its sender only",
    patch: [["this.broadcast({ type: \"message\", name: sender.name, message: frame.message });", "send(ws, { type: \"message\", name: sender.name, message: frame.message });"]],
    fails: "a second client in the same room receives the message",
    says: "bob receives alice's message",
  },
  {
    did: "sends the message to everyone but its sender",
    patch: [["this.broadcast({ type: \"message\", name: sender.name, message: frame.message });", "for (const other of this.ctx.getWebSockets()) {\n      if (other !== ws) send(other, { type: \"message\", name: sender.name, message: frame.message });\n    }"]],
    fails: "a message comes back to its sender, with the sender's name",
    says: "to every socket: the sender's too",
  },
  {
    did: "broadcasts error frames to the whole room",
    patch: [['if ("type" in frame) return send(ws, frame);', 'if ("type" in frame) return this.broadcast(frame);']],
    fails: "an error goes only to the client that caused it",
    says: "bob receives no error frame",
  },
  {
    did: "keeps the room's sockets in an array field",
    patch: [
      ["export class Chat extends DurableObject<Env> {", "export class Chat extends DurableObject<Env> {\n  private sockets: WebSocket[] = [];\n"],
      ["server.serializeAttachment(attachment);", "server.serializeAttachment(attachment);\n    this.sockets.push(server);"],
      ["for (const ws of this.ctx.getWebSockets()) {", "for (const ws of this.sockets) {"],
    ],
    fails: "the sender's name is still known after the object hibernated",
    says: "after the room's object hibernated",
  },
  {
    did: "relays the client's frame as it came, instead of a message frame",
    patch: [["this.broadcast({ type: \"message\", name: sender.name, message: frame.message });", "for (const other of this.ctx.getWebSockets()) other.send(data);"]],
    fails: "a message comes back to its sender, with the sender's name",
    says: "received no \"message\" frame",
  },
  {
    did: "reads the room's sockets once, when the object starts",
    patch: [
      ["export class Chat extends DurableObject<Env> {", "export class Chat extends DurableObject<Env> {\n  private sockets = this.ctx.getWebSockets();\n"],
      ["for (const ws of this.ctx.getWebSockets()) {", "for (const ws of this.sockets) {"],
    ],
    fails: "a message comes back to its sender, with the sender's name",
    says: "to every socket: the sender's too",
  },
  {
    did: "keeps stage 01's echo and adds the broadcast, so the sender gets every message twice",
    patch: [["this.broadcast({ type: \"message\", name: sender.name, message: frame.message });", "send(ws, { type: \"message\", name: sender.name, message: frame.message });\n    this.broadcast({ type: \"message\", name: sender.name, message: frame.message });"]],
    fails: "messages come back in the order they were sent",
    says: "and message \"two\"",
  },
  {
    did: "broadcasts in a loop whose ws hides the sender's, so each message carries its reader's name",
    patch: [["this.broadcast({ type: \"message\", name: sender.name, message: frame.message });", "for (const ws of this.ctx.getWebSockets()) {\n      const { name } = ws.deserializeAttachment() as Attachment;\n      send(ws, { type: \"message\", name, message: frame.message });\n    }"]],
    fails: "a second client in the same room receives the message",
    says: "\"name\":\"bob\",\"message\":\"hi bob\"",
  },
];
