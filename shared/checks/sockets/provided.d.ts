// What vitest.config.ts hands the "sockets" project, read with inject().
import "vitest";
import type { SocketsTarget } from "./target.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Every folder to check over real connections, with its suite files. */
    targets: SocketsTarget[];
  }
}
