import type { Mistake } from "./mistake.ts";

const JOINED = 'if (!online.has(name)) this.broadcast({ type: "joined", name, count: online.size + 1 });';
const USERS = 'send(server, { type: "users", count: online.size, names: [...online].sort() });';
const LEFT = 'if (!online.has(name)) this.broadcast({ type: "left", name, count: online.size });';
const OPEN = "const open = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);";
const CLOSE = "ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);";

export const mistakes: Mistake[] = [
  {
    did: "sends the whole list to everyone at every join, not one joined frame",
    patch: [
      [JOINED, ""],
      [USERS, 'this.broadcast({ type: "users", count: online.size, names: [...online].sort() });'],
    ],
    fails: "the others are told who joined, with one small frame",
    says: 'alice receives {"type":"joined","name":"bob","count":2}',
  },
  {
    did: "tells everyone about the newcomer after accepting it, so its first frame is not the history",
    patch: [
      [`    ${JOINED}\n`, ""],
      ["    send(server, this.history(after));", `    ${JOINED}\n    send(server, this.history(after));`],
    ],
    fails: "the first frame is the history, an empty one in a new room",
    says: "history",
  },
  {
    did: "counts the joined frame without the newcomer",
    patch: [[JOINED, 'if (!online.has(name)) this.broadcast({ type: "joined", name, count: online.size });']],
    fails: "the others are told who joined, with one small frame",
    says: '"count":1',
  },
  {
    did: "tells the others again when someone opens a second tab",
    patch: [[JOINED, 'this.broadcast({ type: "joined", name, count: online.size + 1 });']],
    fails: "a second tab of someone already here tells nobody",
    says: "zoe was online already",
  },
  {
    did: "says someone left when one of their two tabs closes",
    patch: [[LEFT, 'this.broadcast({ type: "left", name, count: online.size });']],
    fails: "closing one of two tabs tells nobody; closing the last one does",
    says: "no left frame while zoe still has a tab open",
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
    says: "not from a Map kept in memory",
  },
  {
    did: "counts the socket that is closing (no readyState filter)",
    patch: [[OPEN, "const open = this.ctx.getWebSockets();"]],
    fails: "everyone is told when someone leaves",
    says: "readyState is no longer WebSocket.OPEN",
  },
  {
    did: "sends 1006 back after a dropped connection: ws.close throws, the left frame never goes out",
    patch: [[CLOSE, "ws.close(code === 1005 ? 1000 : code, reason);"]],
    fails: "a connection that drops without a close frame raises no error",
    says: "Invalid WebSocket close code: 1006",
  },
  {
    did: "has no webSocketError handler",
    patch: [["  async webSocketError(ws: WebSocket) {\n    this.leave(ws);\n  }\n", ""]],
    fails: "everyone is told when a connection breaks the protocol",
    says: "webSocketError(ws), not webSocketClose",
  },
  {
    did: "lists a name once per tab (no Set)",
    patch: [[USERS, 'send(server, { type: "users", count: online.size, names: this.ctx.getWebSockets().map((ws) => (ws.deserializeAttachment() as Attachment).name).sort() });']],
    fails: "a newcomer is told every name once, sorted",
    says: "Use a Set",
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
];
