// `npm run bench [-- --quick] [--only fanout,join,rooms,storm,commands] [--out FILE]`: measures solutions
// 02, 03 and 06 under the same offered loads (and 05 and 06 in presence storms, 04 for the
// opening alone) in one run, prints
// a table with the issue's targets marked pass or miss, and writes every figure to a JSON file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { startDevServer } from "../dev-server.ts";
import { REPO_ROOT } from "../paths.ts";
import { paint } from "../report.ts";
import { findStage, parseStage, STAGES, UsageError } from "../stages.ts";
import { timeCheck, timeStepReady } from "./commands.ts";
import { measureFanout, sustainable, type FanoutPoint } from "./fanout.ts";
import { createRoom, measureJoins, seed, type JoinPoint } from "./join.ts";
import { measureNewRooms, type RoomsPoint } from "./rooms.ts";
import { measureStorm, type StormPoint } from "./storm.ts";
import { measureClassroom, type ClassroomPoint } from "./classroom.ts";
import { parseOptions, run } from "../cli.ts";

const USAGE = `Usage: npm run bench [-- --quick] [--only fanout,join,rooms,storm,classroom,commands] [--solution N,M] [--out FILE]

Measures solutions 02, 03 and 06 (storm: 04, 05 and 06) on this machine, one after the other, in one run:
  fanout    one room, fixed clients, more and more senders at 1 message a second:
            delivered frames per second and latency p50/p99 at each offered load
  join      time from opening a socket to the history frame, in rooms with
            10, 1,000 and 100,000 stored messages (stages 03 and 06; 02 has no
            history: until the socket is open)
  rooms     300 people each open a new room of their own, 1 and then 20 at a time: join time
            p50/p99 (from 08 each new room also tells the lobby, which a join must
            not wait for; --solution 6,8 compares), and at 08 how long until
            GET /api/rooms lists them
  storm     100, 300 and 600 clients open sockets into one room at once: time until
            every client's view of who is online is right, and the bytes of presence
            frames that took; then half of them leave at once, and the same again.
            On 04 (no presence) only until every socket is open: the floor under a storm
  classroom 200 attendees of npm run classroom each report a stage-6 check run every 2 s:
            time until the dashboard's socket has each report (p50/p99), and reports lost
  commands  npm run step: time until the page answers; npm run check -- 6: time to finish

  --quick   a smaller run (about a minute) to see that everything works
  --only    some of: fanout, join, rooms, storm, classroom, commands (comma-separated)
  --solution  the solutions fan-out, join and rooms measure instead of 02, 03 and 06
            (comma-separated, from 2: --solution 6,7 compares stage 07 with 06)
  --out     where to write the JSON (default .state/bench/<date>.json)

A full run takes a few minutes. Close other heavy programs first: the load generator
shares the machine with the server, and both compete for the CPU.`;

const STAGES_MEASURED = [2, 3, 6];
/** The first column of every table: wide enough for the longest stage folder name. */
const SLUG_WIDTH = Math.max(...STAGES.map((stage) => stage.slug.length));
/** The stages with presence (users and presence frames). */
const STORM_STAGES = [5, 6];
/** A stage without presence, where a storm measures opening the sockets alone. */
const STORM_FLOOR_STAGE = 4;
const JOIN_SIZES = [10, 1_000, 100_000];
const PARTS = ["fanout", "join", "rooms", "storm", "classroom", "commands"] as const;
type Part = (typeof PARTS)[number];

const SIZES = {
  full: { clients: 100, loads: [10, 20, 35, 50, 75], seconds: 5, joins: 10, newRooms: 300, storms: [100, 300, 600], classroom: { attendees: 200, seconds: 30 } },
  quick: { clients: 30, loads: [5, 15, 30], seconds: 2, joins: 3, newRooms: 60, storms: [50, 100], classroom: { attendees: 50, seconds: 6 } },
};
/** New rooms opened at a time in the rooms part: one by one (the join alone), and a busy start. */
const NEW_ROOMS_AT_ONCE = [1, 20];
/** Each attendee of the classroom part runs a check this often; the dashboard must have it within 1 s. */
const CLASSROOM_TARGET = { intervalMs: 2_000, p99Ms: 1_000 };
/** The storm the issue set targets for: it settles within 3 s, with under 10 MB of presence frames. */
const STORM_TARGET = { clients: 600, settleMs: 3_000, presenceMB: 10 };

