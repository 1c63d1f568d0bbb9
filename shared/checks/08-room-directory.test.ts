// Stage 08 · Room directory: GET /api/rooms lists the rooms with someone online, busiest first,
// kept by a Lobby object that rooms tell, by RPC, how many they have. Leaving and dropping are
// checked over real connections, in 08-room-directory.sockets.test.ts.
import { describe } from "vitest";
import { env, target, withBinding } from "./helpers/target.ts";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { RoomEntry } from "../protocol.ts";
import { check, CheckFailure, needs, PreconditionFailure, show, sleep, WAIT_MS } from "./helpers/check.ts";
import { evict, join, newRoom, request, type ChatClient } from "./helpers/chat-client.ts";
import { withClock } from "./helpers/clock.ts";
import { expectEqual } from "./helpers/expect.ts";
import { directoryAt, LISTED_MS, ROOM_LABEL } from "./helpers/directory.ts";
import { whileReplaced } from "./helpers/replaced.ts";

const CONFIG_HINT =
  "This folder's wrangler.jsonc needs both: a binding { \"name\": \"LOBBY\", \"class_name\": \"Lobby\" } and, in " +
  "\"exports\" beside Chat, \"Lobby\": { \"type\": \"durable-object\", \"storage\": \"sqlite\" }: every class the " +
  "Worker exports is declared there, and \"sqlite\" gives it SQLite storage. Then npm run types. See TODO(step 8) in wrangler.jsonc.";
const EXPORTS_HINT =
  "Older tutorials add a class with a \"migrations\" array; this kit declares its classes in \"exports\", which " +
  "Cloudflare recommends for new Workers, and wrangler refuses a configuration with both (\"`migrations` and `exports` " +
  "are mutually exclusive\"): npm run step and the deploy stop there. Delete the migrations array from this folder's " +
  "wrangler.jsonc, and declare the Lobby in \"exports\": \"Lobby\": { \"type\": \"durable-object\", \"storage\": \"sqlite\" }.";
const API_HINT =
  "In the Worker's fetch, before the /ws test: GET /api/rooms answers Response.json({ rooms: await " +
  'env.LOBBY.getByName("lobby").list() }). See TODO(step 8) in fetch.';
const ERROR_HINT =
  "Every answer under /api/ is JSON, errors too, as Response.json({ error: … }, { status }), which also says " +
  "Content-Type: application/json: 405 with an " +
  'Allow: GET header for another method on /api/rooms, 404 for any other /api/ path (not the plain "Not found").';
const LINE_HINT =
  "In the Lobby's list(), name the columns: SELECT name, online FROM rooms … SELECT * also sends heard_at, the " +
  "lobby's own record of when it last heard from the room, which no page needs.";
const TELL_HINT =
  "When the presence frame goes out (sendPresence), call the lobby by RPC: " +
  'this.env.LOBBY.getByName("lobby").setOnline(this.ctx.id.name, online.size). this.ctx.id.name is the room\'s ' +
  "name (getByName in the Worker); this.ctx.id.toString() is a long hex id the page cannot use.";
const NAME_HINT =
  "A room that wakes from hibernation is a new instance: its fields are empty, so a room name kept in a field " +
  "is gone. this.ctx.id.name is the name the object was reached by, there in every instance.";
const COUNT_HINT =
  "Tell the lobby the room's count as it is, onlineNames().size: people, not sockets (a second tab is the same " +
  "person), and a number to store, not +1 or -1 to add (a lost or repeated call would leave it wrong forever).";
const ORDER_HINT =
  "list() returns SELECT name, online FROM rooms ORDER BY online DESC, name LIMIT 100: the most people " +
  "first, then by name.";
const INDEX_HINT =
  "In the Lobby's constructor, after CREATE TABLE: CREATE INDEX IF NOT EXISTS busiest ON rooms (online DESC, name). " +
  "SQLite then reads the busiest rooms in list()'s order and stops at 100, instead of sorting every room on each GET /api/rooms.";
const WAIT_HINT =
  "Do not await the lobby in fetch: the newcomer would wait for another object before seeing the room. Tell " +
  "the lobby from sendPresence, after the frame has gone, without awaiting it there either (void this.tellLobby()).";
const KEEP_HINT =
  "Keep the directory in the Lobby's SQLite storage (a rooms table, written in setOnline), not in a Map: the " +
  "object leaves memory when idle, or restarts, and its fields start empty again.";
