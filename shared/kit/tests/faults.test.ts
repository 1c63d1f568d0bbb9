// Crash in the middle of a load run: SIGKILL the whole wrangler dev process tree, start it
// again on the same state folder, and every message any client had received is in the
// room's history. This is what output gates promise: the object's sends are held until its
// storage write is durable, so nobody can see a message that a crash could still undo.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { startDevServer, type DevServer } from "../dev-server.ts";
import { runLoad } from "../load/run-load.ts";

const stateRoot = mkdtempSync(join(tmpdir(), "hello-chat-faults-"));
const servers: DevServer[] = [];

after(() => {
  for (const server of servers) server.kill();
  rmSync(stateRoot, { recursive: true, force: true });
});

async function start(stage: number, stateDir: string): Promise<DevServer> {
  const server = await startDevServer({ kind: "solutions", stage, stateDir });
  servers.push(server);
  return server;
}

/** The room's history as a newcomer receives it: the texts in its history frame (the newest 100 messages). */
async function historyOf(origin: string, room: string): Promise<string[]> {
  const socket = new WebSocket(`${origin.replace("http", "ws")}/ws?room=${room}&name=reader`);
  const texts = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the reader received no history frame within 15 s")), 15_000);
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data));
      if (frame.type !== "history") return;
      clearTimeout(timer);
      resolve(frame.messages.map((message: { message: string }) => message.message));
    });
    socket.addEventListener("error", () => (clearTimeout(timer), reject(new Error("the restarted server refused the socket"))), { once: true });
  });
  socket.close();
  return texts;
}

describe("SIGKILL during a load run loses nothing a client has seen", () => {
  for (const stage of [3, 6]) {
    test(`solutions/0${stage}: kill mid-run, restart on the same state, every received message is in the history`, async () => {
      const stateDir = join(stateRoot, `stage-${stage}`);
      const room = "crash";
      const first = await start(stage, stateDir);
      const crash = new AbortController();
      // Senders are still sending when the process tree dies. 6 senders × 1/s × ~3 s stays under
      // the 100 messages a history holds, so "in the history" is a complete test.
      let timer: NodeJS.Timeout | undefined;
      const crashSoon = () => {
        timer = setTimeout(() => {
          first.kill();
          crash.abort();
        }, 3_000);
      };
      const record = await runLoad(
        { clients: 8, senders: 6, rate: 1, seconds: 10 },
        { origin: first.origin, room, signal: crash.signal, onSending: crashSoon },
      );
      clearTimeout(timer);
      await first.exited;

      const seen = new Set(record.received.flat().map((d) => d.id));
      assert.ok(seen.size >= 6, `too few messages arrived before the kill to prove anything (${seen.size})`);
      assert.ok(record.sent.size < 100);

      const second = await start(stage, stateDir);
      const history = await historyOf(second.origin, room);
      const stored = new Set(history.map((text) => text.split(" ").slice(2).join(":")));
      const missing = [...seen].filter((id) => !stored.has(id));
      assert.deepEqual(missing, [], `received before the kill, missing after the restart (history: ${history.length})`);
      for (const id of stored) assert.ok(record.sent.has(id), `the history holds ${id}, which was never sent`);
      // The history keeps the order the clients saw.
      const delivered = record.received.reduce((a, b) => (b.length > a.length ? b : a)).map((d) => d.id);
      const shown = new Set(delivered);
      assert.deepEqual(history.map((text) => text.split(" ").slice(2).join(":")).filter((id) => shown.has(id)), delivered);
      await second.stop();
    });
  }
});
