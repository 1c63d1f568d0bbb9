// The Worker a check project runs in workerd: one target folder's code, or several side by side.
// Starting workerd and the test runner inside it costs about a second of CPU per project, more
// than most folders' checks, so the mistakes catalogue (90-odd folders) puts several folders in
// one runtime. Each folder keeps its own classes and bindings, renamed with its index: its code
// still sees `env.CHAT` (its own), and the checks reach it through shared/checks/helpers/target.ts.
// A folder alone (npm run check) runs as it is, names unchanged: what the runtime says about its
// code (a class it does not export, say) names its own file and class.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TARGET_HEADER } from "../checks/helpers/runtime-folders.ts";
import { REPO_ROOT } from "./paths.ts";
import { workerSettings } from "./worker-settings.ts";

/** The binding (or class) `name` of target `index`, as a shared runtime names it. */
const ownName = (name: string, index: number) => `${name}__${index}`;

/** Folders that can share a runtime: the same compatibility date and flags. */
export function runtimeKey(folder: string): string {
  const { compatibilityDate, compatibilityFlags } = workerSettings(folder);
  return JSON.stringify([compatibilityDate, compatibilityFlags]);
}

/**
 * The entry module of a runtime for `folders` and the Miniflare settings that go with it: for
 * one folder, its src/index.ts; for several, a module written in .state/runtimes/ (named for the
 * folders, so the same folders reuse one file).
 */
export function checkRuntime(folders: string[]) {
  if (folders.length === 1) return { entry: join(REPO_ROOT, folders[0], "src/index.ts"), miniflare: workerSettings(folders[0]) };
  const settings = folders.map((folder) => workerSettings(folder));
  const entry = join(REPO_ROOT, ".state/runtimes", `${createHash("sha256").update(folders.join(",")).digest("hex").slice(0, 16)}.ts`);
  mkdirSync(join(REPO_ROOT, ".state/runtimes"), { recursive: true });
  const lines = [
    "// Written by shared/kit/check-runtime.ts for one check run: do not edit.",
    ...folders.map((folder, i) => `import * as target${i} from ${JSON.stringify(join(REPO_ROOT, folder, "src/index.ts"))};`),
    `const targets = [${folders.map((_, i) => `target${i}`).join(", ")}];`,
    `const names = ${JSON.stringify(settings.map(({ durableObjects, bindings }) => [...Object.keys(durableObjects), ...Object.keys(bindings)]))};`,
    "// What target i's code sees as env: its own bindings and variables under their own names.",
    "const envOf = (env, i) => Object.fromEntries(names[i].map((name) => [name, env[`${name}__${i}`]]));",
    "const own = (Class, i) => Class && class extends Class { constructor(ctx, env) { super(ctx, envOf(env, i)); } };",
    ...settings.flatMap(({ durableObjects }, i) =>
      [...new Set(Object.values(durableObjects).map((b) => b.className))].map((className) => `export const ${ownName(className, i)} = own(target${i}.${className}, ${i});`),
    ),
    "export default {",
    "  fetch(request, env, ctx) {",
    `    const i = Number(request.headers.get(${JSON.stringify(TARGET_HEADER)}));`,
    "    const handler = targets[i]?.default;",
    `    if (!handler) return new Response("no such target", { status: 500 });`,
    "    const headers = new Headers(request.headers);",
    `    headers.delete(${JSON.stringify(TARGET_HEADER)});`,
    "    return handler.fetch(new Request(request, { headers }), envOf(env, i), ctx);",
    "  },",
    "};",
  ];
  writeFileSync(entry, `${lines.join("\n")}\n`);
  const durableObjects = Object.fromEntries(settings.flatMap((own, i) =>
    Object.entries(own.durableObjects).map(([binding, { className, useSQLite }]) => [ownName(binding, i), { className: ownName(className, i), useSQLite }]),
  ));
  const bindings = Object.fromEntries(settings.flatMap((own, i) => Object.entries(own.bindings).map(([name, value]) => [ownName(name, i), value])));
  const { compatibilityDate, compatibilityFlags } = settings[0];
  return { entry, miniflare: { compatibilityDate, compatibilityFlags, durableObjects, bindings } };
}
