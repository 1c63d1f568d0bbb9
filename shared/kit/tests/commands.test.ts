// What the commands page promises of every command: it answers --help with its usage, and a
// mistake in how it is called prints the usage and exits with code 2, without doing anything.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../paths.ts";
import { runNode } from "./run-node.ts";

const scripts = Object.entries(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).scripts as Record<string, string>)
  .filter(([, command]) => command.startsWith("node shared/kit/"))
  .map(([name, command]) => ({ name, args: command.split(" ").slice(1) }));

test("every kit command answers --help with its usage, and an unknown option with exit 2 and the usage", async () => {
  assert.ok(scripts.length >= 15, `the kit's commands in package.json (found ${scripts.length})`);
  const env = { ...process.env, NO_COLOR: "1" };
  await Promise.all(scripts.map(async ({ name, args: [script, ...rest] }) => {
    const help = await runNode(script, [...rest, "--help"], { cwd: REPO_ROOT, env });
    assert.equal(help.status, 0, `npm run ${name} -- --help: exit 0\n${help.stderr}`);
    assert.match(help.stdout, new RegExp(`^Usage: npm run ${name}\\b`), `npm run ${name} -- --help prints its usage`);
    // classroom:deploy passes the options it does not know to wrangler deploy, as its usage says.
    if (name === "classroom:deploy") return;
    const wrong = await runNode(script, [...rest, "--no-such-option"], { cwd: REPO_ROOT, env });
    assert.equal(wrong.status, 2, `npm run ${name} -- --no-such-option: exit 2\n${wrong.stdout}${wrong.stderr}`);
    assert.match(wrong.stderr, new RegExp(`Usage: npm run ${name}\\b`), `npm run ${name} -- --no-such-option prints the usage`);
  }));
});
