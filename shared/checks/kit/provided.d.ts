// What vitest.config.ts hands every check project with `provide`, read with inject().
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The number of the stage whose folder runs as the Worker. */
    stage: number;
  }
}
