// `npm run deploy`: which Worker each stage becomes, and a real `wrangler deploy --dry-run`
// that bundles a stage offline, without an account.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { planDeploy } from "../deploy.ts";
import { REPO_ROOT } from "../paths.ts";
import { STAGES, UsageError } from "../stages.ts";

const DEPLOY = join(REPO_ROOT, "shared/kit/deploy.ts");

function deploy(args: string[]) {
  const result = spawnSync(process.execPath, [DEPLOY, ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("planDeploy", () => {
  test("each stage is its own Worker, so deploying one never replaces another", () => {
    assert.deepEqual(planDeploy(["3"])?.wranglerArgs, [
      "deploy", "steps/03-persistence/src/index.ts", "--config", "wrangler.jsonc", "--name", "hello-chat-03",
    ]);
    assert.equal(planDeploy(["06-rate-limit"])?.workerName, "hello-chat-06");
  });

  test("--solution deploys the solution under a name of its own", () => {
    const plan = planDeploy(["2", "--solution"]);
    assert.equal(plan?.kind, "solutions");
    assert.deepEqual(plan?.wranglerArgs.slice(0, 2), ["deploy", "solutions/02-broadcast/src/index.ts"]);
    assert.equal(plan?.workerName, "hello-chat-02-solution");
  });

  test("other flags go to wrangler as they are, and a --name of the attendee's wins", () => {
    assert.deepEqual(planDeploy(["3", "--dry-run", "--outdir", "out"])?.wranglerArgs.slice(-3), ["--dry-run", "--outdir", "out"]);
    const named = planDeploy(["3", "--name", "my-chat"])!.wranglerArgs;
    assert.deepEqual(named.filter((arg) => arg === "--name"), ["--name"]);
    assert.equal(named[named.indexOf("--name") + 1], "my-chat");
    assert.ok(!planDeploy(["3", "--name=my-chat"])!.wranglerArgs.includes("hello-chat-03"));
  });

  test("the stage comes first; anything else is a usage error", () => {
    assert.throws(() => planDeploy([]), UsageError);
    assert.throws(() => planDeploy(["--dry-run", "3"]), /Say which stage to deploy, first/);
    assert.throws(() => planDeploy(["99"]), /There is no stage "99"/);
    assert.equal(planDeploy(["3", "--help"]), undefined);
  });
});

describe("npm run deploy", () => {
  const outdir = mkdtempSync(join(tmpdir(), "hello-chat-deploy-"));
  after(() => rmSync(outdir, { recursive: true, force: true }));

  test("-- 3 --dry-run bundles stage 3 offline, with the Durable Object, and uploads nothing", () => {
    const result = deploy(["3", "--dry-run", "--outdir", outdir]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Bundling steps\/03-persistence .* nothing is uploaded/);
    assert.match(result.stdout, /env\.CHAT \(Chat\)\s+Durable Object/);
    const bundle = join(outdir, "index.js");
    assert.ok(existsSync(bundle), "wrangler wrote no bundle");
    const code = readFileSync(bundle, "utf8");
    assert.match(code, /var Chat = class extends DurableObject/);
    assert.match(code, /\/\/ steps\/03-persistence\/src\/index\.ts/);
  });

  test("-- 8 --solution --dry-run bundles with stage 08's own wrangler.jsonc: both classes and their bindings", () => {
    const dir = join(outdir, "08");
    const result = deploy(["8", "--solution", "--dry-run", "--outdir", dir]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /env\.CHAT \(Chat\)\s+Durable Object/);
    assert.match(result.stdout, /env\.LOBBY \(Lobby\)\s+Durable Object/);
    assert.match(readFileSync(join(dir, "index.js"), "utf8"), /var Lobby = class extends DurableObject/);
  });

  test("classroom:deploy -- --dry-run bundles the classroom with its Session object and its own CREATE_KEY, made once and kept private", () => {
    const state = join(outdir, "state");
    const run = () => spawnSync(process.execPath, [join(REPO_ROOT, "shared/kit/classroom/deploy.ts"), "--dry-run", "--outdir", join(outdir, "classroom")], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, CHAT_STATE_DIR: state, NO_COLOR: "1" },
    });
    const result = run();
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /env\.SESSIONS \(Session\)\s+Durable Object/);
    assert.match(result.stdout, /env\.CREATE_KEY \("\(hidden\)"\)/);
    assert.match(readFileSync(join(outdir, "classroom", "worker.js"), "utf8"), /var Session = class extends DurableObject/);
    const secrets = join(state, "classroom", "deploy-secrets.json");
    const key = JSON.parse(readFileSync(secrets, "utf8")).CREATE_KEY;
    assert.match(key, /^[\w-]{43}$/);
    assert.equal(statSync(secrets).mode & 0o077, 0, "only its owner may read it");
    assert.equal(run().status, 0);
    assert.equal(JSON.parse(readFileSync(secrets, "utf8")).CREATE_KEY, key, "the second deploy keeps the key the first one uploaded");
  });

  test("--help explains the command", () => {
    const result = deploy(["--help"]);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /Usage: npm run deploy -- <N> \[--solution\] \[wrangler deploy flags\]/);
  });

  test("a stage that does not exist exits 2 with what is accepted, and no stack trace", () => {
    const result = deploy(["99", "--dry-run"]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, new RegExp(`There is no stage "99"\\. Use a number from 1 to ${STAGES.length}`));
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
