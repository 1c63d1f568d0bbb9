// One quiet Vitest run, from Node, with its results returned rather than printed: how the checks
// (run-checks.ts) and the classroom Worker's tests run inside workerd.
import { Writable } from "node:stream";
import { createVitest, type Reporter, type TestModule } from "vitest/node";
import { inRamScratch } from "./ram-scratch.ts";

type Options = NonNullable<Parameters<typeof createVitest>[1]>;

export async function runVitest(options: Options): Promise<{ modules: readonly TestModule[]; errors: string[] }> {
  // Offline, Miniflare would try (and fail, loudly) to download Request.cf data.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
  let modules: readonly TestModule[] = [];
  let errors: string[] = [];
  const collect: Reporter = {
    onTestRunEnd(testModules, unhandledErrors) {
      modules = testModules;
      errors = unhandledErrors.map((e) => e.message ?? String(e));
    },
  };
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  const vitest = await createVitest("test", { ...options, watch: false, reporters: [collect] }, {}, { stdout: quiet, stderr: quiet });
  const exitCode = process.exitCode;
  // The plugin prints what workerd reports ("uncaught exception …") on stdout, which belongs to
  // the caller's report (and to --json, which must stay JSON): it goes to stderr while tests run.
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    await inRamScratch(() => vitest.start());
  } finally {
    await vitest.close();
    process.stdout.write = write;
    // Vitest marks the process failed when a test fails; the caller decides what that means.
    process.exitCode = exitCode;
  }
  return { modules, errors };
}
