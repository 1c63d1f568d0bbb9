// `npm run step` / `npm run solution` as an attendee runs them: real wrangler dev servers,
// real WebSockets, on 127.0.0.1 only. State goes to a temporary CHAT_STATE_DIR. The tests run
// side by side (starting wrangler is mostly waiting); no two serve one stage from one state folder.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir, type NetworkInterfaceInfo } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, test } from "node:test";
import { onFreePort, startDevServer, type DevServer } from "../dev-server.ts";
import { freePort } from "../free-port.ts";
import { lanUrls } from "../lan.ts";
import { REPO_ROOT } from "../paths.ts";
import { STAGES, type Kind } from "../stages.ts";
import { runNode } from "./run-node.ts";

const SERVE = join(REPO_ROOT, "shared/kit/serve.ts");
const stateRoot = mkdtempSync(join(tmpdir(), "hello-chat-serve-"));
const started: DevServer[] = [];

after(() => {
  for (const server of started) server.kill();
  rmSync(stateRoot, { recursive: true, force: true });
});

function serve(args: string[]) {
  return runNode(SERVE, args, { cwd: REPO_ROOT, env: { ...process.env, CHAT_STATE_DIR: stateRoot } });
}

async function start(kind: Kind, stage: string): Promise<DevServer> {
  const server = await startDevServer({ kind, stage, stateDir: stateRoot });
  started.push(server);
  return server;
}

type Frame = { type: string; name?: string; message?: string; messages?: Frame[] };
type Client = { socket: WebSocket; frames: Frame[] };

async function connect(port: number, room: string, name: string): Promise<Client> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?room=${room}&name=${name}`);
  const client: Client = { socket, frames: [] };
  socket.addEventListener("message", (event) => client.frames.push(JSON.parse(String(event.data))));
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error(`no WebSocket on port ${port}`)), { once: true });
  });
  return client;
}

/** Waits for `name`'s `message`: live, or among the stored ones in the history frame (stage 03 on). */
async function nextMessage(client: Client, name: string, message: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const messages = client.frames.flatMap((f) => (f.type === "history" ? (f.messages ?? []) : [f]));
    if (messages.some((f) => f.type === "message" && f.name === name && f.message === message)) return;
    await sleep(50);
  }
  assert.fail(`expected ${name}'s message "${message}", got ${JSON.stringify(client.frames)}`);
}

