// Stage 10 · Alarms (optional): the room's alarm deletes messages older than the retention, at
// most a batch a run, and closes ghosts, connections that have not sent "ping" for 90 s. The
// alarm is set only while there is something to do: an empty, idle room has none.
// The checks put old messages straight into the room's storage, and run its alarm at once
// (runDurableObjectAlarm) instead of waiting for it. The checks about ghosts stop the clock
// (helpers/clock.ts): the runtime's auto-response timestamps keep real time, the room's Date not.
import { describe } from "vitest";
import { env, withBinding } from "./helpers/target.ts";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { rowsReadDuring } from "./helpers/rows-read.ts";
import { check, CheckFailure, needs, show, sleep } from "./helpers/check.ts";
import { ChatClient, evict, join, newRoom, request } from "./helpers/chat-client.ts";
import { withClock, type Clock } from "./helpers/clock.ts";
import { directoryAt, ROOM_LABEL } from "./helpers/directory.ts";
import { expectEqual } from "./helpers/expect.ts";
import { got, PASSWORD, roomsApiAt } from "./helpers/rooms-api.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** The retention the stage's wrangler.jsonc sets, and the default: 7 days. */
const RETENTION_SECONDS = 7 * 24 * 60 * 60;
const RETENTION_MS = RETENTION_SECONDS * 1000;
const BATCH = 500;
const GHOST_CODE = 4008;

const SCHEDULE_HINT =
  "After storing a message, if (await this.ctx.storage.getAlarm()) === null, await this.scheduleAlarm(). It sets the " +
  "alarm with this.ctx.storage.setAlarm(time) at the earliest of: the OLDEST message's timestamp + the retention " +
  "(SELECT timestamp FROM messages ORDER BY id LIMIT 1), and Date.now() + GHOST_SWEEP_MS while a socket is open. " +
  "See TODO(step 10) in webSocketMessage and above scheduleAlarm.";
const IDS_HINT =
  "SQLite gives a new row the largest id + 1: once the alarm has deleted every row, ids would start again at 1, " +
  "and a page that reconnects with after=<its last id> would miss them. Make messages.id INTEGER PRIMARY KEY " +
  "AUTOINCREMENT, which remembers the largest id ever given. ALTER TABLE cannot add it: in setUp(), when " +
  "sqlite_master's CREATE statement for messages has no AUTOINCREMENT, copy the table into a new one that has it, " +
  "in transactionSync().";
const DELETE_HINT =
  "In alarm(): DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE timestamp <= ? ORDER BY id LIMIT ?), " +
  "with Date.now() - retentionSeconds(this.env) * 1000 and DELETE_BATCH. Only messages older than the retention go: " +
  "by age, never by how many there are. See TODO(step 10) above alarm().";
const BATCH_HINT =
  "One statement deleting every expired row could hold the room for seconds. Delete at most DELETE_BATCH (500) a run, " +
  "oldest first (ORDER BY id LIMIT ?), and when the batch was full (.rowsWritten === DELETE_BATCH), come back at once: " +
  "await this.scheduleAlarm(now), which sets the alarm for now.";
const READS_HINT =
  "The alarm also runs every 30 s while people are connected, to look for ghosts. When no message has expired, the " +
  "DELETE looks through every row to find none (and rows read are billed). First ask whether the oldest message has " +
  "expired, one row: SELECT 1 FROM messages WHERE id = (SELECT min(id) FROM messages) AND timestamp <= ?.";
const IDLE_HINT =
  "scheduleAlarm(): with no message left, no open socket and no `soon`, call this.ctx.storage.deleteAlarm() and set " +
  "nothing. An alarm that sets itself again every 30 s wakes an empty room forever, and each wake is billed.";
const DURABLE_HINT =
  "Use the Durable Object's alarm, this.ctx.storage.setAlarm(time), and an async alarm() method: the runtime stores it " +
  "with the room and calls alarm() at that time, waking the object if it left memory. A setTimeout dies with the " +
  "object, and keeps it awake until then.";
const SWEEP_HINT =
  "In the room's fetch, after acceptWebSocket: void this.scheduleAlarm(). While any socket is OPEN, scheduleAlarm " +
  "includes Date.now() + GHOST_SWEEP_MS (30 s): the alarm must come back to look for ghosts even in a room where " +
  "nobody speaks.";
