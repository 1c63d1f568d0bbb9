// Which wrangler.jsonc a stage folder runs with, and the settings of it that running the Worker
// needs: the checks (in workerd and over real connections) pass them to Miniflare directly.
// Read with a JSONC parser, not wrangler's readConfig: importing wrangler takes over a second,
// in every check run.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "jsonc-parser";
import type { ClassDeclarations } from "../checks/helpers/runtime-folders.ts";
import { REPO_ROOT } from "./paths.ts";

type WranglerConfig = ClassDeclarations & {
  compatibility_date: string;
  compatibility_flags?: string[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  vars?: Record<string, string>;
};

const configAt = (file: string) => parse(readFileSync(join(REPO_ROOT, file), "utf8")) as WranglerConfig;

/**
 * The configuration `folder` (a path from the repository root) runs with: its own wrangler.jsonc
 * when it has one (a stage that adds a class, from 08 on), else the kit's, which stages 01-07 share.
 */
export function configFile(folder: string): string {
  const own = join(folder, "wrangler.jsonc");
  return existsSync(join(REPO_ROOT, own)) ? own : "wrangler.jsonc";
}

/** The stage folders (steps/…, solutions/…) that have their own wrangler.jsonc. */
export function foldersWithConfig(): string[] {
  return ["steps", "solutions"].flatMap((kind) =>
    readdirSync(join(REPO_ROOT, kind)).map((slug) => `${kind}/${slug}`).filter((folder) => configFile(folder) !== "wrangler.jsonc"),
  );
}

/** How `folder`'s wrangler.jsonc declares its classes: stage 08's checks read it. */
export function declarations(folder: string): ClassDeclarations {
  const { exports, migrations } = configAt(configFile(folder));
  return { exports, migrations };
}

export function workerSettings(folder: string) {
  const config = configAt(configFile(folder));
  // SQLite-backed: the classes declared so, in `exports` or, the legacy way, in `migrations`
  // (wrangler dev reads both; a check of stage 08 says which to keep).
  const sqlite = new Set([
    ...Object.entries(config.exports ?? {}).filter(([, entry]) => entry.type === "durable-object" && (entry.state ?? "created") === "created" && entry.storage === "sqlite").map(([name]) => name),
    ...(config.migrations ?? []).flatMap((migration) => migration.new_sqlite_classes ?? []),
  ]);
  return {
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    // A class not declared SQLite-backed has no SQL here, as in `wrangler dev`, so a forgotten
    // declaration fails the checks too.
    durableObjects: Object.fromEntries(config.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: sqlite.has(b.class_name) }])),
    // The Worker's variables (stage 10's RETENTION_SECONDS), as `wrangler dev` gives them.
    bindings: config.vars ?? {},
  };
}
