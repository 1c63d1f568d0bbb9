// Vitest globalSetup of a "sockets" project: serves the target folder (serve.ts) for the
// checks that need real connections. Closes, drops and protocol errors only behave as in
// production on real TCP connections.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { serve } from "./serve.ts";

export default async function startTarget(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "hello-chat-sockets-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const handlerLog = join(dir, "handlers.log");
  writeFileSync(handlerLog, "");
  project.provide("handlerLog", handlerLog);
  try {
    const served = await serve(project.config.provide.entry as string, { dir, handlerLog });
    project.provide("origin", served.origin);
    return async () => {
      await served.dispose();
      remove();
    };
  } catch (error) {
    // The code does not build or start: every check of this project says so (the in-process
    // suites show the same error with more detail).
    project.provide("origin", "");
    project.provide("startError", error instanceof Error ? error.message : String(error));
    return remove;
  }
}
