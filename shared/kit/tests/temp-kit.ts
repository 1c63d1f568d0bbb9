// A throwaway copy of the kit for tests of the attendee commands: they change steps/ and
// write .state/, which must never touch the real checkout. node_modules is linked, not copied.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../paths.ts";

const PARTS = ["steps", "solutions", "shared", "package.json", "tsconfig.json", "vitest.config.ts", "wrangler.jsonc", "worker-configuration.d.ts"];

/** A fresh copy (no git history, like a downloaded zip); `remove()` deletes it. */
export function tempKit(name: string, { linkNodeModules = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `hello-chat-${name}-`));
  for (const part of PARTS) cpSync(join(REPO_ROOT, part), join(dir, part), { recursive: true });
  if (linkNodeModules) symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "junction");
  return {
    dir,
    /** Runs `node shared/kit/<script>` in the copy, as npm run would, with colors off unless `env` says otherwise. */
    run(script: string, args: string[] = [], env: Record<string, string> = { NO_COLOR: "1" }) {
      const result = spawnSync(process.execPath, [join(dir, "shared/kit", script), ...args], {
        cwd: dir,
        encoding: "utf8",
        // No terminal on stdin: a command that would ask a question must not wait for an answer.
        stdio: ["pipe", "pipe", "pipe"],
        input: "",
        // PWD too: workerd warns when it does not match the directory it runs in.
        env: { ...process.env, FORCE_COLOR: undefined, PWD: dir, ...env },
        timeout: 120_000,
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
