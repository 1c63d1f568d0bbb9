// The classroom Worker's tests (shared/classroom/tests/), inside workerd against wrangler.jsonc's
// Worker: `vitest run --config shared/classroom/vitest.config.ts`, or through node:test in
// shared/kit/tests/classroom-worker.test.ts.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" } })],
  root: import.meta.dirname,
  // Vite's cache with the repo's, not in a node_modules of its own here.
  cacheDir: "../../node_modules/.vite/classroom",
  test: {
    include: ["tests/*.test.ts"],
    // Every test opens a session of its own, so the files can share one runtime.
    isolate: false,
    testTimeout: 20_000,
  },
});
