// `wrangler types` cannot know which step's Worker a check run loads (the runner picks it),
// so this declares the one export the checks call: the Worker's fetch handler.
declare namespace Cloudflare {
  interface Exports {
    default: Fetcher;
  }
}