const QUIET_HINT =
  "Call the lobby from sendPresence only, which runs when people come or go: a message changes nobody's count, " +
  "and a lobby called for every message of every room would be the busiest object of the app.";
const RETRY_HINT =
  "A call to another object can fail (it is restarting, or overloaded). Catch it and call once more a second " +
  "later (setTimeout), with the count as it is then: this.onlineNames().size, not the number that failed.";
const RETRY_ONCE_HINT =
  "Retry only once: tellLobby(false) in the timer, and no timer when retry is false. A timer keeps the room awake, " +
  "so a room that retried until the lobby answered would never hibernate while the lobby is down; its next change " +
  "tells the lobby anyway.";
const CONFIRM_HINT =
  "A restart or a deploy ends a room's sockets without any close event, so the room never says it emptied. In " +
  "list(), ask each room not heard from for a minute how many it has (env.CHAT.getByName(name).online()), all at " +
  "once (Promise.all), and store each answer with setOnline, which also sets heard_at, before reading the list; a " +
  "room at 0 leaves it. online() counts names, not sockets.";

const UNANSWERED_HINT =
  "In list(), a room that cannot answer now (it restarts with a deploy) must not take the whole directory down: " +
  "getByName(name).online().catch(() => undefined), and store only an answer. A room without one keeps its line, " +
  "and is asked again next time.";
const DOWN_HINT =
  "A call to another object can throw (it restarts, or is overloaded). In the Worker's fetch, catch what api() " +
  "throws: console.error(error), then Response.json({ error: \"…\" }, { status: 503 }). The error's own text stays " +
  "in the log: it may say things about the server that no client should read.";

const { directory, listed } = directoryAt((path) => request(path));

// The retry checks wait for the room's own timer, a second, and then some: more than most checks.
const RETRY_MS = 12_000;

/** The lobby's object; a clear failure while wrangler.jsonc has no LOBBY binding. */
function lobby(): DurableObjectStub {
  const namespace = (env as { LOBBY?: DurableObjectNamespace }).LOBBY;
  if (!namespace) {
    throw new CheckFailure("a LOBBY binding for the class Lobby, in this folder's wrangler.jsonc", "env.LOBBY is undefined (see TODO(step 8) in wrangler.jsonc)");
  }
  return namespace.getByName("lobby");
}

/** A room with `names` online, everyone told who is here (so the presence frame has gone out). */
async function roomWith(room: string, names: string[]): Promise<ChatClient[]> {
  const clients: ChatClient[] = [];
  for (const name of names) clients.push(await join(room, name));
  await clients[0].expectPresence(names, `${names[0]} sees ${names.join(", ")} in the room`);
  return clients;
}

