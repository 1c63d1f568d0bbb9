// What vitest.config.ts hands every check project with `provide`, read with inject().
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The number of the stage whose folder runs as the Worker. */
    stage: number;
    /** The suite files this project runs (shared/checks/suites.test.ts imports them), from the repository root. */
    suites: string[];
  }
}
