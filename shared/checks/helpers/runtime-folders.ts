// What a check runtime in workerd is told about the folders it checks (vitest.config.ts hands it
// over, shared/kit/check-runtime.ts writes the Worker): read by Node and by workerd alike.

/** How a wrangler.jsonc declares its Durable Object classes: `exports`, or the legacy `migrations` array. */
export type ClassDeclarations = {
  exports?: Record<string, { type: string; storage?: string; state?: string }>;
  migrations?: { tag?: string; new_sqlite_classes?: string[] }[];
};

/**
 * A folder to check, its index in the runtime, its stage, the suite files it runs (from the
 * repository root), and how its wrangler.jsonc declares its classes.
 */
export type CheckTarget = { folder: string; index: number; stage: number; suites: string[]; declares: ClassDeclarations };

/** In a runtime that checks several folders, the header that takes a check's request to its folder (removed before the folder's code sees it). */
export const TARGET_HEADER = "x-hello-chat-target";