describe("08 · Room directory", () => {
  check("wrangler.jsonc declares the classes in exports alone, with no migrations array beside it", EXPORTS_HINT, async () => {
    const { exports, migrations } = target().declares;
    if ((migrations ?? []).length > 0) {
      throw new CheckFailure(`"exports" alone: ${show(exports ?? {})}`, `a "migrations" array as well: ${show(migrations)}`);
    }
  });

  check("the Lobby is a SQLite-backed Durable Object, bound as LOBBY", CONFIG_HINT, async () => {
    // The constructor's CREATE TABLE fails first, when it has none: either way, the object has no SQL.
    const stub = lobby();
    const problem = await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("SELECT 1");
    }).then(() => undefined, (error: unknown) => (error instanceof Error ? error.message : String(error)));
    if (problem !== undefined) {
      throw new CheckFailure('the class declared in "exports": "Lobby": { "type": "durable-object", "storage": "sqlite" }', `the Lobby's storage has no SQL (${problem})`);
    }
  });

  check('GET /api/rooms answers 200 with JSON {"rooms":[…]}', API_HINT, async () => {
    const response = await request("/api/rooms");
    const text = await response.text();
    if (response.status !== 200) throw new CheckFailure("status 200", `status ${response.status} with ${show(text)}`);
    const type = response.headers.get("Content-Type") ?? "";
    if (!type.startsWith("application/json")) throw new CheckFailure("Content-Type: application/json", `Content-Type: ${type || "none"}`);
    const body = JSON.parse(text) as { rooms?: unknown };
    const ok = Array.isArray(body.rooms) && body.rooms.every((room) => typeof room?.name === "string" && Number.isInteger(room?.online));
    if (!ok) throw new CheckFailure('{"rooms":[{"name":"…","online":2},…]}', show(body));
  });

  check("a room with people online is listed with how many, within 2 s", TELL_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    await roomWith(room, ["alice", "bob"]);
    await listed(room, 2, "the room, with alice and bob online");
  });

  check("a room's line holds its name and how many are online, nothing of the lobby's own", LINE_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    await roomWith(room, ["alice"]);
    await listed(room, 1, "the room, with alice online");
    const line = (await directory()).find(({ name }) => name === room) ?? {};
    // Stage 09 adds whether the room is protected.
    const extra = Object.keys(line).filter((key) => !["name", "online", "protected"].includes(key));
    if (extra.length > 0) throw new CheckFailure(`the room's line ${show({ name: room, online: 1 })}, and nothing more`, show(line));
  });

  check("a second tab of the same name does not count twice", COUNT_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    await roomWith(room, ["alice"]);
    await listed(room, 1, "the room with alice");
    const again = await join(room, "alice");
    await needs("alice's second tab to be told who is here", again.expectPresence(["alice"], "alice's second tab sees alice"));
    await join(room, "bob");
    // bob's arrival makes the room tell the lobby again: its count must be 2 people, not 3 sockets.
    await listed(room, 2, "the room with alice (two tabs) and bob");
  });

  check("after the room hibernated, a leave still reaches the directory", NAME_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    const [, bob] = await roomWith(room, ["alice", "bob"]);
    await listed(room, 2, "the room with alice and bob");
    // The object leaves memory; the sockets stay open. bob's close wakes a new instance.
    await evict(room);
    await bob.close(1000, "bye");
    await listed(room, 1, "the room, once bob left the hibernated room");
  });

  check("rooms are listed most people first, then by name", ORDER_HINT, async () => {
    const base = newRoom(ROOM_LABEL);
    const rooms = { [`${base}-c`]: ["ann", "ben", "cat"], [`${base}-b`]: ["dan", "eve"], [`${base}-a`]: ["fay", "gus"], [`${base}-0`]: ["hal"] };
    for (const [room, names] of Object.entries(rooms)) await roomWith(room, names);
    for (const [room, names] of Object.entries(rooms)) await listed(room, names.length, `room ${room}`);
    const order = (await directory()).filter(({ name }) => name.startsWith(base)).map(({ name, online }) => `${name.slice(base.length + 1)}:${online}`);
    expectEqual(order, ["c:3", "a:2", "b:2", "0:1"], "the order of this check's four rooms");
  });

  // Alone: opening 101 rooms keeps the runtime busy for a few seconds, which other checks' 2 s waits would feel.
  check.alone("at most 100 rooms are listed, the busiest", ORDER_HINT, async () => {
    // Rooms named to sort after every other check's, one person each, and one room of two.
    const base = newRoom("zz-many");
    for (let i = 0; i < 101; i++) await join(`${base}-${String(i).padStart(3, "0")}`, "solo");
    const busy = `${base}-busy`;
    await roomWith(busy, ["ann", "ben"]);
    await listed(busy, 2, "the room of two");
    const deadline = performance.now() + LISTED_MS;
    let rooms = await directory();
    // The last of the 101 rooms may still be on its way to the lobby.
    while (rooms.length < 100 && performance.now() < deadline) rooms = await directory();
    if (rooms.length !== 100) throw new CheckFailure("exactly 100 rooms, with more than 100 rooms online", `${rooms.length} rooms`);
  }, 20_000);

  check("the lobby reads the busiest rooms in order through an index, without sorting its whole table", INDEX_HINT, async () => {
    // How SQLite would run list()'s query on the lobby's table as the Lobby made it.
    const plan = await runInDurableObject(lobby(), (_instance, state) =>
      state.storage.sql
        .exec<{ detail: string }>("EXPLAIN QUERY PLAN SELECT name, online FROM rooms ORDER BY online DESC, name LIMIT 100")
        .toArray()
        .map((row) => row.detail),
    );
    if (plan.some((step) => /TEMP B-TREE/.test(step)) || !plan.some((step) => /INDEX/.test(step))) {
      throw new CheckFailure("a plan that reads the rooms through an index on (online DESC, name): no TEMP B-TREE for ORDER BY", plan.join("; "));
    }
  });

  check("an unknown /api/ path gets 404 JSON; another method on /api/rooms gets 405 JSON", ERROR_HINT, async () => {
    for (const [path, method, status] of [["/api/nothing-here", "GET", 404], ["/api/nothing-here", "PUT", 404], ["/api/", "GET", 404], ["/api/rooms", "PUT", 405], ["/api/rooms", "DELETE", 405]] as const) {
      const response = await request(path, { method });
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new CheckFailure(`${method} ${path}: a JSON body {"error":"…"}`, `status ${response.status} with ${show(text)}`);
      }
      if (response.status !== status || typeof (body as { error?: unknown })?.error !== "string") {
        throw new CheckFailure(`${method} ${path}: status ${status} with {"error":"…"}`, `status ${response.status} with ${show(text)}`);
      }
      // A JSON body sent as text: a client that goes by the header (response.json() in a page's code, say) cannot read it.
      const type = response.headers.get("Content-Type") ?? "";
      if (!type.startsWith("application/json")) {
        throw new CheckFailure(`${method} ${path}: a Content-Type: application/json header`, type ? `Content-Type: ${type}` : "no Content-Type header");
      }
      // Stage 09 adds POST: the header lists GET, among others then.
      const allow = (response.headers.get("Allow") ?? "").split(",").map((m) => m.trim().toUpperCase());
      if (status === 405 && !allow.includes("GET")) {
        throw new CheckFailure(`${method} ${path}: an Allow: GET header`, `Allow: ${response.headers.get("Allow") ?? "none"}`);
      }
    }
  });

  // Alone: evicting the lobby would disturb the other checks' rooms.
  check.alone("the directory is still there after the lobby left memory", KEEP_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    await roomWith(room, ["alice", "bob", "carol"]);
    await listed(room, 3, "the room of three");
    await evictDurableObject(lobby());
    // Nobody came or went: only what the lobby stored can list the room now.
    await listed(room, 3, "the room of three, after the lobby's object was taken out of memory", 0);
  });

  check("joining does not wait for the lobby", WAIT_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    // The room's calls to the lobby are held until alice is in, or for 5 s: a room that waits for
    // them keeps her waiting. No stopwatch, so a slow laptop cannot fail a room that does not wait.
    // Held in the room, where they are made: the lobby's own setOnline, after it asked a room for
    // another check's list, is not this room's call, and holding it would hold up that list.
    let answer = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    let held = 0;
    await fromRoom(room, async (setOnline) => {
      held++;
      await answered;
      return setOnline();
    }, async () => {
      // In, and told so by the presence frame: a room that awaits the lobby before that frame keeps it back.
      let where = "alice was not in yet";
      const inRoom = join(room, "alice").then(async (alice) => {
        await alice.next("users", "alice is told who is here");
        where = "alice was in, but had no presence frame yet";
        // Longer than the 5 s below, so that the race, not this wait, says what happened.
        await alice.frameWhere("presence", () => true, "alice is told she joined", "presence frame", 6000);
      });
      // Joined, failed (its error is the check's answer, below), or still waiting after 5 s.
      const waited = await Promise.race([
        inRoom.then(() => false, () => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 5000)),
      ]);
      answer();
      if (waited && held > 0) {
        throw new CheckFailure("alice joins, and is told so, while the lobby has not answered yet", `${where} after 5 s: the room is waiting for the lobby's answer`);
      }
      await inRoom;
      // And the lobby hears of it all the same.
      await listed(room, 1, "the room, once the lobby answered", 4000);
    });
  });

  check("messages do not call the lobby: arrivals and departures do", QUIET_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    const [alice, bob] = await roomWith(room, ["alice", "bob"]);
    await listed(room, 2, "the room with alice and bob");
    // Counted in the room, where the calls are made: the lobby also calls its own setOnline when
    // it has asked a room, and other checks' lists make it do so at any moment.
    let calls = 0;
    await fromRoom(room, (setOnline, call) => ((calls = call), setOnline()), async () => {
      for (const text of ["one", "two", "three"]) alice.say(text);
      for (const text of ["one", "two", "three"]) await bob.messageWithText(text, `bob receives alice's ${show(text)}`);
      await bob.quiet(300);
      if (calls !== 0) throw new CheckFailure("no call to the lobby while alice sends 3 messages", `${calls} calls to setOnline from the room`);
      // A departure does call it: what this check watches is where the room's calls go.
      await bob.close(1000, "bye");
      await listed(room, 1, "the room once bob left");
    });
  });

  check("people who arrive together cost the lobby one call per presence frame, not one each", QUIET_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    // Counted in the room, as in the check above.
    let calls = 0;
    await fromRoom(room, (setOnline, call) => ((calls = call), setOnline()), async () => {
      const [alice] = await roomWith(room, ["alice"]);
      await listed(room, 1, "alice's room");
      await alice.quiet(300);
      const [callsBefore, framesBefore] = [calls, alice.all("presence").length];
      const guests = Array.from({ length: 10 }, (_, i) => `guest-${i}`);
      await Promise.all(guests.map((name) => join(room, name)));
      await alice.expectPresence(["alice", ...guests], "alice sees the 10 guests online");
      await listed(room, 11, "the room with alice and the 10 guests");
      await alice.quiet(300);
      const [made, frames] = [calls - callsBefore, alice.all("presence").length - framesBefore];
      if (made > frames) throw new CheckFailure(`at most one call to the lobby per presence frame: ${frames} for the 10 guests`, `${made} calls to setOnline from the room`);
    });
  });

  check("a call to the lobby that fails is made again", RETRY_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    // The room's first call fails, as it would while the lobby restarts.
    await fromRoom(room, (setOnline, call) => (call === 1 ? failed() : setOnline()), async () => {
      await roomWith(room, ["alice"]);
      await listed(room, 1, "the room, after its first call to setOnline failed", 4000);
    });
  });

  check("a call to the lobby that fails is made once more, not again and again", RETRY_ONCE_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    let second = () => {};
    const retried = new Promise<void>((resolve) => (second = resolve));
    const at: number[] = [];
    // Every call of the room fails, as while the lobby is down.
    const calls = await fromRoom(room, (_setOnline, call) => {
      at.push(Date.now());
      if (call === 2) second();
      return failed();
    }, async () => {
      await roomWith(room, ["alice"]);
      await Promise.race([retried, sleep(4000)]);
      // The retry came a second after the first call: two seconds more show whether a third follows.
      await sleep(2000);
    });
    if (calls !== 2) {
      throw new CheckFailure("the first call to setOnline, one more a second later, then no third call while nothing changes", `${calls} ${calls === 1 ? "call" : "calls"} to setOnline, each one failing, while alice stayed`);
    }
    // A second later, not at once: a lobby that is restarting needs a moment. (A floor: a slow machine only adds to it.)
    if (at[1] - at[0] < 800) {
      throw new CheckFailure("the second call about a second after the first failed one, not at once", `${at[1] - at[0]} ms after it`);
    }
  }, RETRY_MS);

  check("a failed call is made again with the count as it is then, not the one that failed", RETRY_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    let bobCounted = () => {};
    const counted = new Promise<void>((resolve) => (bobCounted = resolve));
    let third = () => {};
    const retried = new Promise<void>((resolve) => (third = resolve));
    let bob: Promise<ChatClient> | undefined;
    await fromRoom(room, async (setOnline, call) => {
      if (call === 1) {
        // alice's call is on its way when bob arrives; his call gets there first, then hers fails.
        bob = join(room, "bob");
        await Promise.race([counted, sleep(4000)]);
        return failed();
      }
      const answer = await setOnline();
      if (call === 2) bobCounted();
      if (call === 3) third();
      return answer;
    }, async () => {
      await join(room, "alice");
      await Promise.race([retried, sleep(5000)]);
      await bob;
      await listed(room, 2, "the room with alice and bob, once alice's failed call was made again a second later, with the count as it is then", 0);
    });
  }, RETRY_MS);

  check.alone("a room that emptied without a close event leaves the directory once the lobby asks it", CONFIRM_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom(ROOM_LABEL);
      await roomWith(room, ["alice", "bob"]);
      await listed(room, 2, "the room with alice and bob");
      // Beside it, a room whose one person stays, quietly, in two tabs: a minute of silence does not empty it.
      const quiet = newRoom(ROOM_LABEL);
      await roomWith(quiet, ["carol"]);
      await join(quiet, "carol");
      await listed(quiet, 1, "carol's room, carol in two tabs");
      // As a restart or a deploy does: the sockets end, and the room's code never hears of it.
      await evict(room, "close");
      await listed(room, 2, "the room, still listed: nothing told the lobby", 0);
      clock.advance(61_000);
      let rooms: RoomEntry[] = [];
      const { asks, overlapped } = await asksDuring([room, quiet], async () => (rooms = await directory()));
      const after = rooms.find(({ name }) => name === room);
      if (after) throw new CheckFailure("a minute later, the lobby asks the room, which has nobody: it is not listed", `it is listed: ${show(after)}`);
      const stays = rooms.find(({ name }) => name === quiet);
      if (stays?.online !== 1) {
        throw new CheckFailure("a minute later, carol's room, asked too, still listed with 1 online: she never left, and two tabs are one person", stays ? `listed as ${show(stays)}` : "not listed");
      }
      if (!overlapped) {
        throw new CheckFailure(
          "the lobby asks the two rooms at once (Promise.all): one slow to answer does not hold up the other",
          asks < 2 ? `it asked ${asks} of them` : "it asked them one after another: the second only once the first had answered",
        );
      }
      // Its answer counts as hearing from it: the lists of the next minute do not ask it again.
      const again = await asksDuring([quiet], async () => (await directory(), await directory()));
      if (again.asks > 0) {
        throw new CheckFailure("carol's room, just asked, not asked again by the next two lists: its answer is news of it (heard_at)", `asked ${again.asks} more times`);
      }
      // Nor within the minute that follows: a room is asked once it has been quiet for a minute, not sooner.
      clock.advance(30_000);
      const later = await asksDuring([quiet], () => directory());
      if (later.asks > 0) {
        throw new CheckFailure("carol's room not asked again 30 s after its answer: only a room quiet for a minute is asked", `asked ${later.asks} time(s)`);
      }
    }),
  );

  check.alone("a room that cannot answer the lobby keeps its line, and the others are listed all the same", UNANSWERED_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom(ROOM_LABEL);
      const [alice] = await roomWith(room, ["alice"]);
      await listed(room, 1, "the room with alice");
      clock.advance(61_000);
      let rooms: RoomEntry[] = [];
      await whileUnreachable(room, async () => void (rooms = await directory()));
      const line = rooms.find(({ name }) => name === room);
      if (line?.online !== 1) {
        throw new CheckFailure("a minute later, alice's room, which cannot answer the lobby just now, still listed with 1 online", line ? `listed as ${show(line)}` : "not listed");
      }
      // No answer is no news: the next list asks it again.
      const next = await asksDuring([room], () => directory());
      if (next.asks === 0) throw new CheckFailure("alice's room, which could not answer, asked again by the next list", "not asked: a failed question counted as news of it");
      await alice.close(1000, "bye");
    }),
  );

  check.alone("the API answers in JSON even when the lobby cannot: 503 with an error", DOWN_HINT, async () => {
    const why = "the check makes the lobby fail, as one that restarts would";
    const down = { getByName: () => ({ list: () => Promise.reject(new Error(why)) }) };
    let status = 0;
    let type = "";
    let text = "";
    await withBinding("LOBBY", down, async () => {
      const answer = await request("/api/rooms").catch((error: Error) => error);
      if (answer instanceof Error) throw new CheckFailure("GET /api/rooms, while the lobby cannot answer: 503 with a JSON error", `the Worker threw ${show(answer.message)}`);
      ({ status } = answer);
      type = answer.headers.get("Content-Type") ?? "";
      text = await answer.text();
    });
    let error: unknown;
    try {
      error = (JSON.parse(text) as { error?: unknown }).error;
    } catch {
      // Said below.
    }
    if (status !== 503 || !type.startsWith("application/json") || typeof error !== "string") {
      throw new CheckFailure('GET /api/rooms, while the lobby cannot answer: 503 with {"error":"…"} (Content-Type: application/json)', `status ${status}, Content-Type: ${type || "none"}, ${show(text)}`);
    }
    if (text.includes(why)) throw new CheckFailure("the error's own text stays on the server: the answer says something of its own", show(text));
  });
});