const GHOST_HINT =
  "closeGhosts(now), at the start of alarm(): for each OPEN socket of this.ctx.getWebSockets(), its last sign of life " +
  "is this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime(), or the attachment's connectedAt when it never pinged. " +
  "Older than KEEPALIVE_TIMEOUT_MS: ws.close(4008, reason), then this.leave(ws) at once, since a ghost sends no close " +
  "frame back and webSocketClose may never come. See TODO(step 10) above closeGhosts.";
const CLEAN_HINT =
  "In alarm(), after the messages: DELETE FROM tickets WHERE expires_at <= now, and DELETE FROM guesses WHERE at <= " +
  "now - WRONG_PASSWORD_WINDOW_MS. A ticket nobody used and a guess that no longer counts would otherwise stay forever. See TODO(step 10) above alarm().";
const ALIVE_HINT =
  "A socket that sent \"ping\" is alive: the runtime answers it with \"pong\" by itself (setWebSocketAutoResponse) and " +
  "stamps the time, which this.ctx.getWebSocketAutoResponseTimestamp(ws) returns. Use that stamp first, and " +
  "connectedAt only when it is null: connectedAt alone closes everyone 90 s after they joined.";
const RERUN_HINT =
  "In closeGhosts, after leave(ws), mark the socket gone in its attachment, and have leave() skip a socket marked " +
  "gone. A ghost closed by an earlier run stays listed, CLOSING, for as long as its other end does not answer: a " +
  "second run of the alarm must pass it by (skip sockets that are not WebSocket.OPEN), and should it answer at last, " +
  "webSocketClose must not announce it again.";
const CLOSING_HINT =
  "In scheduleAlarm, count only sockets with ws.readyState === WebSocket.OPEN: a ghost closed by the sweep may stay " +
  "listed, CLOSING, for a long while, and must not keep the alarm coming back every 30 s.";
const SOONER_HINT =
  "In scheduleAlarm(), read this.ctx.storage.getAlarm() and keep an alarm that is sooner than the time you found: " +
  "setAlarm replaces it, so each arrival would put the ghost sweep off by 30 s, and in a room that people keep " +
  "joining it would never come. Inside alarm(), getAlarm() is null.";
const GET_HINT =
  "GET /api/rooms/<room> answers Response.json({ name, protected, retentionSeconds: retentionSeconds(env) }): " +
  "Number(env.RETENTION_SECONDS), or DEFAULT_RETENTION_SECONDS when it is missing or not a positive number.";
const CONFIG_HINT =
  "A Worker variable is set in wrangler.jsonc: add \"vars\": { \"RETENTION_SECONDS\": \"604800\" } where its TODO(step 10) " +
  "says, then run npm run types. Without it the code falls back to 7 days, and no deploy can choose another retention.";
const VARS_HINT =
  "Read the retention from the Worker variable, this.env.RETENTION_SECONDS (a string: Number() it), through " +
  "retentionSeconds(this.env), in alarm() and in scheduleAlarm(): a constant of 7 days ignores what the deploy chose.";
const DEFAULT_HINT =
  "retentionSeconds(env): Number(env.RETENTION_SECONDS) is 0 for \"\" and NaN for a missing variable or a word. Use it " +
  "only when Number.isFinite(seconds) && seconds > 0, else DEFAULT_RETENTION_SECONDS: a retention of 0 would delete " +
  "every message at the next ghost sweep. See the TODO(step 10) in api(), where GET /api/rooms/<room> answers.";

const api = roomsApiAt((path, init) => request(path, init));
const { listed } = directoryAt((path) => request(path));

const stub = (room: string) => env.CHAT.getByName(room);

/** The room's alarm time (ms since 1970), or null when none is set. */
function alarmOf(room: string): Promise<number | null> {
  return runInDurableObject(stub(room), (_instance, state) => state.storage.getAlarm());
}

/** The room's alarm once someone joined: the room sets it without awaiting, so it may take a moment. */
async function alarmAfterJoin(room: string): Promise<number | null> {
  let set = await alarmOf(room);
  for (let i = 0; i < 10 && set === null; i++) {
    await sleep(50);
    set = await alarmOf(room);
  }
  return set;
}

/** The timestamps of the room's stored messages, oldest first. */
function timestampsOf(room: string): Promise<number[]> {
  return runInDurableObject(stub(room), (_instance, state) =>
    state.storage.sql.exec<{ timestamp: number }>("SELECT timestamp FROM messages ORDER BY id").toArray().map((row) => row.timestamp),
  );
}

