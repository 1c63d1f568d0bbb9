// What every `npm run <command>` of the kit does the same way: read its options, answer
// --help, and turn a UsageError into its message and exit code 2, without a stack trace.
import { enableCompileCache } from "node:module";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { parseStage, UsageError, type Stage } from "./stages.ts";

// Node keeps the compiled code of what a command loads as it runs (Vitest's and Miniflare's
// modules for npm run check) between runs, in the temporary folder: about 0.15 s of CPU less per
// check. The attendee's NODE_COMPILE_CACHE wins; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
enableCompileCache();

/** --help, thrown by parseOptions: run() prints the usage and the command ends with exit 0. */
class HelpAsked {
  readonly usage: string;
  constructor(usage: string) {
    this.usage = usage;
  }
}

/**
 * parseArgs with positionals, where a mistake shows the usage as well, and --help shows the usage
 * and ends the command. `noArguments`: a positional argument is a mistake too.
 */
export function parseOptions<T extends ParseArgsOptionsConfig>(args: string[], options: T, usage: string, { noArguments = false } = {}) {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { ...options, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) throw new HelpAsked(usage);
  if (noArguments && parsed.positionals.length > 0) {
    const command = /^Usage: (npm run \S+)/.exec(usage)?.[1] ?? "This command";
    throw new UsageError(`${command} takes no argument (got ${parsed.positionals.join(" ")}).\n\n${usage}`);
  }
  return parsed;
}

/** The one stage a command needs. */
export function oneStage(positionals: string[], usage: string): Stage {
  if (positionals.length === 0) throw new UsageError(`Which stage? Give its number.\n\n${usage}`);
  if (positionals.length > 1) throw new UsageError(`Give one stage (got ${positionals.join(" ")}).\n\n${usage}`);
  return parseStage(positionals[0]);
}

/** Runs a command's main and sets the exit code: main's answer, 0 for --help, or 2 for a UsageError. */
export async function run(main: (args: string[]) => Promise<number> | number): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    if (error instanceof HelpAsked) {
      console.log(error.usage);
      process.exitCode = 0;
      return;
    }
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    process.exitCode = 2;
  }
}

/** A --port value: `fallback` when not given. */
export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new UsageError(`--port must be a whole number from 1 to 65535 (got "${text}").`);
  }
  return port;
}
