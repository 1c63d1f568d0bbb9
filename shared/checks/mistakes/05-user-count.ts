import type { Mistake } from "./mistake.ts";

const BROADCAST_USERS = "this.broadcastUsers();\n    return new Response(null, { status: 101, webSocket: client });";
const CLOSE = "ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);";

export const mistakes: Mistake[] = [
  {
    did: "keeps the names in a Map field, empty after hibernation",
    patch: [
      ["export class Chat extends DurableObject<Env> {", "export class Chat extends DurableObject<Env> {\n  private names = new Map<WebSocket, string>();\n"],
      ["server.serializeAttachment(attachment);", "server.serializeAttachment(attachment);\n    this.names.set(server, name);"],
      ["const open = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);\n    const everyone = open.map((ws) => (ws.deserializeAttachment() as Attachment).name);", "const everyone = [...this.names.values()];"],
      [CLOSE, `${CLOSE}\n    this.names.delete(ws);`],
    ],
    fails: "the list is right after the object hibernates",
    says: "not from a Map kept in memory",
  },
  {
    did: "counts the socket that is closing (no readyState filter)",
    patch: [["const open = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);", "const open = this.ctx.getWebSockets();"]],
    fails: "everyone is told when someone leaves",
    says: "readyState is no longer WebSocket.OPEN",
  },
  {
    did: "sends 1006 back after a dropped connection: ws.close throws, the users frame never goes out",
    patch: [[CLOSE, "ws.close(code === 1005 ? 1000 : code, reason);"]],
    fails: "a connection that drops without a close frame raises no error",
    says: "Invalid WebSocket close code: 1006",
  },
  {
    did: "has no webSocketError handler",
    patch: [["  async webSocketError(ws: WebSocket) {\n    this.broadcastUsers();\n  }\n", ""]],
    fails: "everyone is told when a connection breaks the protocol",
    says: "webSocketError(ws), not webSocketClose",
  },
  {
    did: "tells only the newcomer who is here",
    patch: [[BROADCAST_USERS, "send(server, this.usersFrame());\n    return new Response(null, { status: 101, webSocket: client });"], ["  private broadcastUsers() {", "  private usersFrame(): ServerFrame {\n    const open = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);\n    const names = [...new Set(open.map((ws) => (ws.deserializeAttachment() as Attachment).name))].sort();\n    return { type: \"users\", count: names.length, names };\n  }\n\n  private broadcastUsers() {"]],
    fails: "everyone is told when someone joins",
    says: "alice receives",
  },
  {
    did: "lists a name once per tab (no Set)",
    patch: [["const names = [...new Set(everyone)].sort();", "const names = everyone.sort();"]],
    fails: "names are distinct and sorted",
    says: "Use a Set",
  },
  {
    did: "does not sort the names",
    patch: [["const names = [...new Set(everyone)].sort();", "const names = [...new Set(everyone)];"]],
    fails: "everyone is told when someone joins",
    says: '"names":["bob","alice"]',
  },
  {
    did: "counts sockets instead of people",
    patch: [['this.broadcast({ type: "users", count: names.length, names });', 'this.broadcast({ type: "users", count: open.length, names });']],
    fails: "names are distinct and sorted",
    says: '"count":2',
  },
];
