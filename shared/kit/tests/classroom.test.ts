// The classroom end to end, as a workshop uses it: a real `npm run classroom` server, attendees
// who join with `npm run classroom:join` (each its own checkout's join file), reports sent the way
// `npm run check` sends them, a dashboard socket that sees them, a leave, and a restart.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { AttendeeFrame, SnapshotFrame } from "../../classroom/report.ts";
import { joinClassroom } from "../classroom/join.ts";
import { sendReport, type Membership } from "../classroom/membership.ts";
import { startClassroom, type Classroom } from "../dev-server.ts";
import { freePort } from "../free-port.ts";
import { lanUrls } from "../lan.ts";
import { REPO_ROOT } from "../paths.ts";
import type { TargetResult } from "../run-checks.ts";
import { STAGES } from "../stages.ts";

const ATTENDEES = 30;
const dir = mkdtempSync(join(tmpdir(), "hello-chat-classroom-"));
const joinFile = (n: number) => join(dir, `checkout-${n}.json`);
let classroom: Classroom;

function kit(script: string, args: string[], file?: string) {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, "shared/kit", script), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", CHAT_STATE_DIR: join(dir, "state"), ...(file ? { CLASSROOM_JOIN_FILE: file } : {}) },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `npm run classroom:join` in its own process, as an attendee types it. */
function joinAs(n: number, name: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "shared/kit/classroom/join.ts"), classroom.joinAddress, "--as", name], {
      env: { ...process.env, NO_COLOR: "1", CLASSROOM_JOIN_FILE: joinFile(n) },
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (status) => resolve({ status, output }));
  });
}

const membership = (n: number): Membership => JSON.parse(readFileSync(joinFile(n), "utf8"));

async function snapshot(): Promise<SnapshotFrame> {
  const response = await fetch(`${classroom.origin}/api/sessions/${classroom.code}`, { headers: { Authorization: `Bearer ${classroom.key}` } });
  assert.equal(response.status, 200);
  return (await response.json()) as SnapshotFrame;
}

/** A stage's check results shaped as `npm run check -- N` returns them: `failing` checks fail, with a hint. */
function resultOf(stage: number, failing: string[] = []): TargetResult {
  const suites = STAGES.filter((s) => s.number <= stage).map((s) => ({
    stage: s,
    checks: [1, 2, 3].map((i) => {
      const name = `stage ${s.number} check ${i}`;
      return failing.includes(name)
        ? { name, passed: false, error: `Expected: something\nGot:      the attendee's own output\nHint:     look at webSocketMessage` }
        : { name, passed: true };
    }),
  }));
  return { kind: "steps", stage: STAGES[stage - 1], folder: `steps/${STAGES[stage - 1].slug}`, suites, kitChecks: [] };
}

before(async () => {
  classroom = await startClassroom({ stateDir: join(dir, "state") });
});

after(async () => {
  await classroom?.stop().catch(() => classroom.kill());
  rmSync(dir, { recursive: true, force: true });
});

