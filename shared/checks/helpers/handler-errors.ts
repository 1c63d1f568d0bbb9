// What a room's own code threw. A WebSocket handler that throws tells the client nothing, so a
// check that then waits in vain would only say "nothing arrived"; with this it shows the
// exception. The rooms run in the checks' isolate, so their class can be watched in place.
import { env } from "./target.ts";
import { runInDurableObject } from "cloudflare:test";

type Thrown = { room: string; text: string };
const WATCHED = Symbol.for("hello-chat.watched");
// On globalThis: the check files share one isolate, and each may load this module anew.
const thrown: Thrown[] = ((globalThis as { helloChatThrown?: Thrown[] }).helloChatThrown ??= []);

// The rooms' bindings whose class is watched already. Reaching the class means starting an object
// (and, where folders share a runtime, the test helper tries the id on every folder's binding):
// once for each binding, not once for each join.
const watchedBindings: WeakSet<object> = ((globalThis as { helloChatWatched?: WeakSet<object> }).helloChatWatched ??= new WeakSet());

/** Wraps the room class's WebSocket handlers (once) so that what they throw is recorded, then rethrown. */
export async function watchHandlers(): Promise<void> {
  const binding = env.CHAT;
  if (watchedBindings.has(binding)) return;
  await runInDurableObject(binding.getByName(`watch-${crypto.randomUUID()}`), (instance) => {
    const prototype = Object.getPrototypeOf(instance) as Record<string | symbol, unknown>;
    if (prototype[WATCHED]) return;
    prototype[WATCHED] = true;
    for (const name of ["webSocketMessage", "webSocketClose", "webSocketError"]) {
      const handler = prototype[name];
      if (typeof handler !== "function") continue;
      prototype[name] = async function (this: { ctx: DurableObjectState }, ...args: unknown[]) {
        try {
          return await handler.apply(this, args);
        } catch (error) {
          thrown.push({ room: this.ctx.id.name ?? "", text: `${name} threw ${error}` });
          throw error;
        }
      };
    }
  });
  watchedBindings.add(binding);
}

/** What the room's handlers threw so far, newest last. */
export function thrownIn(room: string): string[] {
  return thrown.filter((t) => t.room === room).map((t) => t.text);
}
