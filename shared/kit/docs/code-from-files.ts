// A markdown-it extension for the workshop guide: every piece of code a page shows comes
// from the real files at build time, and a page that names a file or a declaration that
// does not exist fails the build instead of rendering an error string.
//
//   <<< @/solutions/03-persistence/src/index.ts                    the whole file
//   <<< @/solutions/03-persistence/src/index.ts#webSocketMessage   one declaration (see declarations.ts)
//   <<< diff @/solutions/02-broadcast/src/index.ts @/solutions/03-persistence/src/index.ts
//   <<< section @/steps/03-persistence/README.md#check-it         a README section, as markdown
//   <<< mistakes 03-persistence                                   the stage's mistakes, as a table
//   <<< clone                                                     how to get the kit (see repository.ts)
//
// `@/` is the repository root (VitePress's own `@` is the docs folder, which holds no code);
// other paths are relative to the page. This rule takes over every `<<<` line from
// VitePress's snippet rule: in VitePress 1.6 a missing file stops the build with a bare
// ENOENT stack that names no page, and a missing #region builds anyway, showing the whole file.
//
// A file in steps/ is shown as the kit shipped it, from the snapshot in shared/kit/starters.json
// (see starters.ts): the reader edits steps/, and the guide they build must still show the starter.
//
// The mistakes tables come from the catalogue in shared/checks/mistakes/, which `npm test` proves
// mistake by mistake, so a page cannot promise a check that does not catch what it says. The
// catalogue is TypeScript loaded with import(), which is asynchronous: the guide's config loads
// it (`await catalogue()`) and passes it here.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, relative, resolve } from "node:path";
import type { MarkdownRenderer } from "vitepress";
import type { Mistake } from "../../checks/mistakes/mistake.ts";
import type { Stage } from "../stages.ts";
import type { Files } from "../starters.ts";
import { unifiedDiff } from "../unified-diff.ts";
import { extractDeclaration } from "./declarations.ts";
import { getTheCode, type Repository } from "./repository.ts";

// VitePress bundles its own markdown-it types; these are the ones its config hook passes.
type BlockRule = Parameters<MarkdownRenderer["block"]["ruler"]["before"]>[2];
type StateBlock = Parameters<BlockRule>[0];
type Env = { path?: string; realPath?: string; includes?: string[] };

/** What shared/checks/mistakes/catalogue.ts's catalogue() returns: every stage's mistakes. */
export type MistakesCatalogue = readonly { stage: Stage; mistakes: readonly Mistake[] }[];

const LANGUAGES: Record<string, string> = { ".ts": "ts", ".js": "js", ".json": "json", ".jsonc": "jsonc", ".md": "md" };