describe("a workshop of 30", () => {
  test("npm run classroom prints the dashboard (with the instructor key) and the line attendees type", () => {
    assert.match(classroom.output(), /^Dashboard: http:\/\/localhost:\d+\/c\/[A-Z2-9]{6}\/dashboard#key=[\w-]{43}$/m);
    assert.match(classroom.output(), new RegExp(`npm run classroom:join -- http://localhost:\\d+/c/${classroom.code} --as "<your name>"`));
    assert.match(classroom.output(), /Only this computer can reach it: add --lan/);
  });

  test("30 attendees join with npm run classroom:join, each checkout with its own secret", async () => {
    // The first as a command in its own process; the other 29 through the same function in this one,
    // all at once: 29 more Node processes would load two cores for seconds, beside other tests' checks.
    const first = await joinAs(1, "Attendee 1");
    assert.equal(first.status, 0, first.output);
    assert.match(first.output, new RegExp(`^Joined classroom ${classroom.code} as Attendee 1\\. From now on every npm run check reports your results there\\.\\nnpm run classroom:leave stops it\\.\\n$`));
    const origin = new URL(classroom.joinAddress).origin;
    const others = await Promise.all(
      Array.from({ length: ATTENDEES - 1 }, (_, i) => joinClassroom(origin, classroom.code, `Attendee ${i + 2}`, joinFile(i + 2))),
    );
    others.forEach(({ ok, lines }, i) => {
      assert.ok(ok, lines.join("\n"));
      assert.match(lines.join("\n"), new RegExp(`Joined classroom ${classroom.code} as Attendee ${i + 2}\\.`));
    });
    const secrets = new Set(Array.from({ length: ATTENDEES }, (_, i) => membership(i + 1).secret));
    assert.equal(secrets.size, ATTENDEES);
    assert.equal((await snapshot()).attendees.length, ATTENDEES);
  });

  test("their reports reach the dashboard's socket, one frame each, and the snapshot holds them", async () => {
    // As the dashboard page opens it: the key as a subprotocol, never in the address.
    const socket = new WebSocket(`${classroom.origin.replace("http", "ws")}/api/sessions/${classroom.code}/live`, ["classroom", `key.${classroom.key}`]);
    const frames: AttendeeFrame[] = [];
    const first = new Promise<SnapshotFrame>((resolve, reject) => {
      socket.addEventListener("message", (event) => {
        const frame = JSON.parse(String(event.data));
        if (frame.type === "snapshot") resolve(frame);
        else frames.push(frame);
      });
      socket.addEventListener("error", () => reject(new Error("the dashboard socket failed")));
    });
    assert.equal((await first).attendees.length, ATTENDEES);

    // Attendee n is at stage 1 + n % 6; every third fails its stage's second check.
    const lines = await Promise.all(
      Array.from({ length: ATTENDEES }, (_, i) => {
        const stage = 1 + ((i + 1) % 6);
        const failing = (i + 1) % 3 === 0 ? [`stage ${stage} check 2`] : [];
        return sendReport([resultOf(stage, failing)], membership(i + 1));
      }),
    );
    lines.forEach((line, i) => assert.equal(line, `Reported to classroom ${classroom.code} as Attendee ${i + 1}.`));
    const deadline = Date.now() + 5_000;
    while (frames.length < ATTENDEES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    socket.close();
    assert.equal(frames.length, ATTENDEES, "one attendee frame per report");

    const { attendees } = await snapshot();
    for (const attendee of attendees) {
      const n = Number(attendee.name.split(" ")[1]);
      const stage = 1 + (n % 6);
      const fails = n % 3 === 0;
      assert.deepEqual(
        attendee.stages.map((s) => [s.stage, s.status, s.passed, s.total]),
        [[stage, fails ? "failing" : "passed", stage * 3 - (fails ? 1 : 0), stage * 3]],
        attendee.name,
      );
      if (fails) {
        // The hint travels; what the attendee's code printed ("Got:") does not.
        assert.deepEqual(attendee.stages[0].firstFailing, { stage, title: `stage ${stage} check 2`, hint: "look at webSocketMessage" });
      }
    }
    const exported = await fetch(`${classroom.origin}/api/sessions/${classroom.code}/results.json`, { headers: { Authorization: `Bearer ${classroom.key}` } }).then((r) => r.text());
    assert.doesNotMatch(exported, /attendee's own output/);
  });

  test("npm run check reports, in one line after its results, with the kit's version", async () => {
    // steps/01-echo is the starter: it fails its stage, and that is reported like a pass would be.
    const { status, stdout } = kit("check.ts", ["1"], joinFile(1));
    assert.equal(status, 1, stdout);
    assert.match(stdout, new RegExp(`checks pass\\.[^]*\\nReported to classroom ${classroom.code} as Attendee 1\\.\\n$`));
    const version = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version;
    assert.equal((await snapshot()).attendees.find((a) => a.name === "Attendee 1")?.kit, version);
  });

  test("checking the kit's solution (--solution) reports nothing: it is not the attendee's work", async () => {
    const before = (await snapshot()).attendees.find((a) => a.name === "Attendee 4")!;
    const { status, stdout } = kit("check.ts", ["1", "--solution"], joinFile(4));
    assert.equal(status, 0, stdout);
    assert.doesNotMatch(stdout, /classroom/i);
    const now = (await snapshot()).attendees.find((a) => a.name === "Attendee 4")!;
    assert.equal(now.lastReportAt, before.lastReportAt);
  });

  test("each run of npm run check --watch reports", async () => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "shared/kit/check.ts"), "1", "--watch"], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1", CLASSROOM_JOIN_FILE: joinFile(2) },
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    const deadline = Date.now() + 60_000;
    while (!/Reported to classroom/.test(output) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    process.kill(-child.pid!, "SIGKILL");
    assert.match(output, new RegExp(`Reported to classroom ${classroom.code} as Attendee 2\\.`));
    const attendee = (await snapshot()).attendees.find((a) => a.name === "Attendee 2");
    // The starter's real results: more than the three checks the hand-made reports had, some failing.
    assert.ok(attendee?.stages.some((s) => s.stage === 1 && s.status === "failing" && s.total > 3 && s.firstFailing?.hint), "the watch run's real stage-1 results");
  });

  test("a name already in the session, a wrong code and a bad address are refused in words", async () => {
    const taken = await joinAs(99, "attendee 7");
    assert.equal(taken.status, 1);
    assert.match(taken.output, /The classroom said no: Someone in this session is already called "Attendee 7"/);
    assert.equal(existsSync(joinFile(99)), false, "nothing is kept after a refusal");
    const wrongCode = kit("classroom/join.ts", [classroom.joinAddress.replace(classroom.code, "ZZZZZZ"), "--as", "Zed"], joinFile(98));
    assert.equal(wrongCode.status, 1);
    assert.match(wrongCode.stderr, /There is no classroom session ZZZZZZ/);
    const bad = kit("classroom/join.ts", ["http://localhost:8790/", "--as", "Zed"], joinFile(98));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /is not a classroom address: it looks like http:\/\/192\.168\.1\.20:8790\/c\/K7MQ4P/);
    const noName = kit("classroom/join.ts", [classroom.joinAddress], joinFile(98));
    assert.equal(noName.status, 2);
    assert.match(noName.stderr, /--as "Ada L"/);
  });

  test("joining the same session at a new address keeps the seat (the instructor's laptop changed networks)", async () => {
    const moved = classroom.joinAddress.replace("localhost", "127.0.0.1");
    const again = kit("classroom/join.ts", [moved, "--as", "Someone else"], joinFile(5));
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`already reports to classroom ${classroom.code} as Attendee 5, now at http://127\\.0\\.0\\.1:\\d+\\.`));
    assert.equal(membership(5).origin, classroom.origin);
    assert.equal(await sendReport([resultOf(1)], membership(5)), `Reported to classroom ${classroom.code} as Attendee 5.`);
  });

  test("npm run classroom:leave stops the reports; the dashboard shows the attendee as left, and the export keeps their results", async () => {
    const before = (await snapshot()).attendees.find((a) => a.name === "Attendee 30");
    assert.ok(before && before.stages.length > 0, "Attendee 30 reported before leaving");
    const left = kit("classroom/leave.ts", [], joinFile(30));
    assert.equal(left.status, 0, left.stderr);
    assert.match(left.stdout, new RegExp(`Left classroom ${classroom.code}: npm run check no longer reports anything\\.`));
    assert.equal(existsSync(joinFile(30)), false);
    assert.equal(await sendReport([resultOf(1)]), undefined, "not joined: nothing is sent, nothing is said");
    const attendee = (await snapshot()).attendees.find((a) => a.name === "Attendee 30");
    assert.equal(typeof attendee?.leftAt, "number");
    const exported = await fetch(`${classroom.origin}/api/sessions/${classroom.code}/results.json`, { headers: { Authorization: `Bearer ${classroom.key}` } }).then((r) => r.json()) as { attendees: { name: string; leftAt: unknown; stages: { stage: number; status: string }[] }[] };
    const kept = exported.attendees.find((a) => a.name === "Attendee 30");
    assert.ok(kept && kept.leftAt !== null, "the export lists Attendee 30 as left");
    assert.deepEqual(kept.stages.map(({ stage, status }) => ({ stage, status })), before.stages.map(({ stage, status }) => ({ stage, status })));
    const again = kit("classroom/leave.ts", [], joinFile(30));
    assert.match(again.stdout, /has not joined a classroom: nothing is sent/);
  });
});

