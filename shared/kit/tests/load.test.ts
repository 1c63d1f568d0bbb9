// `npm run load` at a small size against a real wrangler dev (stage 06): nothing lost,
// doubled or reordered. Also what only a real socket can show: the 1 MiB frame over the
// network, and how the command turns away bad options.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { measureStorm } from "../bench/storm.ts";
import { startDevServer, type DevServer } from "../dev-server.ts";
import { analyse, isClean } from "../load/analyse.ts";
import { parseLoadArgs } from "../load/options.ts";
import { runLoad } from "../load/run-load.ts";
import { REPO_ROOT } from "../paths.ts";
import { UsageError } from "../stages.ts";

const LOAD = join(REPO_ROOT, "shared/kit/load/cli.ts");
const BENCH = join(REPO_ROOT, "shared/kit/bench/cli.ts");

describe("npm run load options", () => {
  const load = (...args: string[]) => spawnSync(process.execPath, [LOAD, ...args], { cwd: REPO_ROOT, encoding: "utf8" });

  test("--help prints the usage", () => {
    const result = load("--help");
    assert.equal(result.status, 0);
    assert.match(result.stdout, /Usage: npm run load -- \[--clients C\]/);
  });

  const mistakes: [string[], RegExp][] = [
    [["--clients", "0"], /--clients must be a whole number from 1/],
    [["--clients", "ten"], /--clients must be a whole number/],
    [["--clients", "5", "--senders", "6"], /--senders must be a whole number from 1 to 5/],
    [["--rate=-1"], /--rate must be a number above 0/],
    [["--seconds", "0"], /--seconds must be a number above 0/],
    [["--solution", "1"], /only echoes to the sender/],
    [["--solution", "99"], /There is no stage "99"/],
    [["--clients"], /--clients/],
    [["--speed", "3"], /Unknown option '--speed'/],
  ];
  test("without options: 150 clients, 75 sending 1 message a second for 10 s, stage 06 (as the README says)", () => {
    const command = parseLoadArgs([]);
    assert.deepEqual(command.plan, { clients: 150, senders: 75, rate: 1, seconds: 10 });
    assert.equal(command.stage.slug, "06-rate-limit");
  });

  for (const [args, message] of mistakes) {
    test(`${args.join(" ")}: a usage error that says what to give`, () => {
      assert.throws(() => parseLoadArgs(args), (error) => error instanceof UsageError && message.test(error.message));
    });
  }

  test("a usage error exits 2 with the message and no stack trace", () => {
    const result = load("--clients", "0");
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /--clients must be a whole number from 1 to 5000 \(got "0"\)/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});

// The benchmark itself is not run here: its figures belong in its report, not in a pass/fail test.
describe("npm run bench options", () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, [BENCH, ...args], { cwd: REPO_ROOT, encoding: "utf8" });

  test("--help says what it measures", () => {
    const result = bench("--help");
    assert.equal(result.status, 0);
    assert.match(result.stdout, /Usage: npm run bench/);
    assert.match(result.stdout, /100,000 stored messages/);
    assert.match(result.stdout, /storm +100, 300 and 600 clients/);
  });

  test("--only with an unknown part is a usage error (exit 2)", () => {
    const result = bench("--only", "fanout,speed");
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--only takes some of fanout, join, rooms, storm, classroom, commands/);
  });

  test("--solution takes stages with a fan-out: 1 is a usage error (exit 2), and so is a stage that does not exist", () => {
    const echo = bench("--solution", "6,1");
    assert.equal(echo.status, 2);
    assert.match(echo.stderr, /--solution: stage 01 only echoes to the sender/);
    const missing = bench("--solution", "6,99");
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /There is no stage "99"/);
  });
});

