// The hints of each stage, in shared/hints/0N-<slug>.md: VitePress "details" blocks, written
// once for the terminal (`npm run hint`) and the docs (which include the files verbatim).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.ts";
import type { Stage } from "./stages.ts";

export type Hint = { title: string; body: string };

export function hintsFile(stage: Stage): string {
  return `shared/hints/${stage.slug}.md`;
}

/** The blocks `::: details Hint N: <title>` … `:::`, in order. */
export function parseHints(markdown: string): Hint[] {
  const blocks = markdown.replaceAll("\r\n", "\n").matchAll(/^::: details (.+)\n([\s\S]*?)^:::[ \t]*$/gm);
  return [...blocks].map(([, title, body]) => ({ title: title.replace(/^Hint \d+:\s*/, "").trim(), body: body.trim() }));
}

export function readHints(stage: Stage): Hint[] {
  return parseHints(readFileSync(join(REPO_ROOT, hintsFile(stage)), "utf8"));
}