describe("the commands explain themselves", () => {
  test("--help of classroom, classroom:join and classroom:deploy: exit 0 and their usage; a stray argument: exit 2", () => {
    for (const [script, usage] of [
      ["classroom/serve.ts", /^Usage: npm run classroom \[-- --port <P>\] \[--lan\] \[--session <CODE>\] \[--at <address>\]/],
      ["classroom/join.ts", /^Usage: npm run classroom:join -- <address> --as <your name>/],
      ["classroom/deploy.ts", /^Usage: npm run classroom:deploy \[-- --dry-run\]/],
    ] as const) {
      const { status, stdout } = kit(script, ["--help"]);
      assert.equal(status, 0, script);
      assert.match(stdout, usage);
    }
    const stray = kit("classroom/serve.ts", ["now"]);
    assert.equal(stray.status, 2);
    assert.match(stray.stderr, /npm run classroom takes no argument \(got now\)/);
  });
});

describe("a classroom that cannot be reached never fails a check", () => {
  let silent: Server;
  let silentPort = 0;
  let closedPort = 0;
  before(async () => {
    closedPort = await freePort();
    // A server that accepts connections and never answers: the worst Wi-Fi.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  after(() => silent.close());

  test("no answer: 'not reported' after at most the timeout", async () => {
    const started = Date.now();
    const line = await sendReport([resultOf(1)], { ...membership(1), origin: `http://127.0.0.1:${silentPort}` });
    assert.match(line ?? "", /^Not reported to the classroom: no answer from http:\/\/127\.0\.0\.1:\d+ within 2 s\. Your check ran as usual\.$/);
    assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
  });

  test("nobody listening: npm run check gives its usual result, and says why it did not report (with --json, on stderr)", () => {
    const closed = join(dir, "closed.json");
    // A port nobody listens on (the silent server's, once closed, would do too; this one never opened).
    writeFileSync(closed, JSON.stringify({ ...membership(3), origin: `http://127.0.0.1:${closedPort}` }));
    const { status, stdout, stderr } = kit("check.ts", ["1", "--json"], closed);
    assert.equal(status, 1, "the starter fails its stage, as without a classroom");
    // stdout stays JSON for tools; the classroom's line is for the person, on stderr.
    assert.equal(JSON.parse(stdout).folder, "steps/01-echo");
    assert.match(stderr, /Not reported to the classroom: http:\/\/127\.0\.0\.1:\d+ cannot be reached \(ECONNREFUSED\)\. Your check ran as usual\./);
    assert.doesNotMatch(stderr, /at .*:\d+:\d+/, "no stack trace");
  });
});

describe("the session outlives the server", () => {
  test("npm run classroom -- --session CODE --lan reopens it, with everyone's results, for the laptops on the network", async () => {
    await classroom.stop();
    classroom = await startClassroom({ stateDir: join(dir, "state"), args: ["--session", classroom.code, "--lan"] });
    assert.match(classroom.output(), new RegExp(`Classroom session ${classroom.code} \\(reopened\\)`));
    const { attendees } = await snapshot();
    assert.equal(attendees.length, ATTENDEES);
    assert.equal(attendees.filter((a) => a.stages.length > 0).length, ATTENDEES);
    // The join line names this computer's network address (or says there is none), and it answers there.
    const [lan] = lanUrls(classroom.port);
    if (!lan) {
      assert.match(classroom.output(), /no network address found: is this computer on the Wi-Fi\?/);
      return;
    }
    assert.match(classroom.output(), new RegExp(`npm run classroom:join -- ${lan}c/${classroom.code} --as`));
    assert.equal((await fetch(`${lan}c/${classroom.code}`)).status, 200);
  });

  test("--at opens a new session on a classroom served elsewhere (a deployed one), starting nothing here", () => {
    const { status, stdout } = kit("classroom/serve.ts", ["--at", classroom.origin]);
    assert.equal(status, 0, stdout);
    const code = /^Classroom session ([A-Z2-9]{6})$/m.exec(stdout)?.[1];
    assert.ok(code && code !== classroom.code, stdout);
    assert.match(stdout, new RegExp(`^Dashboard: ${classroom.origin}/c/${code}/dashboard#key=[\\w-]{43}$`, "m"));
    assert.match(stdout, new RegExp(`npm run classroom:join -- ${classroom.origin}/c/${code} --as`));
  });

  test("a port in use is refused in words, with a free one to try", () => {
    const { status, stderr } = kit("classroom/serve.ts", ["--port", String(classroom.port)]);
    assert.equal(status, 1);
    assert.match(stderr, new RegExp(`^Port ${classroom.port} is already in use \\(a second npm run classroom\\?\\)\\.\\nStop it, or choose another: npm run classroom -- --port \\d+\\n$`));
  });

  test("a session this computer did not open is refused in words", () => {
    const { status, stderr } = kit("classroom/serve.ts", ["--session", "ABCDEF", "--at", classroom.origin]);
    assert.equal(status, 1);
    assert.match(stderr, /did not open session ABCDEF, so it has no key for it/);
  });
});