type Target = { name: string; pass: boolean; detail: string };

async function main(args: string[]): Promise<number> {
  const { values } = readOptions(args);
  const parts = parseParts(values.only);
  const measured = parseSolutions(values.solution);
  const size = values.quick ? SIZES.quick : SIZES.full;
  const out = resolve(REPO_ROOT, values.out ?? join(".state", "bench", `${new Date().toISOString().replaceAll(":", "-")}.json`));
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverageAtStart: loadavg() };
  console.log(paint("bold", `hello-chat bench (${values.quick ? "quick" : "full"}) on ${machine.cpus} CPUs, load average ${loadavg()[0].toFixed(1)}`));

  const fanout: Record<string, FanoutPoint[]> = {};
  const joins: Record<string, JoinPoint[]> = {};
  const newRooms: Record<string, RoomsPoint[]> = {};
  const storms: Record<string, StormPoint[]> = {};
  // One server per stage that some chosen part measures.
  const stages = [
    ...(parts.includes("fanout") || parts.includes("join") || parts.includes("rooms") ? measured : []),
    ...(parts.includes("storm") ? [STORM_FLOOR_STAGE, ...STORM_STAGES] : []),
  ];
  for (const number of [...new Set(stages)].sort((a, b) => a - b)) {
    const slug = findStage(String(number))!.slug;
    const stateDir = mkdtempSync(join(tmpdir(), "hello-chat-bench-"));
    try {
      let server = await startDevServer({ kind: "solutions", stage: number, stateDir });
      try {
        if (parts.includes("fanout") && measured.includes(number)) {
          console.log(`  ${slug}: fan-out, ${size.clients} clients, offered ${size.loads.join(", ")} msg/s…`);
          fanout[slug] = await measureFanout(server.origin, size.clients, size.loads, size.seconds);
        }
        if (parts.includes("join") && measured.includes(number)) {
          console.log(`  ${slug}: join…`);
          if (number < 3) {
            joins[slug] = [await measureJoins(server.origin, "join-empty", 0, size.joins, false)];
          } else {
            const files: string[] = [];
            for (const stored of JOIN_SIZES) files.push(await createRoom(server.origin, stateDir, `join-${stored}`));
            await server.stop();
            JOIN_SIZES.forEach((stored, i) => seed(files[i], stored));
            server = await startDevServer({ kind: "solutions", stage: number, stateDir });
            joins[slug] = [];
            for (const stored of JOIN_SIZES) joins[slug].push(await measureJoins(server.origin, `join-${stored}`, stored, size.joins));
          }
        }
        if (parts.includes("rooms") && measured.includes(number)) {
          console.log(`  ${slug}: ${size.newRooms} new rooms, ${NEW_ROOMS_AT_ONCE.join(" and ")} at a time…`);
          // Discarded: it warms up the client and the Worker, as fan-out's first run does.
          await measureNewRooms(server.origin, 20, 20, { history: number >= 3, directory: false });
          newRooms[slug] = [];
          for (const atOnce of NEW_ROOMS_AT_ONCE) {
            newRooms[slug].push(await measureNewRooms(server.origin, size.newRooms, atOnce, { history: number >= 3, directory: number >= 8 }));
            // The rooms just closed tell everyone (and from 08 the lobby) that they emptied: let that pass.
            await sleep(3000);
          }
        }
        if (parts.includes("storm") && (STORM_STAGES.includes(number) || number === STORM_FLOOR_STAGE)) {
          const presence = number !== STORM_FLOOR_STAGE;
          console.log(`  ${slug}: ${presence ? "presence storms" : "opening only (no presence)"} of ${size.storms.join(", ")} clients…`);
          // Discarded, like fan-out's first run: it warms up the client and the Worker.
          await measureStorm(server.origin, 20, { presence });
          storms[slug] = [];
          for (const clients of size.storms) storms[slug].push(await measureStorm(server.origin, clients, { presence }));
        }
      } finally {
        await server.stop().catch(() => server.kill());
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }

  let classroom: ClassroomPoint | undefined;
  if (parts.includes("classroom")) {
    console.log(`  classroom: ${size.classroom.attendees} attendees, a report each every ${CLASSROOM_TARGET.intervalMs / 1000} s for ${size.classroom.seconds} s…`);
    classroom = await measureClassroom(size.classroom.attendees, CLASSROOM_TARGET.intervalMs, size.classroom.seconds);
  }

  let commands: { stepReadySeconds: number; check: { args: string; seconds: number; exitCode: number | null }[] } | undefined;
  if (parts.includes("commands")) {
    console.log("  commands: npm run step -- 6, npm run check -- 6, npm run check -- 6 --solution…");
    const stepReadySeconds = await timeStepReady(6);
    const check = [];
    for (const args of [["6"], ["6", "--solution"]]) check.push({ args: args.join(" "), ...(await timeCheck(args)) });
    commands = { stepReadySeconds, check };
  }

  const targets = judge(fanout, joins, storms, commands);
  if (classroom) {
    targets.push({
      name: `classroom: ${classroom.attendees} attendees reporting every ${classroom.intervalMs / 1000} s reach the dashboard with p99 < ${CLASSROOM_TARGET.p99Ms} ms, none lost`,
      pass: classroom.p99Ms < CLASSROOM_TARGET.p99Ms && classroom.refused === 0 && classroom.unseen === 0,
      detail: `p50 ${classroom.p50Ms} ms, p99 ${classroom.p99Ms} ms; ${classroom.refused} refused, ${classroom.unseen} unseen of ${classroom.sent}`,
    });
  }
  console.log(formatTables(fanout, joins, newRooms, storms, commands, targets, classroom));
  mkdirSync(dirname(out), { recursive: true });
  const report = { date: new Date().toISOString(), machine, size: values.quick ? "quick" : "full", ...size, fanout, joins, newRooms, storms, classroom, commands, targets };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote ${relative(process.cwd(), out) || out}`);
  return 0;
}

function judge(
  fanout: Record<string, FanoutPoint[]>,
  joins: Record<string, JoinPoint[]>,
  storms: Record<string, StormPoint[]>,
  commands: { check: { args: string; seconds: number }[] } | undefined,
): Target[] {
  const targets: Target[] = [];
  const base = fanout["02-broadcast"] && sustainable(fanout["02-broadcast"], 100);
  const limited = fanout["06-rate-limit"] && sustainable(fanout["06-rate-limit"], 100);
  if (fanout["02-broadcast"] && fanout["06-rate-limit"]) {
    const pass = !!base && !!limited && limited.deliveredPerSecond >= 0.9 * base.deliveredPerSecond;
    targets.push({
      name: "stage 06 delivers within 10% of stage 02's throughput at p99 < 100 ms",
      pass,
      detail: `06: ${limited ? `${limited.deliveredPerSecond} frames/s at ${limited.offered} msg/s` : "no load under 100 ms"}; ` +
        `02: ${base ? `${base.deliveredPerSecond} frames/s at ${base.offered} msg/s` : "no load under 100 ms"}`,
    });
  }
  for (const [slug, points] of Object.entries(joins)) {
    const big = points.find((p) => p.stored === 100_000);
    if (!big) continue;
    targets.push({
      name: `${slug}: joining a room of 100,000 messages takes < 50 ms and sends <= 100 history messages`,
      pass: big.coldMs < 50 && big.warmP50Ms < 50 && big.historyMessages <= 100,
      detail: `first join ${big.coldMs} ms, then p50 ${big.warmP50Ms} ms; ${big.historyMessages} history messages`,
    });
  }
  // Opening the sockets alone, on a stage without presence: the part of the 3 s no protocol can save.
  const floor = Object.values(storms)
    .flat()
    .find((p) => !p.presence && p.clients === STORM_TARGET.clients);
  for (const [slug, points] of Object.entries(storms)) {
    const big = points.find((p) => p.presence && p.clients === STORM_TARGET.clients);
    if (!big) continue;
    const floorText = floor ? `; opening them alone (no presence) took ${floor.openAllMs ?? "> 30 s"} ms` : "";
    targets.push({
      name: `${slug}: ${big.clients} clients joining at once settle in < ${STORM_TARGET.settleMs / 1000} s with < ${STORM_TARGET.presenceMB} MB of presence frames`,
      pass: big.settleMs !== null && big.settleMs < STORM_TARGET.settleMs && big.presenceMB < STORM_TARGET.presenceMB,
      detail: `${big.settleMs === null ? "not settled within 30 s" : `settled in ${big.settleMs} ms`}, ${big.presenceMB} MB${floorText}`,
    });
  }
  for (const run of commands?.check ?? []) {
    targets.push({ name: `npm run check -- ${run.args} takes < 10 s`, pass: run.seconds < 10, detail: `${run.seconds} s` });
  }
  return targets;
}

function formatTables(
  fanout: Record<string, FanoutPoint[]>,
  joins: Record<string, JoinPoint[]>,
  newRooms: Record<string, RoomsPoint[]>,
  storms: Record<string, StormPoint[]>,
  commands: { stepReadySeconds: number; check: { args: string; seconds: number; exitCode: number | null }[] } | undefined,
  targets: Target[],
  classroom?: ClassroomPoint,
): string {
  const lines: string[] = [];
  const row = (cells: (string | number)[], widths: number[]) =>
    cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join("  ");
  if (Object.keys(fanout).length > 0) {
    const widths = [SLUG_WIDTH, 14, 19, 8, 8, 18, 13];
    lines.push("", paint("bold", "Fan-out (one room; each sender 1 message a second)"));
    lines.push(row(["solution", "offered msg/s", "delivered frames/s", "p50 ms", "p99 ms", "lost/dup/reorder", "disconnected"], widths));
    for (const [slug, points] of Object.entries(fanout)) {
      for (const p of points) {
        lines.push(row([slug, p.offered, p.deliveredPerSecond, p.p50, p.p99, `${p.lost}/${p.duplicated}/${p.outOfOrder}`, p.disconnected.length], widths));
        for (const close of p.disconnected.slice(0, 3)) lines.push(`    ${close}`);
      }
      const best = sustainable(points, 100);
      lines.push(`  highest load with p99 < 100 ms: ${best ? `${best.offered} msg/s (${best.deliveredPerSecond} frames/s, ${best.clients} clients)` : "none measured"}`);
    }
  }
  if (Object.keys(joins).length > 0) {
    const widths = [SLUG_WIDTH, 8, 17, 14, 12, 12, 13];
    lines.push("", paint("bold", "Join (opening a socket to the history frame; \"open\" is the part before it; 02 has none)"));
    lines.push(row(["solution", "stored", "history messages", "first join ms", "then p50 ms", "then max ms", "open p50 ms"], widths));
    for (const [slug, points] of Object.entries(joins)) {
      for (const p of points) lines.push(row([slug, p.stored, p.historyMessages, p.coldMs, p.warmP50Ms, p.warmMaxMs, p.openP50Ms], widths));
    }
  }
  if (Object.keys(newRooms).length > 0) {
    const widths = [SLUG_WIDTH, 6, 8, 7, 7, 7, 15];
    lines.push("", paint("bold", "New rooms (each join opens a room of its own, to the history frame; from 08 each room also tells the lobby)"));
    lines.push(row(["solution", "rooms", "at once", "p50 ms", "p99 ms", "max ms", "listed after ms"], widths));
    for (const [slug, points] of Object.entries(newRooms)) {
      for (const p of points) lines.push(row([slug, p.rooms, p.atOnce, p.p50Ms, p.p99Ms, p.maxMs, p.listedMs ?? "-"], widths));
    }
  }
  if (Object.keys(storms).length > 0) {
    const widths = [SLUG_WIDTH, 8, 12, 10, 12, 16, 6, 12, 16, 9, 7, 13];
    const ms = (value: number | null) => (value === null ? "> 30 s" : value);
    lines.push("", paint("bold", "Presence storm (clients open at once in one room, until every view of who is online is right; then half leave)"));
    lines.push("  frames: users and presence frames received by all clients; sent: presence frames the server sent out");
    lines.push(row(["solution", "clients", "all open ms", "settle ms", "presence MB", "presence frames", "sent", "max users B", "leave settle ms", "leave MB", "sent", "disconnected"], widths));
    for (const [slug, points] of Object.entries(storms)) {
      for (const p of points) {
        const cells = p.presence
          ? [ms(p.settleMs), p.presenceMB, p.presenceFrames, p.presenceSends, p.maxUsersFrameBytes, ms(p.leaveSettleMs), p.leaveMB, p.leaveSends]
          : ["-", "-", "-", "-", "-", "-", "-", "-"];
        lines.push(row([slug, p.clients, ms(p.openAllMs), ...cells, p.disconnected.length], widths));
        for (const close of p.disconnected.slice(0, 3)) lines.push(`    ${close}`);
        if (p.unclosed > 0) lines.push(`    ${p.unclosed} socket(s) closed at the end got no answer from the server within 30 s`);
      }
    }
  }
  if (classroom) {
    const c = classroom;
    lines.push("", paint("bold", "Classroom (each attendee reports a stage-6 check run; until the dashboard's socket has it)"));
    lines.push(`  ${c.attendees} attendees every ${c.intervalMs / 1000} s for ${c.seconds} s: ${c.sent} reports, ${c.reportsPerSecond} a second`);
    lines.push(`  dashboard has it after p50 ${c.p50Ms} ms, p99 ${c.p99Ms} ms, max ${c.maxMs} ms; refused ${c.refused}, unseen ${c.unseen}`);
    if (c.firstRefusal) lines.push(`    first refusal: ${c.firstRefusal}`);
  }
  if (commands) {
    lines.push("", paint("bold", "Start-up and checks"));
    lines.push(`  npm run step -- 6: page answers after ${commands.stepReadySeconds} s`);
    for (const run of commands.check) lines.push(`  npm run check -- ${run.args}: ${run.seconds} s (exit code ${run.exitCode})`);
  }
  if (targets.length > 0) {
    lines.push("", paint("bold", "Targets"));
    for (const t of targets) lines.push(`  ${t.pass ? paint("green", "pass") : paint("red", "miss")}  ${t.name}: ${t.detail}`);
  }
  return lines.join("\n");
}

function readOptions(args: string[]) {
  return parseOptions(args, { quick: { type: "boolean" }, only: { type: "string" }, solution: { type: "string" }, out: { type: "string" } }, USAGE, { noArguments: true });
}

/** The solutions that fan-out and join measure: --solution 6,7, or 02, 03 and 06. */
function parseSolutions(text: string | undefined): number[] {
  if (text === undefined) return STAGES_MEASURED;
  const numbers = text.split(",").map((part) => parseStage(part).number);
  const echo = numbers.find((number) => number < 2);
  if (echo !== undefined) throw new UsageError(`--solution: stage 0${echo} only echoes to the sender, so it has no fan-out to measure. Use 2 or later.`);
  return [...new Set(numbers)];
}

function parseParts(text: string | undefined): Part[] {
  if (text === undefined) return [...PARTS];
  const parts = text.split(",").map((part) => part.trim());
  const unknown = parts.filter((part) => !(PARTS as readonly string[]).includes(part));
  if (unknown.length > 0 || parts.length === 0) {
    throw new UsageError(`--only takes some of ${PARTS.join(", ")}, comma-separated (got "${text}").`);
  }
  return parts as Part[];
}

await run(main);
