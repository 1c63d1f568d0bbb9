// Proves the kit itself: every solution passes the checks of its stage and all earlier
// ones, and every starter passes the earlier stages but fails its own (so each check
// can fail, and each starter is a true base for its stage).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse } from "jsonc-parser";
import { before, describe, test } from "node:test";
import { MAX_REPORT_BYTES, readReport } from "../../classroom/report.ts";
import { reportOf } from "../classroom/membership.ts";
import { REPO_ROOT } from "../paths.ts";
import { runChecks, suitePassed, type SuiteResult, type TargetResult } from "../run-checks.ts";
import { currentStarters, starterFiles } from "../starters.ts";
import { STAGES, stageEntry, type Kind } from "../stages.ts";
import { configFile, foldersWithConfig } from "../worker-settings.ts";

let results: TargetResult[] = [];

before(async () => {
  const kinds: Kind[] = ["solutions", "steps"];
  const targets = kinds.flatMap((kind) => STAGES.map((stage) => ({ kind, stage })));
  // Three folders to a runtime, as the mistakes catalogue does (shared/kit/check-runtime.ts): the
  // same wall time as one each, a quarter less CPU. npm run check keeps one runtime per folder
  // (check-cli.test.ts runs it so). Beside the catalogue, the checks wait longer, as it does.
  results = await runChecks(targets, { kitChecks: true, together: 3, patience: 2.5 });
});

function resultOf(kind: Kind, number: number): TargetResult {
  const result = results.find((r) => r.kind === kind && r.stage.number === number);
  assert.ok(result, `no result for ${kind} ${number}`);
  return result;
}

/** The failing checks of a suite, for assertion messages. */
function failures(suite: SuiteResult): string {
  if (suite.error) return suite.error;
  return suite.checks
    .filter((c) => !c.passed)
    .map((c) => `✗ ${c.name}\n${c.error}`)
    .join("\n");
}

describe("solutions", () => {
  for (const stage of STAGES) {
    test(`solutions/${stage.slug} passes the checks of stages 1-${stage.number}`, () => {
      for (const suite of resultOf("solutions", stage.number).suites) {
        assert.ok(suitePassed(suite), `stage ${suite.stage.slug} fails:\n${failures(suite)}`);
      }
    });
  }

  // Each starter's README lists, under "Check it", the checks its stage adds: all of them, as
  // npm run check names them (code spans aside), in the order it prints them.
  for (const stage of STAGES) {
    test(`steps/${stage.slug}/README.md lists every check of stage ${stage.number}`, () => {
      const own = resultOf("solutions", stage.number).suites.find((suite) => suite.stage.number === stage.number);
      assert.ok(own, "its own suite did not run");
      const readme = readFileSync(join(REPO_ROOT, "steps", stage.slug, "README.md"), "utf8");
      const section = readme.split("## Check it")[1]?.split("\n## ")[0] ?? "";
      const listed = section.split("\n").filter((line) => line.startsWith("- ")).map((line) => line.slice(2).replaceAll("`", "").trim());
      assert.deepEqual(listed, own.checks.map((check) => check.name));
    });
  }

  // The kit's own checks of the solutions, beyond what attendees are asked (shared/checks/kit/).
  for (const stage of STAGES) {
    test(`solutions/${stage.slug} passes the kit's own checks (shared/checks/kit/)`, () => {
      const { kitChecks } = resultOf("solutions", stage.number);
      assert.ok(kitChecks.length > 0, "the kit checks did not run");
      for (const check of kitChecks) assert.ok(check.passed, `${check.name}\n${check.error}`);
    });
  }
});

describe("the classroom", () => {
  test("a progress table of every stage, as the starters' checks leave it, is a report the classroom accepts", () => {
    // The largest report an attendee sends: every stage folder, every check (the starters fail some, so hints too).
    const report = reportOf(STAGES.map((stage) => resultOf("steps", stage.number)));
    const accepted = readReport(JSON.parse(JSON.stringify(report)), STAGES.map((stage) => stage.number));
    assert.equal(typeof accepted, "object", String(accepted));
    const bytes = Buffer.byteLength(JSON.stringify(report));
    assert.ok(bytes <= MAX_REPORT_BYTES, `${bytes} bytes, over MAX_REPORT_BYTES`);
  });
});

