// What vitest.config.ts hands every check project with `provide`, read with inject().
import "vitest";
import type { CheckTarget } from "../helpers/runtime-folders.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The folders this project's runtime checks, each with the suite files it runs (from the repository root). */
    folders: CheckTarget[];
    /** Skip the checks after a folder's first failure (the mistakes catalogue: see helpers/check.ts). */
    stopAtFirst: boolean;
    /** How many times longer than npm run check's the checks' waits are (npm test's proof: see helpers/check.ts). */
    patience: number;
  }
}
