// `npm run classroom:deploy [-- --dry-run]`: puts the classroom Worker on Cloudflare, for a
// workshop whose laptops are not on one network. Then `npm run classroom -- --at <its address>`.
import { join } from "node:path";
import { run } from "../cli.ts";
import { REPO_ROOT } from "../paths.ts";
import { exitOf, spawnWrangler } from "../wrangler.ts";
import { createKeyFile } from "./create-key.ts";

async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(`Usage: npm run classroom:deploy [-- --dry-run] [wrangler deploy flags]

Deploys shared/classroom/ as the Worker hello-chat-classroom (the first time, wrangler asks you
to log in). --dry-run bundles it without uploading. Then open a session on it:
  npm run classroom -- --at https://hello-chat-classroom.<your subdomain>.workers.dev`);
    return 0;
  }
  // A deployed classroom opens sessions only for whoever holds this key: this computer.
  const code = await exitOf(spawnWrangler(["deploy", "--config", join(REPO_ROOT, "shared/classroom/wrangler.jsonc"), "--secrets-file", createKeyFile(), ...args]));
  if (code === 0 && !args.includes("--dry-run")) {
    console.log("\nNext: npm run classroom -- --at <the workers.dev address above> opens a session there.");
  }
  return code;
}

await run(main);