type Method = (...args: unknown[]) => unknown;

/**
 * Swaps the binding `name` in the env of the object behind `stub` for one whose methods are what
 * `route` makes of each (given the method's name and the real method). Returns what puts it back.
 */
function rebind(stub: DurableObjectStub, name: string, route: (key: string | symbol, method: Method) => Method): Promise<() => void> {
  return runInDurableObject(stub, (instance) => {
    const object = instance as unknown as { env: Record<string, unknown> };
    const own = object.env;
    const binding = new Proxy(own[name] as object, {
      get: (target, key) => {
        const value = Reflect.get(target, key) as unknown;
        return typeof value === "function" ? route(key, (...args) => value.apply(target, args)) : value;
      },
    });
    object.env = { ...own, [name]: binding };
    return () => void (object.env = own);
  });
}

/**
 * Runs `body` while the lobby's calls to `room` fail, as calls to a room that is restarting do:
 * the lobby's own env.CHAT is swapped for one that answers every other room as before.
 */
async function whileUnreachable(room: string, body: () => Promise<void>): Promise<void> {
  const failing = { online: () => Promise.reject(new Error("the check makes this call fail, as a room that restarts would")) };
  const id = env.CHAT.idFromName(room).toString();
  const restore = await rebind(lobby(), "CHAT", (key, method) => {
    if (key === "getByName") return (name, ...rest) => (name === room ? failing : method(name, ...rest));
    if (key === "get") return (which, ...rest) => (String(which) === id ? failing : method(which, ...rest));
    return method;
  });
  try {
    await body();
  } finally {
    restore();
  }
}

