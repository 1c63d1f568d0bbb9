// The key that lets this computer, and nobody else, open sessions on the classroom it deployed:
// uploaded as the CREATE_KEY secret by `npm run classroom:deploy`, sent by `npm run classroom -- --at`.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { REPO_ROOT } from "../paths.ts";

/** `.state/classroom/deploy-secrets.json`, in the form `wrangler deploy --secrets-file` reads; made once. */
export function createKeyFile(): string {
  const file = join(resolve(REPO_ROOT, process.env.CHAT_STATE_DIR ?? ".state"), "classroom", "deploy-secrets.json");
  try {
    readFileSync(file, "utf8");
  } catch {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ CREATE_KEY: randomBytes(32).toString("base64url") }) + "\n", { mode: 0o600 });
  }
  return file;
}

export function createKey(): string {
  return JSON.parse(readFileSync(createKeyFile(), "utf8")).CREATE_KEY;
}
