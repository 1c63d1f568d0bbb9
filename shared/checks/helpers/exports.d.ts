// `wrangler types` cannot know which step's Worker a check run loads (the runner picks it),
// so this declares the one export the checks call: the Worker's fetch handler.
declare namespace Cloudflare {
  interface Exports {
    default: Fetcher;
  }
}

// The checks run in workerd with Node.js compatibility (on by default at the kit's date), and
// use one Node API: AsyncLocalStorage (target.ts). The stages' code is typed without Node's types.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, callback: () => R): R;
    getStore(): T | undefined;
  }
}