/**
 * Stores messages straight into the room's table, as if said long ago: one per timestamp, in
 * that order. An alarm is set for `alarmAt` (default an hour from now) so that the check can run it.
 */
async function storeMessages(room: string, timestamps: number[], alarmAt = Date.now() + 60 * 60 * 1000) {
  await runInDurableObject(stub(room), async (_instance, state) => {
    const sql = state.storage.sql;
    for (const [i, timestamp] of timestamps.entries()) {
      sql.exec("INSERT INTO messages (name, message, timestamp) VALUES (?, ?, ?)", "old", `message ${i + 1}`, timestamp);
    }
    if ((await state.storage.getAlarm()) === null) await state.storage.setAlarm(alarmAt);
  });
}

/** Runs the room's alarm now, as the runtime would at its time; fails when none is set. */
/** How many tickets and guesses `room` keeps (stage 09's tables). */
function leftovers(room: string): Promise<{ tickets: number; guesses: number }> {
  return runInDurableObject(stub(room), (_instance, state) => {
    const count = (table: string) => state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n;
    return { tickets: count("tickets"), guesses: count("guesses") };
  });
}

/**
 * Stores 2 messages older than 7 days in `room`, runs the alarm, which deletes them, then has alice
 * send one, whose id must be above 2 (`where`: what kind of room, for the failure). Returns alice.
 */
async function messageAfterCleanUp(room: string, where: string): Promise<ChatClient> {
  const now = Date.now();
  await storeMessages(room, [now - 9 * DAY_MS, now - 8 * DAY_MS]);
  await runAlarm(room, "with 2 messages, both older than 7 days");
  await needs("the alarm to delete both expired messages (the check above)", timestampsOf(room).then((left) => expectEqual(left, [], "the messages left after the alarm ran")));
  const alice = await joined(room, "alice");
  alice.say("after the clean-up");
  const said = await alice.messageWithText("after the clean-up", "alice's message comes back to her");
  if (typeof said.id !== "number" || said.id <= 2) {
    throw new CheckFailure(`an id above 2, the last one given before the clean-up, ${where}`, `id ${show(said.id)}`);
  }
  return alice;
}

async function runAlarm(room: string, what: string) {
  if (!(await runDurableObjectAlarm(stub(room)))) {
    throw new CheckFailure(`${what}: the room's alarm set, to run it`, "no alarm was set (this.ctx.storage.setAlarm)");
  }
}

/** When a time is, in words, compared with `now`. */
function when(time: number | null, now = Date.now()): string {
  if (time === null) return "no alarm set";
  const seconds = Math.round((time - now) / 1000);
  return `an alarm ${seconds >= 0 ? `in ${seconds} s` : `${-seconds} s ago`} (${new Date(time).toISOString()})`;
}

/** Opens alice's socket and waits for her history frame. */
async function joined(room: string, name: string): Promise<ChatClient> {
  const client = await join(room, name);
  await needs(`${name} to receive the history frame (stage 03)`, client.next("history", `${name} receives the history frame`));
  return client;
}

/**
 * A true ghost: a socket whose other end never reads, so it never answers the server's close
 * frame either, as a laptop whose lid closed. `wake()` reads at last: what the server sent,
 * its close too, arrives then.
 */
async function ghostIn(room: string, name: string) {
  const path = `/ws?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}`;
  const response = await request(path, { headers: { Upgrade: "websocket" } });
  if (response.status !== 101 || !response.webSocket) {
    throw new CheckFailure(`GET ${path} opens a WebSocket (status 101)`, `status ${response.status}`);
  }
  const socket = response.webSocket;
  return { wake: () => new ChatClient(name, socket) };
}

/**
 * Runs the room's alarm now, for the ghost checks. With the clock set back, the alarm the room
 * set "in 30 s" was due already in real time, and the runtime may have run it by itself: the same.
 * A class with no alarm() method fails `expected` at once: no alarm can close a ghost, and waiting
 * for the close (a starter's case) would only make npm run check slower.
 */
async function sweep(room: string, expected: string) {
  const hasAlarm = await runInDurableObject(stub(room), (instance) => typeof Reflect.get(instance, "alarm") === "function");
  if (!hasAlarm) throw new CheckFailure(expected, "the room's class has no alarm() method, so nothing runs at the time given to setAlarm");
  await runDurableObjectAlarm(stub(room));
}

