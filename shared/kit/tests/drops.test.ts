// The stage 05 checks over real connections run on Miniflare (shared/checks/sockets/serve.ts).
// This proves the same behaviour on what an attendee runs, `wrangler dev` (npm run solution):
// a client that closes, one that vanishes (FIN, RST) and one that breaks the protocol are all
// gone from everyone's list of who is online within 2 s, and nobody's close handshake is left hanging.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { rawWebSocket, type Ending } from "../../checks/sockets/raw-socket.ts";
import { serverForTests } from "./test-server.ts";

const server = serverForTests("solutions", 6, "drops");

/** A browser-like client that keeps who is online as the page does: users, then presence frames. */
async function watcher(room: string, name = "alice") {
  const socket = new WebSocket(`${server().origin.replace("http", "ws")}/ws?room=${room}&name=${name}`);
  const online = new Set<string>();
  /** Whether the presence frame about this client's own arrival has come (50 ms after it joined). */
  let heardOwnArrival = false;
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(String(event.data));
    if (frame.type === "users") frame.names.forEach((name: string) => online.add(name));
    if (frame.type === "presence") {
      frame.joined.forEach((name: string) => online.add(name));
      frame.left.forEach((name: string) => online.delete(name));
      heardOwnArrival ||= frame.joined.includes(name);
    }
  });
  const names = () => [...online].sort();
  const until = async (done: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
  return {
    socket,
    async sees(expected: string[], ms = 2000) {
      await until(() => JSON.stringify(names()) === JSON.stringify(expected), ms);
      assert.deepEqual(names(), expected);
    },
    async hearsOwnArrival(ms = 2000) {
      await until(() => heardOwnArrival, ms);
      assert.ok(heardOwnArrival, `${name} got no presence frame naming itself in joined`);
    },
  };
}

describe("wrangler dev: people who leave, however they leave, are gone from the list within 2 s", () => {
  for (const how of ["fin", "rst", "bad frame"] as Ending[]) {
    test(`a connection that ends with ${how === "bad frame" ? "a frame the protocol forbids" : `a TCP ${how.toUpperCase()}, no close frame`}`, async () => {
      const room = `drops-${how.replace(" ", "-")}-${Date.now()}`;
      const alice = await watcher(room);
      const bob = await rawWebSocket(server().origin, `/ws?room=${room}&name=bob`);
      assert.notEqual(typeof bob, "string", `bob could not join: ${bob}`);
      await alice.sees(["alice", "bob"]);
      (bob as Exclude<typeof bob, string>).end(how);
      await alice.sees(["alice"]);
      alice.socket.close();
    });
  }

  test("a client that closes gets its close frame answered, and the others are told", async () => {
    const room = `drops-close-${Date.now()}`;
    const alice = await watcher(room);
    const bob = await watcher(room, "bob");
    await alice.sees(["alice", "bob"]);
    // bob reads what the server sends him first, the presence frame about his own arrival (50 ms
    // later, more on a busy laptop) too: Node's WebSocket, closed before reading a frame on its
    // way, drops the connection.
    await bob.sees(["alice", "bob"]);
    await bob.hearsOwnArrival();
    const closed = new Promise<number>((resolve) => bob.socket.addEventListener("close", (event) => resolve(event.code)));
    bob.socket.close(4001, "bye");
    assert.equal(await closed, 4001);
    await alice.sees(["alice"]);
  });
});