describe("starters", () => {
  for (const stage of STAGES) {
    test(`steps/${stage.slug} passes the earlier stages and fails its own`, () => {
      const { suites } = resultOf("steps", stage.number);
      for (const suite of suites.filter((s) => s.stage.number < stage.number)) {
        assert.ok(suitePassed(suite), `earlier stage ${suite.stage.slug} fails:\n${failures(suite)}`);
      }
      const own = suites.find((s) => s.stage === stage);
      assert.ok(own && !own.error && own.checks.length > 0, `its own suite did not run: ${own?.error}`);
      assert.ok(own.checks.some((c) => !c.passed), "the starter already passes its own stage's checks");
    });
  }

  // Stage 10's ghost checks would each wait for a close that cannot come: with no alarm() in the
  // room's class they fail at once, and say why (shared/checks/10-alarms.test.ts, sweep).
  test("steps/10-alarms fails its five ghost checks for the missing alarm() method, not after a wait", () => {
    const own = resultOf("steps", 10).suites.find((suite) => suite.stage.number === 10);
    const noAlarm = own?.checks.filter((check) => check.error?.includes("the room's class has no alarm() method")) ?? [];
    assert.equal(noAlarm.length, 5, own?.checks.map((check) => `${check.passed ? "✓" : "✗"} ${check.name}\n${check.error ?? ""}`).join("\n"));
  });

  const read = (kind: Kind, number: number) =>
    readFileSync(join(REPO_ROOT, stageEntry(kind, STAGES[number - 1])), "utf8").replaceAll("\r\n", "\n");

  for (const stage of STAGES.slice(1)) {
    test(`steps/${stage.slug} is solutions of stage ${stage.number - 1} plus TODO(step ${stage.number}) comments`, () => {
      const starter = read("steps", stage.number);
      const previous = read("solutions", stage.number - 1);
      assert.deepEqual(codeAddedTo(previous, starter), [], "the starter changes code, not only comments");
    });
  }

  for (const stage of STAGES) {
    test(`TODO markers: steps/${stage.slug} has only its own, solutions/${stage.slug} has none`, () => {
      const markers = [...read("steps", stage.number).matchAll(/TODO\(step (\d+)\)/g)].map((m) => Number(m[1]));
      assert.ok(markers.length > 0, "the starter has no TODO(step N) marker");
      assert.deepEqual([...new Set(markers)], [stage.number]);
      assert.doesNotMatch(read("solutions", stage.number), /TODO/);
    });
  }

  test("no step or solution repeats a timer (setInterval keeps an object from hibernating); the only setTimeouts are presence's and the lobby retry's", () => {
    for (const kind of ["steps", "solutions"] as const) {
      for (const stage of STAGES) {
        const code = read(kind, stage.number)
          .split("\n")
          .filter((line) => !line.trim().startsWith("//"));
        assert.ok(!code.some((line) => /\bsetInterval\(/.test(line)), `${kind}/${stage.slug} uses setInterval`);
        // One one-off timer from stage 05: it gathers presence changes for 50 ms, then ends. From
        // 08, one more: a failed call to the lobby is made once more, a second later, and no more.
        const allowed = ["this.sendPresence(), PRESENCE_DELAY_MS", "void this.tellLobby(false), LOBBY_RETRY_MS"];
        const timeouts = code.filter((line) => /\bsetTimeout\(/.test(line));
        assert.ok(timeouts.every((line) => allowed.some((timer) => line.includes(timer))), `${kind}/${stage.slug}: ${timeouts.join(" | ")}`);
      }
    }
  });

  // `npm run reset` restores starters from this snapshot, and the progress table uses it to spot untouched ones.
  test("the recorded starters (shared/kit/starters.json) equal steps/ (else: node shared/kit/starters.ts --update)", () => {
    const current = currentStarters();
    for (const stage of STAGES) assert.deepEqual(starterFiles(stage), current[stage.slug], stage.slug);
  });
});

/**
 * What the starter adds to the previous solution, if it only adds lines: the solution's
 * lines must all appear in the starter, in order. Returns the added lines that are not
 * comments or blank (none, for a starter that only adds TODO comments).
 */
function codeAddedTo(previous: string, starter: string): string[] {
  const wanted = previous.split("\n");
  const added: string[] = [];
  let next = 0;
  for (const line of starter.split("\n")) {
    if (next < wanted.length && line === wanted[next]) next++;
    else if (line.trim() !== "" && !line.trim().startsWith("//")) added.push(line);
  }
  if (next < wanted.length) added.push(`(missing from the starter: ${JSON.stringify(wanted[next])})`);
  return added;
}

describe("stage configurations", () => {
  type Config = {
    name: string;
    compatibility_date: string;
    durable_objects: { bindings: { name: string; class_name: string }[] };
    exports: Record<string, unknown>;
    assets: { directory: string };
  };
  const load = (file: string) => parse(readFileSync(join(REPO_ROOT, file), "utf8")) as Config;
  const kit = load("wrangler.jsonc");

  test("a folder's own wrangler.jsonc keeps the kit's settings and classes: a stage-by-stage deploy keeps the rooms", () => {
    const folders = foldersWithConfig();
    assert.ok(folders.includes("solutions/08-room-directory"), `folders with their own config: ${folders.join(", ")}`);
    for (const folder of folders) {
      const own = load(configFile(folder));
      assert.equal(own.name, kit.name, `${folder}: name`);
      assert.equal(own.compatibility_date, kit.compatibility_date, `${folder}: compatibility_date`);
      // A stage only adds classes: the kit's are declared as they are, so a deploy keeps them.
      for (const [name, entry] of Object.entries(kit.exports)) assert.deepEqual(own.exports[name], entry, `${folder}: exports.${name}`);
      for (const binding of kit.durable_objects.bindings) assert.ok(own.durable_objects.bindings.some((b) => b.name === binding.name && b.class_name === binding.class_name), `${folder}: binding ${binding.name}`);
      assert.equal(resolve(REPO_ROOT, folder, own.assets.directory), resolve(REPO_ROOT, dirname("wrangler.jsonc"), kit.assets.directory), `${folder}: the same chat page`);
    }
  });

  test("a starter's wrangler.jsonc is the previous stage's, what its stage adds left as TODO(step N) comments", () => {
    for (const stage of STAGES.slice(1)) {
      const starter = configFile(`steps/${stage.slug}`);
      if (starter === "wrangler.jsonc") continue;
      const before = load(configFile(`solutions/${STAGES[stage.number - 2].slug}`));
      const own = load(starter);
      assert.deepEqual(own.durable_objects, before.durable_objects, `${starter}: bindings`);
      assert.deepEqual(own.exports, before.exports, `${starter}: exports`);
      // A TODO only where the stage changes the configuration (stage 09 reuses 08's as it is).
      const after = load(configFile(`solutions/${stage.slug}`));
      const changes = JSON.stringify([after.durable_objects, after.exports]) !== JSON.stringify([own.durable_objects, own.exports]);
      if (changes) assert.match(readFileSync(join(REPO_ROOT, starter), "utf8"), new RegExp(`TODO\\(step ${stage.number}\\)`), `${starter}: its TODO`);
    }
  });
});
