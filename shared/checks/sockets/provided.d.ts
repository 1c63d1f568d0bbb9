// What vitest.config.ts and start-target.ts hand a "sockets" project, read with inject().
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The number of the stage whose folder is served (as in shared/checks/kit/provided.d.ts). */
    stage: number;
    /** The suite files over real connections this project runs (shared/checks/suites.test.ts imports them). */
    suites: string[];
    /** The target's Worker entry, relative to the repository: "steps/05-user-count/src/index.ts". */
    entry: string;
    /** http://127.0.0.1:<port> of the running target, or "" when it did not start. */
    origin: string;
    /** Why the target did not start. */
    startError?: string;
    /** A file with a line for each WebSocket handler call that ended: "webSocketClose 1006 threw …". */
    handlerLog: string;
    /** Stage 04 on: a room that stage 03's finished code saved on the storage the target is served on. */
    upgradeRoom?: string;
  }
}