/**
 * Runs `body` while `room`'s calls to the lobby's setOnline go through `instead`, in the room, where
 * they are made: `instead` may make the real call, hold it or fail it, as a slow, restarting or down
 * lobby would.
 * (A Lobby method that threw instead would print the runtime's "uncaught exception" for every call,
 * and keep the lobby's object from ever leaving memory: workers-sdk#14736.) It reaches the calls the
 * room makes through this.env.LOBBY, as TODO(step 8) writes them. Returns how many there were.
 */
async function fromRoom(room: string, instead: (setOnline: () => Promise<unknown>, call: number) => Promise<unknown>, body: () => Promise<void>): Promise<number> {
  lobby();
  let calls = 0;
  type Lobby = { setOnline: (...args: unknown[]) => Promise<unknown> };
  const lobbyOf = (stub: Lobby) =>
    new Proxy(stub, {
      get: (target, key) => (key === "setOnline" ? async (...args: unknown[]) => instead(() => target.setOnline(...args), ++calls) : Reflect.get(target, key)),
    });
  const restore = await rebind(env.CHAT.getByName(room), "LOBBY", (key, method) =>
    key === "getByName" || key === "get" ? (...args) => lobbyOf(method(...args) as Lobby) : method,
  );
  // Said first, even when the body failed: a body that waited for a call this check never saw
  // would otherwise blame what it measures.
  const unseen = () =>
    new PreconditionFailure("the room to call setOnline through this.env.LOBBY, as TODO(step 8) writes it", new CheckFailure("a call", "no call to setOnline went through this.env.LOBBY: a lobby stub kept in a field is out of this check's reach"));
  try {
    await body();
  } catch (error) {
    throw calls === 0 ? unseen() : error;
  } finally {
    restore();
  }
  if (calls === 0) throw unseen();
  return calls;
}

