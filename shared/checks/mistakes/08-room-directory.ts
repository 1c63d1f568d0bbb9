import type { Mistake } from "./mistake.ts";

const TELL = "void this.tellLobby();";
const SET_ONLINE = 'await this.env.LOBBY.getByName("lobby").setOnline(this.ctx.id.name!, this.onlineNames().size);';
const RETRY = "if (retry) setTimeout(() => void this.tellLobby(false), LOBBY_RETRY_MS);";
const LIST = '.exec<RoomEntry>("SELECT name, online FROM rooms ORDER BY online DESC, name LIMIT ?", DIRECTORY_SIZE)';
const ACCEPTED = "send(server, this.history(after));";

export const mistakes: Mistake[] = [
  {
    did: "lists the rooms with SELECT *, so each line also carries the lobby's heard_at",
    patch: [['"SELECT name, online FROM rooms ORDER BY online DESC, name LIMIT ?"', '"SELECT * FROM rooms ORDER BY online DESC, name LIMIT ?"']],
    fails: "a room's line holds its name and how many are online, nothing of the lobby's own",
    says: "and nothing more",
  },
  {
    did: "tests the method before the path: POST /api/nothing gets 405 instead of 404",
    patch: [[
      '  if (pathname !== "/api/rooms") return Response.json({ error: `Nothing at ${pathname}: the API has /api/rooms.` }, { status: 404 });\n  if (request.method !== "GET") {\n    return Response.json({ error: "/api/rooms only answers GET." }, { status: 405, headers: { Allow: "GET" } });\n  }\n',
      '  if (request.method !== "GET") {\n    return Response.json({ error: "/api/rooms only answers GET." }, { status: 405, headers: { Allow: "GET" } });\n  }\n  if (pathname !== "/api/rooms") return Response.json({ error: `Nothing at ${pathname}: the API has /api/rooms.` }, { status: 404 });\n',
    ]],
    fails: "an unknown /api/ path gets 404 JSON; another method on /api/rooms gets 405 JSON",
    says: "PUT /api/nothing-here: status 404",
  },
  {
    did: "binds LOBBY in wrangler.jsonc but does not declare the Lobby class in exports",
    patch: [],
    config: [[',\n    "Lobby": { "type": "durable-object", "storage": "sqlite" }', ""]],
    fails: "the Lobby is a SQLite-backed Durable Object, bound as LOBBY",
    says: "the Lobby's storage has no SQL",
  },
  {
    did: "declares the Lobby in a migrations array, as older tutorials do, beside exports: wrangler refuses to run it",
    patch: [],
    config: [[
      '  "assets"',
      '  "migrations": [\n    { "tag": "v1", "new_sqlite_classes": ["Chat"] },\n    { "tag": "v2", "new_sqlite_classes": ["Lobby"] }\n  ],\n  "assets"',
    ]],
    fails: "wrangler.jsonc declares the classes in exports alone, with no migrations array beside it",
    says: 'Got:      a "migrations" array as well: [{"tag":"v1","new_sqlite_classes":["Chat"]},{"tag":"v2","new_sqlite_classes":["Lobby"]}]',
  },
  {
    did: "declares the Lobby in a migrations array instead of exports, so Chat and Lobby are declared two ways",
    patch: [],
    config: [
      [',\n    "Lobby": { "type": "durable-object", "storage": "sqlite" }', ""],
      ['  "assets"', '  "migrations": [{ "tag": "v2", "new_sqlite_classes": ["Lobby"] }],\n  "assets"'],
    ],
    fails: "wrangler.jsonc declares the classes in exports alone, with no migrations array beside it",
    says: 'a "migrations" array as well',
  },
  {
    did: "awaits the lobby in fetch, so every newcomer waits for another object",
    patch: [[ACCEPTED, `await this.env.LOBBY.getByName("lobby").setOnline(this.ctx.id.name!, this.onlineNames().size);\n    ${ACCEPTED}`]],
    fails: "joining does not wait for the lobby",
    says: "alice was not in yet after 5 s",
  },
  {
    did: "awaits the lobby in sendPresence before the presence frame: everyone hears of a join only once the lobby answers",
    patch: [
      ["  private sendPresence() {", "  private async sendPresence() {"],
      ['    this.broadcast({ type: "presence", joined, left, count: online.size });\n    // Not awaited: the frame above has gone, and nothing waits for the lobby.\n    void this.tellLobby();\n',
        '    await this.tellLobby();\n    this.broadcast({ type: "presence", joined, left, count: online.size });\n'],
    ],
    fails: "joining does not wait for the lobby",
    says: "alice was in, but had no presence frame yet after 5 s",
  },
  {
    did: "names the room with this.ctx.id.toString(), a hex id, instead of this.ctx.id.name",
    patch: [[SET_ONLINE, 'await this.env.LOBBY.getByName("lobby").setOnline(this.ctx.id.toString(), this.onlineNames().size);']],
    fails: "a room with people online is listed with how many, within 2 s",
    says: "not listed",
  },
  {
    did: "keeps the room's name in a field set by fetch, which is empty after hibernation",
    patch: [
      ["  private buckets = new Map<string, Bucket>();\n", "  private buckets = new Map<string, Bucket>();\n  private room = \"\";\n"],
      ['    const after = Number(params.get("after") ?? 0);\n', '    const after = Number(params.get("after") ?? 0);\n    this.room = params.get("room")!;\n'],
      [SET_ONLINE, 'await this.env.LOBBY.getByName("lobby").setOnline(this.room, this.onlineNames().size);'],
    ],
    fails: "after the room hibernated, a leave still reaches the directory",
    says: "once bob left the hibernated room",
  },
  {
    did: "counts sockets, not people, so a second tab counts twice",
    patch: [[SET_ONLINE, 'await this.env.LOBBY.getByName("lobby").setOnline(this.ctx.id.name!, this.ctx.getWebSockets().length);']],
    fails: "a second tab of the same name does not count twice",
    says: '"online":3',
  },
  {
    did: "tells the lobby on join and in webSocketClose, counting every socket's name, the closing one's too",
    patch: [
      [TELL, "// The lobby hears of joins and closes instead."],
      [SET_ONLINE, `const names = new Set(this.ctx.getWebSockets().map((ws) => (ws.deserializeAttachment() as Attachment).name));
      await this.env.LOBBY.getByName("lobby").setOnline(this.ctx.id.name!, names.size);`],
      [ACCEPTED, `void this.tellLobby();\n    ${ACCEPTED}`],
      ["    this.leave(ws);\n  }\n\n  async webSocketError", "    this.leave(ws);\n    void this.tellLobby();\n  }\n\n  async webSocketError"],
    ],
    fails: "people who arrive together cost the lobby one call per presence frame, not one each",
    says: "10 calls to setOnline",
  },
  {
    did: "keeps rooms at 0 in the directory instead of deleting their line",
    patch: [["    if (online === 0) {\n      this.ctx.storage.sql.exec(\"DELETE FROM rooms WHERE name = ?\", room);\n      return;\n    }\n", ""]],
    fails: "a room whose people all closed their tabs leaves the directory within 2 s",
    says: '"online":0',
  },
  {
    did: "keeps the directory in a Map, which is empty again when the lobby leaves memory",
    patch: [
      ["export class Lobby extends DurableObject<Env> {\n", "export class Lobby extends DurableObject<Env> {\n  private rooms = new Map<string, number>();\n\n"],
      ["  setOnline(room: string, online: number) {\n", "  setOnline(room: string, online: number) {\n    if (online === 0) this.rooms.delete(room);\n    else this.rooms.set(room, online);\n    return;\n"],
      [`    return this.ctx.storage.sql\n      ${LIST}\n      .toArray();`, "    return [...this.rooms].map(([name, online]) => ({ name, online })).sort((a, b) => b.online - a.online || (a.name < b.name ? -1 : 1)).slice(0, DIRECTORY_SIZE);"],
    ],
    fails: "the directory is still there after the lobby left memory",
    says: "not listed",
  },
  {
    did: "tells the lobby after every message too",
    patch: [["    this.broadcast(toFrame({ id, name: sender.name, message: frame.message, timestamp }));\n", "    this.broadcast(toFrame({ id, name: sender.name, message: frame.message, timestamp }));\n    void this.tellLobby();\n"]],
    fails: "messages do not call the lobby: arrivals and departures do",
    says: "calls to setOnline",
  },
  {
    did: "ignores a failed call to the lobby, so the room stays missing until its count changes",
    patch: [[RETRY, "// The next change will correct it."]],
    fails: "a call to the lobby that fails is made again",
    says: "after its first call to setOnline failed",
  },
  {
    did: "retries a failed call to the lobby every second until it answers, so the room never sleeps while the lobby is down",
    patch: [[RETRY, "setTimeout(() => void this.tellLobby(), LOBBY_RETRY_MS);"]],
    fails: "a call to the lobby that fails is made once more, not again and again",
    says: "no third call",
  },
  {
    did: "retries a failed call with the count that failed, not the count as it is a second later",
    patch: [
      ["private async tellLobby(retry = true) {", "private async tellLobby(retry = true, online = this.onlineNames().size) {"],
      [SET_ONLINE, 'await this.env.LOBBY.getByName("lobby").setOnline(this.ctx.id.name!, online);'],
      [RETRY, "if (retry) setTimeout(() => void this.tellLobby(false, online), LOBBY_RETRY_MS);"],
    ],
    fails: "a failed call is made again with the count as it is then, not the one that failed",
    says: "as it is then",
  },
  {
    did: "lists what the table says without asking rooms it has not heard from, so a restart leaves ghosts",
    patch: [["    await Promise.all(\n      quiet.map(", "    await Promise.all(\n      quiet.slice(0, 0).map("]],
    fails: "a room that emptied without a close event leaves the directory once the lobby asks it",
    says: "it is listed",
  },
  {
    did: "orders the rooms by name only",
    patch: [[LIST, '.exec<RoomEntry>("SELECT name, online FROM rooms ORDER BY name LIMIT ?", DIRECTORY_SIZE)']],
    fails: "rooms are listed most people first, then by name",
    says: "the order of this check's four rooms",
  },
  {
    did: "lists every room, however many (no LIMIT)",
    patch: [[LIST, '.exec<RoomEntry>("SELECT name, online FROM rooms ORDER BY online DESC, name")']],
    fails: "at most 100 rooms are listed, the busiest",
    says: "exactly 100 rooms",
  },
  {
    did: "answers other /api/ paths with the plain-text Not found",
    patch: [['if (pathname.startsWith("/api/")) {', 'if (pathname === "/api/rooms") {']],
    fails: "an unknown /api/ path gets 404 JSON; another method on /api/rooms gets 405 JSON",
    says: 'a JSON body {"error":"…"}',
  },
  {
    did: "sends its errors as JSON text, new Response(JSON.stringify(…)), which says Content-Type: text/plain",
    patch: [
      [
        "return Response.json({ error: `Nothing at ${pathname}: the API has /api/rooms.` }, { status: 404 });",
        "return new Response(JSON.stringify({ error: `Nothing at ${pathname}: the API has /api/rooms.` }), { status: 404 });",
      ],
    ],
    fails: "an unknown /api/ path gets 404 JSON; another method on /api/rooms gets 405 JSON",
    says: "a Content-Type: application/json header",
  },
  {
    did: "drops the rooms not heard from for a minute instead of asking them, so a quiet room with people vanishes",
    patch: [[
      "        const online = await this.env.CHAT.getByName(name).online().catch(() => undefined);\n        if (online !== undefined) this.setOnline(name, online);\n",
      "        this.setOnline(name, 0);\n",
    ]],
    fails: "a room that emptied without a close event leaves the directory once the lobby asks it",
    says: "carol's room, asked too, still listed with 1 online",
  },
  {
    did: "asks the quiet rooms one after another, so one slow room holds up the others and the list",
    patch: [[
      "    await Promise.all(\n      quiet.map(async ({ name }) => {\n        // A room that cannot answer now keeps its line, and is asked again next time.\n        const online = await this.env.CHAT.getByName(name).online().catch(() => undefined);\n        if (online !== undefined) this.setOnline(name, online);\n      }),\n    );\n",
      "    for (const { name } of quiet) {\n      const online = await this.env.CHAT.getByName(name).online().catch(() => undefined);\n      if (online !== undefined) this.setOnline(name, online);\n    }\n",
    ]],
    fails: "a room that emptied without a close event leaves the directory once the lobby asks it",
    says: "it asked them one after another",
  },
  {
    did: "keeps heard_at as it was when a room answers, so after a minute the lobby asks it at every list",
    patch: [["ON CONFLICT (name) DO UPDATE SET online = excluded.online, heard_at = excluded.heard_at", "ON CONFLICT (name) DO UPDATE SET online = excluded.online"]],
    fails: "a room that emptied without a close event leaves the directory once the lobby asks it",
    says: "not asked again by the next two lists",
  },
  {
    did: "answers online() with the number of sockets, so a person in two tabs counts twice once the lobby asks",
    patch: [["    return this.onlineNames().size;\n  }\n", "    return this.ctx.getWebSockets().length;\n  }\n"]],
    fails: "a room that emptied without a close event leaves the directory once the lobby asks it",
    says: "two tabs are one person",
  },
  {
    did: "tells the lobby at every arrival, from fetch, as well as with each presence frame",
    patch: [["    return new Response(null, { status: 101, webSocket: client });\n", "    void this.tellLobby();\n    return new Response(null, { status: 101, webSocket: client });\n"]],
    fails: "people who arrive together cost the lobby one call per presence frame, not one each",
    says: "at most one call to the lobby per presence frame",
  },
  {
    did: "gives the lobby's table no index, so every GET /api/rooms sorts every room",
    patch: [['    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS busiest ON rooms (online DESC, name)");\n', ""]],
    fails: "the lobby reads the busiest rooms in order through an index, without sorting its whole table",
    says: "TEMP B-TREE",
  },
  {
    did: "answers GET /api/rooms with new Response(JSON.stringify(\u2026)), which says text/plain",
    patch: [["return Response.json({ rooms });", "return new Response(JSON.stringify({ rooms }));"]],
    fails: "GET /api/rooms answers 200 with JSON {\"rooms\":[\u2026]}",
    says: "Content-Type: text/plain",
  },
  {
    did: "answers another method on /api/rooms with a 405 but no Allow header",
    patch: [["{ status: 405, headers: { Allow: \"GET\" } }", "{ status: 405 }"]],
    fails: "an unknown /api/ path gets 404 JSON; another method on /api/rooms gets 405 JSON",
    says: "an Allow: GET header",
  },
  {
    did: "keeps the lobby's stub in a field: once a call through it fails, Cloudflare's docs say every later call fails too",
    patch: [
      ["  private buckets = new Map<string, Bucket>();\n", "  private buckets = new Map<string, Bucket>();\n  private lobby = this.env.LOBBY.getByName(\"lobby\");\n"],
      ['await this.env.LOBBY.getByName("lobby").setOnline(', "await this.lobby.setOnline("],
    ],
    // A stub the room keeps is out of reach of the checks that hold, count or fail the room's
    // calls: the first of them says so.
    fails: "joining does not wait for the lobby",
    says: "a lobby stub kept in a field is out of this check's reach",
  },
  {
    did: "asks the quiet rooms without a catch, so one room restarting takes the whole directory down",
    patch: [["        const online = await this.env.CHAT.getByName(name).online().catch(() => undefined);\n        if (online !== undefined) this.setOnline(name, online);\n", "        this.setOnline(name, await this.env.CHAT.getByName(name).online());\n"]],
    fails: "a room that cannot answer the lobby keeps its line, and the others are listed all the same",
    says: "status 503",
  },
  {
    did: "lets the lobby's failure escape the Worker, which answers it with the runtime's own error, not JSON",
    patch: [["      return api(request, pathname, env).catch((error) => {\n        console.error(error);\n        return Response.json({ error: \"The server could not answer just now: try again in a moment.\" }, { status: 503 });\n      });\n", "      return api(request, pathname, env);\n"]],
    fails: "the API answers in JSON even when the lobby cannot: 503 with an error",
    says: "while the lobby cannot answer: 503",
  },
  {
    did: "answers a failed call with the error's own message, which may tell a client what only the server should know",
    patch: [["      return api(request, pathname, env).catch((error) => {\n        console.error(error);\n        return Response.json({ error: \"The server could not answer just now: try again in a moment.\" }, { status: 503 });\n      });\n", "      return api(request, pathname, env).catch((error) => Response.json({ error: String(error) }, { status: 503 }));\n"]],
    fails: "the API answers in JSON even when the lobby cannot: 503 with an error",
    says: "the error's own text stays on the server",
  },
  {
    did: "asks the rooms not heard from for 5 seconds, not a minute: every list asks most rooms again",
    patch: [["const CONFIRM_AFTER_MS = 60_000;", "const CONFIRM_AFTER_MS = 5_000;"]],
    fails: "a room that emptied without a close event leaves the directory once the lobby asks it",
    says: "only a room quiet for a minute is asked",
  },
  {
    did: "asks every room at every list (heard_at < now, no minute): each GET /api/rooms calls every room with people",
    patch: [["const CONFIRM_AFTER_MS = 60_000;", "const CONFIRM_AFTER_MS = 0;"]],
    fails: "a room that emptied without a close event leaves the directory once the lobby asks it",
    says: "not asked again 30 s after its answer",
  },
  {
    did: "counts a room that could not answer as heard from, so it is not asked again for a minute",
    patch: [["        if (online !== undefined) this.setOnline(name, online);\n", "        if (online !== undefined) this.setOnline(name, online);\n        else this.ctx.storage.sql.exec(\"UPDATE rooms SET heard_at = ? WHERE name = ?\", Date.now(), name);\n"]],
    fails: "a room that cannot answer the lobby keeps its line, and the others are listed all the same",
    says: "asked again by the next list",
  },
  {
    did: "retries a failed call to the lobby at once, while the lobby is still restarting, instead of a second later",
    patch: [["      if (retry) setTimeout(() => void this.tellLobby(false), LOBBY_RETRY_MS);\n", "      if (retry) void this.tellLobby(false);\n"]],
    fails: "a call to the lobby that fails is made once more, not again and again",
    says: "about a second after the first failed one",
  },
];