describe("npm run step / solution", { concurrency: true }, () => {
  describe("npm run step / solution: arguments", () => {
    test("a stage that does not exist is explained, exit 2", async () => {
      const { status, stderr } = await serve(["steps", "99"]);
      assert.equal(status, 2);
      assert.match(stderr, new RegExp(`There is no stage "99"\\. Use a number from 1 to ${STAGES.length}`));
    });

    test("a port that is not a number is explained, exit 2", async () => {
      const { status, stderr } = await serve(["steps", "3", "--port", "abc"]);
      assert.equal(status, 2);
      assert.match(stderr, /--port must be a whole number from 1 to 65535 \(got "abc"\)/);
    });

    test("an unknown option shows the usage, exit 2", async () => {
      const { status, stderr } = await serve(["solutions", "3", "--nope"]);
      assert.equal(status, 2);
      assert.match(stderr, /Unknown option '--nope'/);
      assert.match(stderr, /Usage: npm run solution -- <N> \[--port <P>\]/);
    });

    test("--help shows the usage, exit 0", async () => {
      const { status, stdout } = await serve(["steps", "--help"]);
      assert.equal(status, 0);
      assert.match(stdout, /Usage: npm run step -- <N> \[--port <P>\]/);
    });

    test("a port in use is explained with a free one to use instead, exit 1", async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen({ host: "127.0.0.1", port: 0 }, resolve));
      try {
        const port = (blocker.address() as { port: number }).port;
        const { status, stderr } = await serve(["steps", "1", "--port", String(port)]);
        assert.equal(status, 1);
        assert.match(stderr, new RegExp(`Port ${port} is already in use`));
        assert.match(stderr, /npm run step -- 1 --port \d+/);
      } finally {
        blocker.close();
      }
    });
  });

  describe("npm run solution -- N", () => {
    // The kit's tests and benchmarks start servers on free ports that another process can take
    // first: what answers there is not the stage's server until its own wrangler listens.
    test("the kit's servers: an answer from whatever else holds the port is not taken for the stage's", async () => {
      const other = createHttpServer((_request, response) => response.end("someone else"));
      await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = other.address() as AddressInfo;
        await assert.rejects(startDevServer({ kind: "solutions", stage: 3, stateDir: stateRoot, port }), /Port \d+ is already in use/);
      } finally {
        other.closeAllConnections();
        other.close();
      }
    });

    test("the kit's servers: a free port taken before the server listens is retried on another, twice at most", async () => {
      // The race itself cannot be forced (the system picks the port): this is what follows it.
      const tried: number[] = [];
      const takenOnce = (port: number) => (tried.push(port), tried.length === 1 ? Promise.reject(new Error(`Port ${port} is already in use`)) : Promise.resolve(port));
      assert.equal(await onFreePort(undefined, takenOnce), tried[1]);
      assert.equal(tried.length, 2);
      const alwaysTaken = (port: number) => (tried.push(port), Promise.reject(new Error("listen EADDRINUSE")));
      tried.length = 0;
      await assert.rejects(onFreePort(undefined, alwaysTaken), /EADDRINUSE/);
      assert.equal(tried.length, 3);
      // A port the caller chose, or another failure, is not retried.
      tried.length = 0;
      await assert.rejects(onFreePort(8787, alwaysTaken), /EADDRINUSE/);
      assert.deepEqual(tried, [8787]);
      tried.length = 0;
      await assert.rejects(onFreePort(undefined, (port) => (tried.push(port), Promise.reject(new Error("did not answer")))), /did not answer/);
      assert.equal(tried.length, 1);
    });

    test("two servers at once: solution 1 echoes, solution 2 broadcasts, both serve the page; stopped or killed, they leave no temporary files", async () => {
      const servers: DevServer[] = [];
      try {
        servers.push(...(await Promise.all([start("solutions", "1"), start("solutions", "02-broadcast")])));
        const [echo, broadcast] = servers;

        const page = await fetch(`http://127.0.0.1:${echo.port}/`);
        assert.equal(page.status, 200);
        assert.match(page.headers.get("content-type") ?? "", /text\/html/);
        assert.match(await page.text(), /<html/i);

        // Without --lan, wrangler listens on 127.0.0.1 only: the network address does not answer.
        const [lan] = lanUrls(echo.port);
        if (lan) await assert.rejects(fetch(lan, { signal: AbortSignal.timeout(2_000) }), `without --lan, ${lan} answered`);

        const alice = await connect(echo.port, "serve-test", "alice");
        alice.socket.send(JSON.stringify({ message: "echo?" }));
        await nextMessage(alice, "alice", "echo?");
        alice.socket.close();

        const bob = await connect(broadcast.port, "serve-test", "bob");
        const carol = await connect(broadcast.port, "serve-test", "carol");
        bob.socket.send(JSON.stringify({ message: "all of you" }));
        await nextMessage(carol, "bob", "all of you");
        bob.socket.close();
        carol.socket.close();

        // wrangler's Miniflare keeps files in the temporary folder, which a crash cannot remove.
        assert.ok(readdirSync(echo.scratch).some((name) => name.startsWith("miniflare-")), `nothing in ${echo.scratch}`);
        echo.kill();
        await echo.exited;
        await broadcast.stop();
        for (const server of servers) {
          assert.equal(existsSync(server.scratch), false, `${server.scratch} is left behind`);
          // wrangler compares the root worker-configuration.d.ts with types made for one entry; the
          // kit's types serve every stage (typecheck.test.ts keeps them current), so no false alarm.
          assert.doesNotMatch(server.output(), /types might be out of date/i);
          assert.match(server.output(), new RegExp(`^ +Open +http://localhost:${server.port}/$`, "m"));
          assert.match(server.output(), /Ready on http:\/\/127\.0\.0\.1:\d+/);
        }
        assert.ok(!existsSync(join(REPO_ROOT, "solutions/01-echo/.wrangler")), "wrangler's scratch files went into the stage folder");
      } finally {
        servers.forEach((server) => server.kill());
      }
    });

    test("it asks nothing of the internet: behind a proxy that sees every request, none comes (no update check)", async () => {
      // What the proxy is asked for, by the first line of each connection; it answers none.
      const asked: string[] = [];
      const proxy = createServer((socket) => socket.once("data", (data) => (asked.push(String(data).split("\r\n")[0]), socket.destroy())));
      await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
      const { port } = proxy.address() as { port: number };
      // A temporary folder of its own: wrangler keeps its last update check there for an hour.
      const tmp = mkdtempSync(join(tmpdir(), "hello-chat-offline-"));
      const via = `http://127.0.0.1:${port}`;
      const server = await startDevServer({ kind: "solutions", stage: "2", stateDir: join(tmp, "state"), env: { HTTPS_PROXY: via, https_proxy: via, TMPDIR: tmp } });
      try {
        const alice = await connect(server.port, "offline-test", "alice");
        alice.socket.send(JSON.stringify({ message: "no internet here" }));
        await nextMessage(alice, "alice", "no internet here");
        alice.socket.close();
        await server.stop();
        assert.deepEqual(asked, [], `the server asked the internet:\n${asked.slice(0, 3).join("\n")}\n${server.output()}`);
        assert.doesNotMatch(server.output(), /update available/);
      } finally {
        server.kill();
        proxy.close();
        rmSync(tmp, { recursive: true, force: true });
      }
    });

    test("solution 3 keeps its history across a restart, in its own state folder", async () => {
      const message = `remember me ${Date.now()}`;
      let server = await start("solutions", "3");
      try {
        const alice = await connect(server.port, "serve-test", "alice");
        alice.socket.send(JSON.stringify({ message }));
        // Sent back only once it is stored (output gates).
        await nextMessage(alice, "alice", message);
        alice.socket.close();
        await server.stop();
        assert.ok(existsSync(join(stateRoot, "solutions", "03-persistence")), "no state in CHAT_STATE_DIR");

        server = await start("solutions", "03");
        const bob = await connect(server.port, "serve-test", "bob");
        await nextMessage(bob, "alice", message);
        bob.socket.close();
        await server.stop();
      } finally {
        server.kill();
      }
    });
  });

  describe("npm run step -- N --lan", () => {
    test("the addresses shown for phones are this computer's external IPv4 ones, each once", () => {
      const v4 = (address: string, internal = false): NetworkInterfaceInfo =>
        ({ address, family: "IPv4", internal, netmask: "", mac: "", cidr: null });
      const v6 = (address: string, internal = false): NetworkInterfaceInfo =>
        ({ address, family: "IPv6", internal, netmask: "", mac: "", cidr: null, scopeid: 0 });
      const urls = lanUrls(8787, {
        lo: [v4("127.0.0.1", true), v6("::1", true)],
        eth0: [v4("192.168.1.23"), v6("fe80::1")],
        wlan0: [v4("10.0.0.7"), v4("192.168.1.23")],
      });
      assert.deepEqual(urls, ["http://192.168.1.23:8787/", "http://10.0.0.7:8787/"]);
    });

    test("--help explains --lan", async () => {
      const { status, stdout } = await serve(["solutions", "--help"]);
      assert.equal(status, 0);
      assert.match(stdout, /npm run solution -- 3 --lan +also reachable from phones and laptops on your network/);
    });

    test("serves on every interface and prints the network address, where the page answers", async () => {
      const port = await freePort();
      const child = spawn(process.execPath, [SERVE, "solutions", "1", "--lan", "--port", String(port)], {
        cwd: REPO_ROOT,
        // Its own state folder: "two servers at once" serves solution 1 meanwhile.
        env: { ...process.env, CHAT_STATE_DIR: mkdtempSync(join(stateRoot, "lan-")), NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      const exited = new Promise((resolve) => child.on("exit", resolve));
      try {
        const urls = lanUrls(port);
        const deadline = Date.now() + 60_000;
        if (urls.length === 0) {
          while (Date.now() < deadline && !output.includes("no network address found")) await sleep(100);
          assert.match(output, /Phones: no network address found/);
          return;
        }
        let answered = false;
        while (!answered && Date.now() < deadline && child.exitCode === null) {
          try {
            answered = (await fetch(urls[0], { signal: AbortSignal.timeout(2_000) })).ok;
          } catch {
            await sleep(250);
          }
        }
        assert.ok(answered, `the page did not answer on ${urls[0]}:\n${output}`);
        assert.ok(output.includes(`  Phones ${urls[0]}`), `the banner should show ${urls[0]}:\n${output}`);
        assert.match(output, /anyone on it can open the chat/);
      } finally {
        child.kill("SIGTERM");
        // Unreferenced: a pending 20 s timer would keep this file running after its tests.
        const stopped = await Promise.race([exited, sleep(20_000, "timeout", { ref: false })]);
        if (stopped === "timeout") process.kill(-child.pid!, "SIGKILL");
      }
    });
  });
});