describe("a load run against solutions/06-rate-limit", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "hello-chat-load-test-"));
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ kind: "solutions", stage: 6, stateDir });
  });
  after(async () => {
    await server?.stop().catch(() => server.kill());
    rmSync(stateDir, { recursive: true, force: true });
  });

  test("20 clients, 10 senders at 1 message a second for 3 s: every client gets all 30, once, in one order", async () => {
    const record = await runLoad({ clients: 20, senders: 10, rate: 1, seconds: 3 }, { origin: server.origin, room: "load-test" });
    const summary = analyse(record);
    const shown = JSON.stringify({ ...summary, errors: summary.errors.slice(0, 3) });
    assert.ok(isClean(summary), shown);
    assert.equal(summary.sent, 30, shown);
    assert.equal(summary.accepted, 30, shown);
    assert.equal(summary.delivered, 20 * 30, shown);
  });

  // The bench's presence storm, at a size that takes a second: its counting, not its timing.
  // How the server groups changes into presence frames depends on timing, so only what holds
  // whatever the grouping is checked.
  test("a presence storm of 20 clients settles, every view right, and counts the presence frames", async () => {
    const point = await measureStorm(server.origin, 20);
    const shown = JSON.stringify(point);
    // Settling means every client open with the whole room in its view; then the 10 that stay with only the 10.
    assert.notEqual(point.settleMs, null, shown);
    assert.notEqual(point.leaveSettleMs, null, shown);
    assert.deepEqual(point.disconnected, [], shown);
    assert.equal(point.unclosed, 0, shown);
    // Each newcomer gets one users frame; the last one's lists all 20 names, "s0" to "s19".
    assert.equal(point.usersFrames, 20, shown);
    assert.equal(point.maxUsersFrameBytes, JSON.stringify({ type: "users", count: 20, names: Array.from({ length: 20 }, (_, i) => `s${i}`).sort() }).length, shown);
    // Presence frames came, and never more than one per change: 20 names came, then 10 went.
    assert.ok(point.presenceSends > 0 && point.presenceSends <= 20, shown);
    assert.ok(point.presenceFrames > point.usersFrames, shown);
    assert.ok(point.presenceFrames - point.usersFrames <= point.presenceSends * 20, shown);
    assert.ok(point.leaveSends > 0 && point.leaveSends <= 10, shown);
    // The 10 that stay each get every frame about the 10 that left.
    assert.equal(point.leaveFrames, point.leaveSends * 10, shown);
  });

  // What the bench does on stage 04, which has no presence: it only measures the opening.
  test("a storm with presence: false measures the opening alone", async () => {
    const point = await measureStorm(server.origin, 10, { presence: false });
    const shown = JSON.stringify(point);
    assert.notEqual(point.openAllMs, null, shown);
    assert.equal(point.settleMs, null, shown);
    assert.equal(point.leaveSettleMs, null, shown);
    assert.deepEqual(point.disconnected, [], shown);
    assert.equal(point.unclosed, 0, shown);
  });

  test("the analysis sees a lost, a doubled and a reordered delivery", async () => {
    const record = await runLoad({ clients: 3, senders: 2, rate: 2, seconds: 1 }, { origin: server.origin, room: "load-broken" });
    assert.ok(isClean(analyse(record)));
    const [first, second, third] = record.received;
    first.pop();
    second.push(second[0]);
    third.reverse();
    const summary = analyse(record);
    assert.equal(summary.lost, 1);
    assert.equal(summary.duplicated, 1);
    assert.ok(summary.outOfOrder > 0);
    assert.equal(isClean(summary), false);
  });

  // From inside workerd this case cannot be made (a Fetcher turns such a request into a GET upgrade).
  test("POST /ws with an Upgrade header over real HTTP is refused, never upgraded, without internals", async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const post = request(`${server.origin}/ws?name=alice`, {
        method: "POST",
        headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13" },
      });
      post.on("upgrade", (_response, socket) => {
        socket.destroy();
        resolve({ status: 101, body: "" });
      });
      post.on("response", (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      });
      post.on("error", reject);
      post.end("{}");
    });
    // The runtime answers before the Worker runs: 400 "WebSocket must be initiated with a GET request",
    // where the protocol would say 405 (docs/reference/benchmarks.md, "Limits found on the way").
    assert.ok(answer.status === 400 || answer.status === 405, JSON.stringify(answer));
    assert.doesNotMatch(answer.body, /\n\s+at |\.[jt]s:\d/);
  });

  test("a 1 MiB frame over a real socket closes it with 1009, unparsed; the name can go on in a new one", async () => {
    const url = `${server.origin.replace("http", "ws")}/ws?room=big-frame&name=big`;
    const socket = new WebSocket(url);
    const frames: { type: string; code?: string; message?: string }[] = [];
    socket.addEventListener("message", (event) => frames.push(JSON.parse(String(event.data))));
    const closed = new Promise<number>((resolve) => socket.addEventListener("close", (event) => resolve(event.code)));
    await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
    socket.send(`{"message":"${"a".repeat(1024 * 1024 - 14)}"}`);
    assert.equal(await closed, 1009);
    assert.deepEqual(frames.filter((f) => f.type === "error" || f.type === "message"), []);

    const again = new WebSocket(url);
    const history = new Promise<{ messages: unknown[] }>((resolve) =>
      again.addEventListener("message", (event) => {
        const frame = JSON.parse(String(event.data));
        if (frame.type === "history") resolve(frame);
      }));
    assert.deepEqual((await history).messages, [], "nothing of the big frame was stored");
    const echoed = new Promise<string>((resolve) =>
      again.addEventListener("message", (event) => {
        const frame = JSON.parse(String(event.data));
        if (frame.type === "message") resolve(frame.message);
      }));
    again.send(JSON.stringify({ message: "after" }));
    assert.equal(await echoed, "after");
    again.close();
  });
});
