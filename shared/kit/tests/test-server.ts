// A stage served by `wrangler dev` for the tests of one file (or one describe block): started
// before them, stopped after them, its state in a temporary folder of its own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { startDevServer, type DevServer } from "../dev-server.ts";
import type { Kind } from "../stages.ts";

/** Registers the hooks; the returned function gives the running server inside the tests. */
export function serverForTests(kind: Kind, stage: number, label: string): () => DevServer {
  const stateDir = mkdtempSync(join(tmpdir(), `hello-chat-${label}-`));
  let server: DevServer | undefined;
  before(async () => {
    server = await startDevServer({ kind, stage, stateDir });
  });
  after(async () => {
    await server?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });
  return () => {
    if (!server) throw new Error(`the ${label} server did not start`);
    return server;
  };
}
