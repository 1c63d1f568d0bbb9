// Serves a stage folder's Worker in workerd through Miniflare (what `wrangler dev` runs
// underneath) on a loopback port, so checks connect over real TCP as a browser does.
// Each call gets its own Miniflare: targets never disturb each other.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { REPO_ROOT } from "../../kit/paths.ts";
import { workerSettings } from "../../kit/worker-settings.ts";

export type Served = { origin: string; dispose: () => Promise<void> };

/**
 * Serves the Worker of `folder` (a stage folder, from the repository root: its src/index.ts,
 * with its own wrangler.jsonc if it has one). `dir` is a scratch folder for the build and
 * for `handlerLog`; with `persist`, rooms are stored in that folder and outlive the server
 * (another stage's code can then open them), otherwise they stay in memory.
 */
export async function serve(folder: string, { dir, handlerLog, persist }: { dir: string; handlerLog?: string; persist?: string }): Promise<Served> {
  // The runtime logs nothing when a WebSocket handler throws, so the handlers are wrapped to
  // report how each call ended (and rethrow: the behaviour stays the same), a line each in
  // `handlerLog`: "webSocketClose 1006 returned", "webSocketClose 1006 threw …".
  const source = JSON.stringify(join(REPO_ROOT, folder, "src/index.ts"));
  const harness = join(dir, "harness.js");
  writeFileSync(harness, `import { Chat } from ${source};
for (const name of ["webSocketMessage", "webSocketClose", "webSocketError"]) {
  const handler = Chat.prototype[name];
  if (typeof handler !== "function") continue;
  Chat.prototype[name] = async function (...args) {
    const call = name === "webSocketClose" ? \`\${name} \${args[1]}\` : name;
    try {
      const result = await handler.apply(this, args);
      console.log(\`[kit] \${call} returned\`);
      return result;
    } catch (error) {
      console.log(\`[kit] \${call} threw \${error}\`);
      throw error;
    }
  };
}
export * from ${source};
export { default } from ${source};
`);
  const bundle = await build({
    entryPoints: [harness],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    external: ["cloudflare:*"],
    write: false,
    logLevel: "silent",
  });
  const miniflare = new Miniflare({
    ...convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      handleStructuredLogs: ({ message }) => {
        if (handlerLog && message.startsWith("[kit] ")) appendFileSync(handlerLog, `${message.slice(6).trim()}\n`);
      },
      workers: [
        {
          name: "chat",
          modules: true,
          script: bundle.outputFiles[0].text,
          ...workerSettings(folder),
        },
      ],
    }),
    ...(persist ? { resourcePersistencePath: persist } : {}),
  });
  const origin = (await miniflare.ready).origin;
  return { origin, dispose: () => miniflare.dispose() };
}
