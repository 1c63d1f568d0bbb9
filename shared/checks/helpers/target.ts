// The folder a check in workerd is checking. One runtime may hold several folders (the mistakes
// catalogue does; see shared/kit/check-runtime.ts), each with its bindings renamed by its index,
// and checks them one folder after another: the checks reach their folder here.
import { AsyncLocalStorage } from "node:async_hooks";
import { env as runtimeEnv, exports } from "cloudflare:workers";
import { inject } from "vitest";
import { TARGET_HEADER, type CheckTarget } from "./runtime-folders.ts";

let current: CheckTarget | undefined;
const bound = new AsyncLocalStorage<CheckTarget>();

/** Every folder this runtime checks, in order. */
export const targets = (): CheckTarget[] => inject("folders");

/** Makes `next` the folder the checks reach (suites.test.ts, before each folder's checks). */
export function checking(next: CheckTarget): void {
  current = next;
}

/**
 * Runs `body` bound to `folder`: a check that gave up waiting leaves its body running, and what
 * that body does later still reaches its own folder, not the one checked by then.
 */
export function within(folder: CheckTarget, body: () => Promise<void>): Promise<void> {
  return bound.run(folder, body);
}

/** The folder being checked. */
export function target(): CheckTarget {
  const folder = bound.getStore() ?? current;
  if (!folder) throw new Error("a check ran outside its folder (see shared/checks/suites.test.ts)");
  return folder;
}

/** Whether this runtime checks several folders, their bindings renamed (CHAT__0, CHAT__1, …). */
const shared = () => targets().length > 1;

/** The Worker's bindings as the folder's own code sees them: `env.CHAT` is its own CHAT. */
export const env = new Proxy({} as Env, {
  get: (_, name) => (typeof name === "string" ? (runtimeEnv as unknown as Record<string, unknown>)[shared() ? `${name}__${target().index}` : name] : undefined),
});

/**
 * Runs `body` while the folder's Worker variable or binding `name` is `value`, as if deployed
 * with it: the runtime hands the same env object to every request, so a request made meanwhile
 * reads it. Only in check.alone() checks: the other checks of the folder would read it too.
 */
export async function withBinding(name: string, value: unknown, body: () => Promise<void>): Promise<void> {
  const variables = runtimeEnv as unknown as Record<string, unknown>;
  const key = shared() ? `${name}__${target().index}` : name;
  const had = Object.hasOwn(variables, key);
  const before = variables[key];
  variables[key] = value;
  try {
    await body();
  } finally {
    if (had) variables[key] = before;
    else delete variables[key];
  }
}

/** Sends a request to the folder's Worker exactly as a browser would reach it. */
export function request(path: string, init?: RequestInit): Promise<Response> {
  const request = new Request(`http://chat.test${path}`, init);
  if (shared()) request.headers.set(TARGET_HEADER, String(target().index));
  return exports.default.fetch(request);
}
