// A target's suites, in one file: a describe block per suite file, named by its path. Vitest
// gives every file that runs beside another its own runtime, and starting workerd costs more
// than most suites take; in one file, a target's checks share one start.
import { describe, inject } from "vitest";

for (const file of inject("suites")) {
  describe(file, async () => {
    await import(/* @vite-ignore */ `/${file}`);
  });
}
