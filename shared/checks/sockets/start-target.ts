// Vitest globalSetup of a "sockets" project: serves the target folder (serve.ts) for the
// checks that need real connections. Closes, drops and protocol errors only behave as in
// production on real TCP connections.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { serve } from "./serve.ts";
import { findStage, stageEntry } from "../../kit/stages.ts";
import { saveRoom } from "./stage-03-room.ts";

export default async function startTarget(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "hello-chat-sockets-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const handlerLog = join(dir, "handlers.log");
  writeFileSync(handlerLog, "");
  project.provide("handlerLog", handlerLog);
  // On disk: from stage 04 on, stage 03's finished code saves a room there first (stage-03-room.ts).
  const persist = join(dir, "state");
  try {
    if ((project.config.provide.stage as number) >= 4) project.provide("upgradeRoom", await roomSavedByStage03(dir, persist));
    const served = await serve(project.config.provide.entry as string, { dir, handlerLog, persist });
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

/** Serves stage 03's finished code on `persist` while it saves a room; returns the room's name. */
async function roomSavedByStage03(dir: string, persist: string): Promise<string> {
  const scratch = join(dir, "stage-03");
  mkdirSync(scratch);
  const stage03 = await serve(stageEntry("solutions", findStage("03")!), { dir: scratch, persist });
  try {
    return await saveRoom(stage03.origin);
  } catch (error) {
    throw new Error(`stage 03's finished code could not save a room for the upgrade check: ${error instanceof Error ? error.message : error}`);
  } finally {
    await stage03.dispose();
  }
}