export function codeFromFiles(
  md: MarkdownRenderer,
  { root, mistakes, repository }: { root: string; mistakes?: MistakesCatalogue; repository?: Repository },
): void {
  md.block.ruler.before("snippet", "code-from-files", (state, startLine, _endLine, silent) => {
    const start = state.bMarks[startLine] + state.tShift[startLine];
    const line = state.src.slice(start, state.eMarks[startLine]);
    if (state.sCount[startLine] - state.blkIndent >= 4 || !line.startsWith("<<<")) return false;
    if (silent) return true;

    const env = state.env as Env;
    const page = env.realPath ?? env.path ?? "";
    const where = `${relative(root, page) || "a page"}:${startLine + 1}: ${line.trim()}`;
    const fail: (why: string) => never = (why) => {
      throw new Error(`${where}\n  ${why}`);
    };
    const read = (written: string) => {
      const file = written.startsWith("@/") ? join(root, written.slice(2)) : resolve(dirname(page), written);
      const [top, stage, ...path] = relative(root, file).split(/[\\/]/);
      if (top === "steps") {
        const snapshot = join(root, "shared/kit/starters.json");
        const starters = JSON.parse(readFileSync(snapshot, "utf8")) as Record<string, Files | undefined>;
        const text = starters[stage]?.[path.join("/")];
        if (text === undefined) fail(`file not found: ${relative(root, file)} (in shared/kit/starters.json, the starters as shipped)`);
        env.includes?.push(snapshot);
        return { file, text };
      }
      if (!existsSync(file) || !statSync(file).isFile()) fail(`file not found: ${relative(root, file)}`);
      // The dev server reloads the page when a file it shows changes.
      env.includes?.push(file);
      return { file, text: readFileSync(file, "utf8").replace(/\r\n/g, "\n") };
    };

    const args = line.slice(3).trim().split(/\s+/);
    if (args[0] === "diff") {
      if (args.length !== 3) fail("expected: <<< diff <from file> <to file>");
      const from = read(args[1]);
      const to = read(args[2]);
      const diff = unifiedDiff(from.text, to.text, {
        oldName: relative(root, from.file),
        newName: relative(root, to.file),
      });
      pushCode(state, startLine, "diff", diff || "(no changes)", undefined);
    } else if (args[0] === "section") {
      // Markdown, not code: a step README's section, so the guide and the README say the same.
      // Relative links in it would resolve from the page, not the README: keep such sections link-free.
      const [written, slug] = (args[1] ?? "").split("#");
      if (args.length !== 2 || !slug) fail("expected: <<< section <file.md>#<heading-slug>");
      const { file, text } = read(written);
      const section = markdownSection(text, slug);
      if (section === undefined) fail(`${relative(root, file)} has no heading whose slug is "${slug}"`);
      state.md.block.parse(section, state.md, state.env, state.tokens);
    } else if (args[0] === "clone") {
      if (args.length !== 1) fail("expected: <<< clone, with nothing else on the line");
      state.md.block.parse(getTheCode(repository), state.md, state.env, state.tokens);
    } else if (args[0] === "mistakes") {
      if (args.length !== 2) fail("expected: <<< mistakes <stage slug>, such as <<< mistakes 03-persistence");
      if (!mistakes) fail("no mistakes catalogue was given: codeFromFiles(md, { root, mistakes: await catalogue() })");
      const slug = args[1];
      const entry = mistakes.find(({ stage }) => stage.slug === slug);
      if (!entry) fail(`no stage "${slug}" in the mistakes catalogue (stages: ${mistakes.map(({ stage }) => stage.slug).join(", ")})`);
      if (entry.mistakes.length === 0) fail(`the catalogue has no mistakes for ${slug}: shared/checks/mistakes/${slug}.ts is missing or its list is empty`);
      pushMistakes(state, startLine, entry.mistakes);
    } else {
      if (args.length !== 1) fail("expected: <<< <file> or <<< <file>#<name>; nothing else on the line");
      const [written, name] = args[0].split("#");
      const { file, text } = read(written);
      let code = text;
      if (name) {
        try {
          code = extractDeclaration(text, name);
        } catch (error) {
          fail(`${relative(root, file)}: ${(error as Error).message}`);
        }
      }
      const label = relative(root, file).replaceAll("\\", "/") + (name ? ` · ${name}` : "");
      pushCode(state, startLine, LANGUAGES[extname(file)] ?? extname(file).slice(1), code, label);
    }
    state.line = startLine + 1;
    return true;
  });

  // VitePress leaves an `<!--@include: …-->` whose file is missing in the page as a comment,
  // so a hint file that was renamed would silently vanish from the guide.
  md.core.ruler.before("normalize", "includes-resolved", (state) => {
    const left = /<!--\s*@include:\s*(.*?)\s*-->/.exec(state.src);
    if (left) {
      const page = (state.env as Env).realPath ?? "a page";
      throw new Error(`${relative(root, page)}: include file not found: ${left[1]}`);
    }
  });
}

function pushCode(state: StateBlock, line: number, language: string, code: string, label: string | undefined) {
  if (label) {
    const caption = state.push("html_block", "", 0);
    caption.content = `<div class="code-source">${state.md.utils.escapeHtml(label)}</div>\n`;
    caption.map = [line, line + 1];
  }
  const fence = state.push("fence", "code", 0);
  fence.info = language;
  fence.content = code.endsWith("\n") ? code : `${code}\n`;
  fence.markup = "```";
  fence.map = [line, line + 1];
}

/** A table: what people do, and the title of the check that catches it. */
function pushMistakes(state: StateBlock, line: number, mistakes: readonly Mistake[]) {
  const escape = state.md.utils.escapeHtml;
  // Plain text on purpose: as markdown, linkify would make a link of "Date.now()".
  const rows = mistakes.map(({ did, fails }) => `<tr><td>${escape(did.charAt(0).toUpperCase() + did.slice(1))}</td><td>${[fails].flat().map((title) => `"${escape(title)}"`).join(" or ")}</td></tr>`);
  const table = state.push("html_block", "", 0);
  // v-pre: the page is a Vue template, and this text is not.
  table.content = [
    '<table class="mistakes" v-pre>',
    "<thead><tr><th>What people do</th><th>The check that catches it</th></tr></thead>",
    "<tbody>",
    ...rows,
    "</tbody>",
    "</table>",
    "",
  ].join("\n");
  table.map = [line, line + 1];
}

/** The body of the heading whose slug is `slug`, up to the next heading of the same or a higher level. */
export function markdownSection(text: string, slug: string): string | undefined {
  const lines = text.split("\n");
  const headingOf = (line: string) => /^(#{1,6})\s+(.*)$/.exec(line);
  const slugOf = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  const start = lines.findIndex((line) => slugOf(headingOf(line)?.[2] ?? "") === slug);
  if (start < 0) return undefined;
  const level = headingOf(lines[start])![1].length;
  const after = lines.slice(start + 1);
  const end = after.findIndex((line) => (headingOf(line)?.[1].length ?? 7) <= level);
  return after.slice(0, end < 0 ? undefined : end).join("\n").trim() + "\n";
}
