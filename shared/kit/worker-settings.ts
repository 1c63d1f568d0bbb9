// The settings of the kit's wrangler.jsonc that running a stage's Worker needs: the checks (in
// workerd and over real connections) pass them to Miniflare directly. Read with a JSONC parser,
// not wrangler's readConfig: importing wrangler takes over a second, in every check run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "jsonc-parser";
import { REPO_ROOT } from "./paths.ts";

type WranglerConfig = {
  compatibility_date: string;
  compatibility_flags?: string[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
};

export function workerSettings() {
  const config = parse(readFileSync(join(REPO_ROOT, "wrangler.jsonc"), "utf8")) as WranglerConfig;
  return {
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    // Every class is SQLite-backed, as wrangler.jsonc's migrations declare.
    durableObjects: Object.fromEntries(config.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: true }])),
  };
}
