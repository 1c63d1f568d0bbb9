// The folder a check over real connections is checking: served by serve.ts while its suites
// run, and found by the check through the async context its body runs in.
import { AsyncLocalStorage } from "node:async_hooks";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findStage, stageDir } from "../../kit/stages.ts";
import { serve } from "./serve.ts";
import { saveRoom } from "./stage-03-room.ts";

/** What vitest.config.ts says about a folder to check over real connections. */
export type SocketsTarget = { folder: string; stage: number; suites: string[] };

/** A target while its checks run: where it answers, or why it did not start. */
export type Served = {
  /** The number of the stage whose checks it must pass. */
  stage: number;
  /** http://127.0.0.1:<port>, or "" when it did not start. */
  origin: string;
  startError?: string;
  /** A file with a line for each WebSocket handler call that ended: "webSocketClose 1006 threw …". */
  handlerLog: string;
  /** Stage 04 on: a room that stage 03's finished code saved on the storage the target is served on. */
  upgradeRoom?: string;
};

const current = new AsyncLocalStorage<Served>();

/** The target of the check that is running. */
export function served(): Served {
  const target = current.getStore();
  if (!target) throw new Error("a check over real connections ran outside its target (see sockets/suites.test.ts)");
  return target;
}

/** Runs `body` with `target` as the check's target. */
export function within(target: Served, body: () => Promise<void>): Promise<void> {
  return current.run(target, body);
}

/** Serves the target's Worker, from stage 04 on storage where stage 03's code saved a room; `stop` ends it. */
export async function start(target: SocketsTarget): Promise<Served & { stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "hello-chat-sockets-"));
  const handlerLog = join(dir, "handlers.log");
  writeFileSync(handlerLog, "");
  const persist = join(dir, "state");
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    let upgradeRoom: string | undefined;
    if (target.stage >= 4) {
      const saved = await savedByStage03();
      cpSync(saved.persist, persist, { recursive: true });
      upgradeRoom = saved.room;
    }
    const server = await serve(target.folder, { dir, handlerLog, persist });
    await warmUp(server.origin);
    return { stage: target.stage, origin: server.origin, handlerLog, upgradeRoom, stop: async () => (await server.dispose(), remove()) };
  } catch (error) {
    // The code does not build or start: each of its checks says so (the checks in workerd show more).
    const startError = error instanceof Error ? error.message : String(error);
    return { stage: target.stage, origin: "", startError, handlerLog, stop: async () => remove() };
  }
}

/**
 * One message there and back in a room of its own, before any check: the first socket a fresh
 * server takes also compiles the Worker and starts an object, which on a busy laptop can take
 * longer than a check waits for a frame. Never fails: the checks say what does not work.
 */
async function warmUp(origin: string): Promise<void> {
  const socket = new WebSocket(`${origin.replace(/^http/, "ws")}/ws?room=warm-up-${crypto.randomUUID().slice(0, 8)}&name=warm-up`);
  await new Promise<void>((resolve) => {
    const done = () => (clearTimeout(timer), resolve());
    const timer = setTimeout(done, WARM_UP_MS);
    socket.addEventListener("open", () => socket.send(JSON.stringify({ message: "warming up" })), { once: true });
    socket.addEventListener("message", done, { once: true });
    socket.addEventListener("error", done, { once: true });
    socket.addEventListener("close", done, { once: true });
  });
  socket.close();
}

/** How long (ms) warmUp waits at most. */
const WARM_UP_MS = 15_000;

let stage03: { dir: string; saved: Promise<{ persist: string; room: string }> } | undefined;

/** Storage where stage 03's finished code saved a room, once per run; each target gets a copy. */
function savedByStage03(): Promise<{ persist: string; room: string }> {
  if (stage03) return stage03.saved;
  const dir = mkdtempSync(join(tmpdir(), "hello-chat-stage-03-"));
  const persist = join(dir, "state");
  mkdirSync(persist);
  const saved = (async () => {
    const server = await serve(stageDir("solutions", findStage("03")!), { dir, persist });
    try {
      return { persist, room: await saveRoom(server.origin) };
    } catch (error) {
      throw new Error(`stage 03's finished code could not save a room for the upgrade check: ${error instanceof Error ? error.message : error}`);
    } finally {
      await server.dispose();
    }
  })();
  stage03 = { dir, saved };
  return saved;
}

/** Removes what the run left: the storage stage 03's code wrote. */
export async function cleanUp(): Promise<void> {
  if (!stage03) return;
  await stage03.saved.catch(() => undefined);
  rmSync(stage03.dir, { recursive: true, force: true });
  stage03 = undefined;
}