/** What a call to a lobby that is down gives the room. */
const failed = () => Promise.reject(new Error("the check makes this call fail on purpose, as a lobby that is down would"));

/**
 * Runs `body` while the lobby's asks of `rooms` (their online()) are watched: how many there were,
 * and whether they overlapped. With two rooms or more, the first ask waits (up to WAIT_MS) for
 * another, as a slow room would: asked one after another, they never overlap. The method is the
 * class's, shared by every room: only in check.alone() checks.
 */
async function asksDuring(rooms: string[], body: () => Promise<unknown>): Promise<{ asks: number; overlapped: boolean }> {
  type Chat = { ctx: DurableObjectState };
  const ids = new Set(rooms.map((room) => env.CHAT.idFromName(room).toString()));
  const prototype = await runInDurableObject(env.CHAT.getByName(rooms[0]), (instance) => Object.getPrototypeOf(instance) as Chat);
  let asks = 0;
  let overlapped = false;
  let holding = false;
  await whileReplaced(prototype, {
    online: (online) => async function (this: Chat, ...args: unknown[]) {
      if (ids.has(this.ctx.id.toString())) {
        asks++;
        if (holding) overlapped = true;
        else if (asks === 1 && rooms.length > 1) {
          holding = true;
          // Polled: a promise made in one object's call may not be resolved from another's.
          for (let waited = 0; waited < WAIT_MS && asks === 1; waited += 10) await sleep(10);
          holding = false;
        }
      }
      return online.apply(this, args);
    },
  }, body);
  return { asks, overlapped };
}
