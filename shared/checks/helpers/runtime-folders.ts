// What a check runtime in workerd is told about the folders it checks (vitest.config.ts hands it
// over, shared/kit/check-runtime.ts writes the Worker): read by Node and by workerd alike.

/** One step of a wrangler.jsonc's history of Durable Object classes. */
export type Migration = { tag: string; new_sqlite_classes?: string[]; new_classes?: string[] };

/**
 * A folder to check, its index in the runtime, its stage, the suite files it runs (from the
 * repository root), and the migrations of its wrangler.jsonc beside those of the kit's.
 */
export type CheckTarget = { folder: string; index: number; stage: number; suites: string[]; migrations: { own: Migration[]; deployed: Migration[] } };

/** In a runtime that checks several folders, the header that takes a check's request to its folder (removed before the folder's code sees it). */
export const TARGET_HEADER = "x-hello-chat-target";
