// `npm run bench:tests [-- FILE…]`: where `npm test` spends its time. Runs each of the kit's test
// files alone, one after the other, and prints its wall time and the CPU time the whole machine
// spent meanwhile (every process, every core: workerd, Chromium and wrangler included).
// npm test runs two files at a time, so on 2 cores it takes about the CPU total divided by two.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { cpus } from "node:os";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { parseOptions, run } from "../cli.ts";
import { REPO_ROOT } from "../paths.ts";

const TESTS = join(REPO_ROOT, "shared/kit/tests");

/** Busy CPU milliseconds of the whole machine so far, summed over its cores. */
function busyMs(): number {
  return cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
}

const USAGE = `Usage: npm run bench:tests [-- FILE…]

Runs each test file alone (every file of shared/kit/tests without FILE), one after the other,
and prints its wall time and the CPU time the whole machine spent meanwhile.`;

await run((args) => {
  const { positionals } = parseOptions(args, {}, USAGE);
  return bench(positionals.length > 0 ? positionals : readdirSync(TESTS).filter((name) => name.endsWith(".test.ts")).map((name) => join(TESTS, name)));
});

/** Runs each file alone; 1 when one of them failed. */
function bench(files: string[]): number {
  const rows: { file: string; wall: number; cpu: number; ok: boolean }[] = [];
  for (const file of files) {
    const [start, busy] = [performance.now(), busyMs()];
    const { status } = spawnSync(process.execPath, ["--test", file], { cwd: REPO_ROOT, stdio: "ignore" });
    const row = { file: relative(REPO_ROOT, file), wall: (performance.now() - start) / 1000, cpu: (busyMs() - busy) / 1000, ok: status === 0 };
    rows.push(row);
    console.error(`  ${row.file}: ${row.wall.toFixed(1)} s, CPU ${row.cpu.toFixed(1)} s${row.ok ? "" : " (FAILED)"}`);
  }

  const total = (key: "wall" | "cpu") => rows.reduce((sum, row) => sum + row[key], 0).toFixed(1);
  console.log(`\n${cpus().length} cores. Each file alone, longest first:\n`);
  console.log(`${"file".padEnd(48)} ${"wall s".padStart(7)} ${"CPU s".padStart(7)}`);
  for (const row of rows.sort((a, b) => b.wall - a.wall)) {
    console.log(`${row.file.padEnd(48)} ${row.wall.toFixed(1).padStart(7)} ${row.cpu.toFixed(1).padStart(7)}${row.ok ? "" : "  FAILED"}`);
  }
  console.log(`${"total".padEnd(48)} ${total("wall").padStart(7)} ${total("cpu").padStart(7)}`);
  return rows.every((row) => row.ok) ? 0 : 1;
}