/**
 * In `room`, with the clock set 100 s back (and left there), a ghost that connects and never
 * sends "ping", and bob, who sends "ping": the runtime answers and stamps it with the real time.
 * Once the clock comes back to now, the ghost has been silent for 100 s and bob for none.
 */
async function ghostBesideBob(room: string, clock: Clock) {
  clock.advance(-100_000);
  const ghost = await ghostIn(room, "ghost");
  const bob = await joined(room, "bob");
  bob.sendRaw("ping");
  await needs("bob's \"ping\" to get \"pong\" (stage 04)", bob.nextText("pong", "bob's \"ping\" answered \"pong\""));
  await needs("bob to see ghost and bob online", bob.expectPresence(["bob", "ghost"], "bob sees ghost and bob online"));
  return { ghost, bob };
}

describe("10 · Alarms", () => {
  check("storing a message sets the room's alarm, for when the oldest message expires", SCHEDULE_HINT, async () => {
    const room = newRoom();
    const alice = await joined(room, "alice");
    // Someone connected before this stage was deployed: the room has no alarm yet.
    await runInDurableObject(stub(room), (_instance, state) => state.storage.deleteAlarm());
    alice.say("first words");
    const first = await needs("alice's message to come back", alice.messageWithText("first words", "alice receives her message back"));
    // Stage 04 checks that every message has its timestamp.
    const sent = first.timestamp ?? Date.now();
    const set = await alarmOf(room);
    if (set === null || set > sent + RETENTION_MS + 1000) {
      throw new CheckFailure(`a message stored in a room without an alarm sets one, at ${sent + RETENTION_MS} or earlier`, when(set));
    }
    alice.say("second words");
    await needs("alice's second message to come back", alice.messageWithText("second words", "alice receives her message back"));
    await alice.close(1000, "bye");
    // With nobody left, the next run sets the alarm for the oldest message alone.
    await runAlarm(room, "after alice left");
    const expiry = await alarmOf(room);
    if (expiry === null || Math.abs(expiry - (sent + RETENTION_MS)) > 1000) {
      throw new CheckFailure(
        `once everyone left, the alarm at the oldest message's timestamp + 7 days: ${new Date(sent + RETENTION_MS).toISOString()}`,
        when(expiry),
      );
    }
  });

  check("the alarm deletes the messages older than the retention and keeps the newer ones", DELETE_HINT, async () => {
    const room = newRoom();
    const now = Date.now();
    await storeMessages(room, [now - 9 * DAY_MS, now - 8 * DAY_MS, now - RETENTION_MS - 60_000, now - 6 * DAY_MS, now - DAY_MS, now - 60_000]);
    await runAlarm(room, "with 3 messages older than 7 days and 3 newer");
    const left = await timestampsOf(room);
    expectEqual(left.map((t) => Math.round((now - t) / 60_000)), [6 * 24 * 60, 24 * 60, 1], "the ages in minutes of the messages left after the alarm ran");
    const next = await alarmOf(room);
    if (next === null || Math.abs(next - (left[0] + RETENTION_MS)) > 1000) {
      throw new CheckFailure(
        `then the alarm set for when the oldest message left expires, in 1 day: ${new Date(left[0] + RETENTION_MS).toISOString()}`,
        when(next),
      );
    }
    const bob = await joined(room, "bob");
    const history = bob.all("history")[0];
    expectEqual(history.messages.map((m) => m.message), ["message 4", "message 5", "message 6"], "the history bob receives after the alarm ran");
    await bob.close(1000, "bye");
  });

  check("ids only grow, even once the alarm has deleted every message: a client that reconnects misses nothing", IDS_HINT, async () => {
    const room = newRoom();
    const alice = await messageAfterCleanUp(room, "in a new room");
    // A page that showed message 2 before the clean-up reconnects with after=2.
    const back = await join(room, "bob", 2);
    const history = await back.next("history", "a history frame first (joining with after=2)");
    expectEqual(history.messages.map((m) => m.message), ["after the clean-up"], "the history of a client that reconnects with after=2, the last id it saw");
    await Promise.all([alice.close(1000, "bye"), back.close(1000, "bye")]);
  });

  check("a room whose table an earlier stage made keeps its ids growing too, once the alarm has emptied it", IDS_HINT, async () => {
    const room = newRoom();
    // The messages table as stages 04 to 09 leave it: made by stage 03's CREATE TABLE, then given
    // a timestamp by stage 04's ALTER TABLE. The object then starts again, as after a deploy.
    await runInDurableObject(stub(room), (_instance, state) => {
      state.storage.sql.exec("DROP TABLE messages");
      state.storage.sql.exec("CREATE TABLE messages (id INTEGER PRIMARY KEY, name TEXT NOT NULL, message TEXT NOT NULL)");
      state.storage.sql.exec("ALTER TABLE messages ADD COLUMN timestamp INTEGER NOT NULL DEFAULT 0");
    });
    await evict(room, "close");
    const alice = await messageAfterCleanUp(room, "in a room whose table stage 09's code made");
    await alice.close(1000, "bye");
  });

  check("retention goes by age, not by count: 600 messages of the last hour all survive the alarm", DELETE_HINT, async () => {
    const room = newRoom();
    const now = Date.now();
    await storeMessages(room, Array.from({ length: 600 }, (_, i) => now - 60 * 60 * 1000 + i));
    await runAlarm(room, "with 600 messages of the last hour");
    const left = (await timestampsOf(room)).length;
    if (left !== 600) throw new CheckFailure("all 600 messages still stored after the alarm ran: none is older than 7 days", `${left} left`);
  });

  check.alone("an alarm run in a room of 2,000 recent messages reads only a few rows", READS_HINT, async () => {
    const room = newRoom();
    const now = Date.now();
    await storeMessages(room, Array.from({ length: 2000 }, (_, i) => now - 60 * 60 * 1000 + i));
    const reads = await rowsReadDuring(() => runAlarm(room, "with 2,000 messages of the last hour"));
    if (reads.total > 100) {
      const worst = [...reads.queries].sort((a, b) => b.rowsRead - a.rowsRead)[0];
      throw new CheckFailure("at most 100 rows read: nothing has expired, and the oldest message says so", `${reads.total} rows read, ${worst.rowsRead} of them by ${worst.query}`);
    }
  });

  check("the alarm leaves an empty, idle room without an alarm", IDLE_HINT, async () => {
    const room = newRoom();
    const now = Date.now();
    await storeMessages(room, [now - 9 * DAY_MS, now - 8 * DAY_MS]);
    await runAlarm(room, "with 2 messages older than 7 days, nobody connected");
    const left = (await timestampsOf(room)).length;
    if (left !== 0) throw new CheckFailure("both expired messages deleted by the alarm", `${left} left`);
    const after = await alarmOf(room);
    if (after !== null) throw new CheckFailure("no alarm left once the room is empty and nobody is connected (deleteAlarm)", when(after));
  });

  check("the alarm survives the room's object leaving memory", DURABLE_HINT, async () => {
    const room = newRoom();
    const alice = await joined(room, "alice");
    alice.say("still here tomorrow");
    await needs("alice's message to come back", alice.messageWithText("still here tomorrow", "alice receives her message back"));
    await alice.close(1000, "bye");
    await evict(room);
    const set = await alarmOf(room);
    if (set === null) throw new CheckFailure("the room's alarm still set after its object left memory (this.ctx.storage.setAlarm)", "no alarm set");
  });

  check("while a socket is open, an alarm is set within 30 s, even without messages", SWEEP_HINT, async () => {
    const room = newRoom();
    const alice = await joined(room, "alice");
    // Measured once alice is in: on a busy machine, joining alone may take over a second.
    const joinedAt = Date.now();
    const set = await alarmAfterJoin(room);
    if (set === null || set > joinedAt + 30_500) {
      throw new CheckFailure("with alice connected and no message, an alarm in 30 s at most (the ghost sweep)", when(set));
    }
    await alice.close(1000, "bye");
  });

  check("wrangler.jsonc gives the Worker its RETENTION_SECONDS variable", CONFIG_HINT, async () => {
    const value = (env as unknown as Record<string, unknown>).RETENTION_SECONDS;
    if (typeof value !== "string") {
      throw new CheckFailure('a Worker variable RETENTION_SECONDS: "vars": { "RETENTION_SECONDS": "604800" } in wrangler.jsonc', "env.RETENTION_SECONDS is undefined: the folder's wrangler.jsonc sets no such variable");
    }
  });

  check("GET /api/rooms/<room> says how long messages are kept: retentionSeconds", GET_HINT, async () => {
    const room = newRoom();
    const answer = await api.call("GET", `/api/rooms/${room}`);
    const body = answer.body as { retentionSeconds?: unknown } | undefined;
    if (answer.status !== 200 || body?.retentionSeconds !== RETENTION_SECONDS) {
      throw new CheckFailure(`GET /api/rooms/${room}: 200 with {"name":…,"protected":…,"retentionSeconds":${RETENTION_SECONDS}}`, got(answer));
    }
    // The page shows what the API says: it must be the retention the alarm applies, not the default.
    await withBinding("RETENTION_SECONDS", "3600", async () => {
      const hour = await api.call("GET", `/api/rooms/${room}`);
      const seconds = (hour.body as { retentionSeconds?: unknown } | undefined)?.retentionSeconds;
      if (seconds !== 3600) throw new CheckFailure('with RETENTION_SECONDS="3600", GET /api/rooms/<room> says "retentionSeconds":3600', got(hour));
    });
  });

  check("the alarm keeps messages for RETENTION_SECONDS, the Worker variable", VARS_HINT, async () => {
    const room = newRoom();
    const now = Date.now();
    await storeMessages(room, [now - 2 * 60 * 60 * 1000, now - 30 * 60 * 1000]);
    // As if deployed with RETENTION_SECONDS=3600: one hour.
    await runInDurableObject(stub(room), (instance) => {
      const object = instance as unknown as { env: Record<string, unknown> };
      object.env = { ...object.env, RETENTION_SECONDS: "3600" };
    });
    await runAlarm(room, "with RETENTION_SECONDS=3600, a message of 2 hours ago and one of 30 minutes ago");
    const left = (await timestampsOf(room)).map((t) => Math.round((now - t) / 60_000));
    expectEqual(left, [30], "with RETENTION_SECONDS=3600, the ages in minutes of the messages left after the alarm ran");
    const next = await alarmOf(room);
    if (next === null || Math.abs(next - (now + 30 * 60 * 1000)) > 5000) {
      throw new CheckFailure("with RETENTION_SECONDS=3600, the next alarm when the message left expires: in 30 minutes", when(next, now));
    }
  });

  check("a RETENTION_SECONDS that is empty, 0, negative or not a number means the default: 7 days", DEFAULT_HINT, async () => {
    const room = newRoom();
    const said = Date.now() - DAY_MS;
    await storeMessages(room, [said]);
    for (const value of ["", "0", "-60", "a week"]) {
      await runInDurableObject(stub(room), (instance) => {
        const object = instance as unknown as { env: Record<string, unknown> };
        object.env = { ...object.env, RETENTION_SECONDS: value };
      });
      await runAlarm(room, `with RETENTION_SECONDS=${show(value)} and a message of a day ago`);
      const left = (await timestampsOf(room)).length;
      const next = await alarmOf(room);
      if (left !== 1 || next === null || Math.abs(next - (said + RETENTION_MS)) > 5000) {
        throw new CheckFailure(
          `with RETENTION_SECONDS=${show(value)}, the message of a day ago kept, and the next alarm when it expires, in 6 days`,
          `${left === 1 ? "the message kept" : `${left} messages left`}, and ${when(next)}`,
        );
      }
    }
  });

  // The checks below stop the clock: each runs alone, after the ones above.
  check.alone("a run deletes at most 500 messages and comes back at once for the rest", BATCH_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom();
      const old = Date.now() - 8 * DAY_MS;
      await storeMessages(room, Array.from({ length: 1200 }, (_, i) => old + i));
      // An hour ahead, so that an alarm set for "now" waits for this check to run it.
      clock.advance(60 * 60 * 1000);
      await runAlarm(room, "with 1,200 messages older than 7 days");
      const left = (await timestampsOf(room)).length;
      if (left !== 1200 - BATCH) throw new CheckFailure(`one run of the alarm deletes ${BATCH} of 1,200 expired messages, the oldest, and leaves ${1200 - BATCH}`, `${left} left`);
      const oldestLeft = Math.min(...(await timestampsOf(room)));
      if (oldestLeft !== old + BATCH) {
        throw new CheckFailure(`the oldest ${BATCH} deleted first: the oldest message left is the ${BATCH + 1}st`, `the oldest left is number ${oldestLeft - old + 1} of 1,200`);
      }
      const next = await alarmOf(room);
      if (next === null || next > Date.now() + 1000) throw new CheckFailure("after a full batch, the alarm set for now, to delete the rest", when(next));
      await runAlarm(room, "the second run, for the rest");
      await runAlarm(room, "the third run, for the rest");
      const rest = (await timestampsOf(room)).length;
      if (rest !== 0) throw new CheckFailure("3 runs of the alarm delete all 1,200 expired messages", `${rest} left`);
    }),
  );

  check.alone("a socket that sent \"ping\" recently is kept, however long ago it connected", ALIVE_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom();
      clock.advance(-100_000);
      const alice = await joined(room, "alice");
      const ghost = await joined(room, "ghost");
      // The runtime stamps its "pong" with the real time: 100 s after the room's clock.
      alice.sendRaw("ping");
      await needs("alice's \"ping\" to get \"pong\" (stage 04)", alice.nextText("pong", "alice's \"ping\" answered \"pong\""));
      clock.advance(100_000);
      await sweep(room, `the ghost's socket closed by the alarm with code ${GHOST_CODE}`);
      const event = await ghost.closed();
      if (event?.code !== GHOST_CODE) {
        throw new CheckFailure(`the ghost's socket closed by the alarm with code ${GHOST_CODE}`, event ? `code ${event.code}` : "it stayed open");
      }
      await alice.quiet();
      if (!alice.isOpen) throw new CheckFailure("alice, connected 100 s ago who sent \"ping\" just now, still connected", "the alarm closed her socket too");
      await alice.close(1000, "bye");
    }),
  );

  check.alone("a socket silent for 89 s is kept, even one that never sent \"ping\": only over 90 s makes a ghost", GHOST_HINT +
    " KEEPALIVE_TIMEOUT_MS is 90_000: milliseconds, like Date.now().", () =>
    withClock(async (clock) => {
      const room = newRoom();
      clock.advance(-89_000);
      const quiet = await joined(room, "quiet");
      clock.advance(89_000);
      await sweep(room, "quiet, who joined 89 s ago and never sent \"ping\", still connected after the alarm");
      await quiet.quiet();
      if (!quiet.isOpen) {
        throw new CheckFailure("quiet, who joined 89 s ago and never sent \"ping\", still connected after the alarm", `the alarm closed the socket (${quiet.summary()})`);
      }
      await quiet.close(1000, "bye");
    }),
  );

  check.alone(`a socket silent for over 90 s is closed with ${GHOST_CODE}: the others see it leave, and the directory follows`, GHOST_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom(ROOM_LABEL);
      const { ghost, bob } = await ghostBesideBob(room, clock);
      await needs("the directory to list the room with 2 online (stage 08)", listed(room, 2, "the room with ghost and bob"));
      clock.advance(100_000);
      await sweep(room, "bob sees the ghost leave, though the ghost never answered the close");
      // The ghost never answers the close: webSocketClose does not come, and the room must not wait for it.
      await bob.expectPresence(["bob"], "bob sees the ghost leave, though the ghost never answered the close");
      await listed(room, 1, "the room once the ghost was closed");
      const event = await ghost.wake().closed();
      if (event?.code !== GHOST_CODE) {
        throw new CheckFailure(`the ghost's socket closed by the alarm with code ${GHOST_CODE}`, event ? `code ${event.code} and reason ${show(event.reason)}` : "it stayed open");
      }
      if (!event.reason) throw new CheckFailure(`with code ${GHOST_CODE}, a reason that says why (whoever reads the close learns it)`, "no reason");
      if (!bob.isOpen) throw new CheckFailure("bob, who joined just now, still connected", "bob's socket was closed too");
      await bob.close(1000, "bye");
    }),
  );

  check.alone("an arrival or a message does not put off the ghost sweep: the alarm set when the first came stays", SOONER_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom();
      const alice = await joined(room, "alice");
      const first = await alarmAfterJoin(room);
      if (first === null) throw new CheckFailure("with alice connected, an alarm in 30 s at most (the ghost sweep)", "no alarm set");
      clock.advance(20_000);
      const bob = await joined(room, "bob");
      bob.say("20 s later");
      // Once bob's message is back, his arrival and his message have both been handled.
      await needs("bob's message to come back", bob.messageWithText("20 s later", "bob receives his message back"));
      const after = await alarmOf(room);
      if (after !== first) {
        throw new CheckFailure(
          `${when(first)}, as set when alice came, still there after bob joined and spoke 20 s later (put off at each arrival, the sweep would never come)`,
          when(after),
        );
      }
      await alice.close(1000, "bye");
      await bob.close(1000, "bye");
    }),
  );

  check.alone("a second run of the alarm passes a ghost it closed by: nobody sees it leave twice", RERUN_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom();
      const { ghost, bob } = await ghostBesideBob(room, clock);
      clock.advance(100_000);
      await needs(`the ghost closed with ${GHOST_CODE} (the check above)`, sweep(room, "bob sees the ghost leave").then(() => bob.expectPresence(["bob"], "bob sees the ghost leave")));
      await bob.quiet(300);
      const before = bob.all("presence").length;
      // "At least once" means maybe twice: the alarm runs again, the ghost still CLOSING.
      await runInDurableObject(stub(room), (_instance, state) => state.storage.setAlarm(Date.now()));
      await sweep(room, "the alarm runs a second time without error");
      await bob.quiet(300);
      const again = bob.all("presence").slice(before);
      if (again.length > 0) {
        throw new CheckFailure("nothing new for bob when the alarm runs a second time", `bob received ${again.map(show).join(", ")}: the ghost left twice`);
      }
      // Its browser may still wake and answer the close: webSocketClose then comes for a socket already gone.
      await ghost.wake().closed();
      await bob.quiet(300);
      const late = bob.all("presence").slice(before);
      if (late.length > 0) {
        throw new CheckFailure("nothing new for bob when the ghost's browser answers the close at last", `bob received ${late.map(show).join(", ")}: the ghost left twice`);
      }
      await bob.close(1000, "bye");
    }),
  );

  check.alone("once the ghosts are closed and everyone left, an empty room has no alarm", CLOSING_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom();
      clock.advance(-100_000);
      const ghost = await ghostIn(room, "ghost");
      clock.advance(100_000);
      await needs(`the ghost closed with ${GHOST_CODE} (the check above)`, sweep(room, `the ghost's socket closed by the alarm with code ${GHOST_CODE}`));
      // The ghost never answers the close: the room still lists its socket, CLOSING.
      const after = await alarmOf(room);
      await needs(`the ghost closed with ${GHOST_CODE} (the check above)`, ghost.wake().closed().then((event) => {
        if (event?.code !== GHOST_CODE) throw new CheckFailure(`the ghost closed with ${GHOST_CODE}`, event ? `code ${event.code}` : "it stayed open");
      }));
      if (after !== null) throw new CheckFailure("no alarm once the only socket, a ghost, was closed and no message is stored", when(after));
    }),
  );

  check.alone("the alarm also deletes expired tickets and guesses older than a minute", CLEAN_HINT, () =>
    withClock(async (clock) => {
      const room = newRoom();
      await needs("POST /api/rooms to create a protected room (stage 09)", api.createRoom(room, PASSWORD));
      await needs("the right password to get a ticket (stage 09)", api.ticketFor(room));
      await api.guess(room, "a wrong guess");
      clock.advance(2 * 60 * 1000);
      await storeMessages(room, [], Date.now());
      await runAlarm(room, "2 minutes after a ticket nobody used and a wrong guess");
      const left = await leftovers(room);
      if (left.tickets > 0 || left.guesses > 0) {
        throw new CheckFailure("after the alarm, 2 minutes on: no expired ticket and no guess older than a minute in storage", `${left.tickets} ticket(s) and ${left.guesses} guess(es) left`);
      }
      // Only those: a ticket still valid and a guess within the minute stay (the limit counts it).
      await needs("the right password to get a ticket (stage 09)", api.ticketFor(room));
      await api.guess(room, "another wrong guess");
      await storeMessages(room, [], Date.now());
      await runAlarm(room, "with a fresh ticket and a fresh wrong guess");
      const kept = await leftovers(room);
      if (kept.tickets !== 1 || kept.guesses !== 1) {
        throw new CheckFailure("after the alarm, the ticket given just now and the wrong guess made just now still stored", `${kept.tickets} ticket(s) and ${kept.guesses} guess(es) left`);
      }
    }),
  );
});
