// Finds a named declaration in a TypeScript file (a function, class, method, const, type), so a
// docs page can show one piece of a real file without #region comments in the attendee's code.
// Babel's parser reads the file, so formatting does not matter.
import { parse } from "@babel/parser";
import type { Node } from "@babel/types";

export type Declaration = {
  /** `takeToken`, `Chat`, `Chat.webSocketMessage`, `default.fetch` (a member of `export default {…}`). */
  name: string;
  /** 0-based line of the first line shown (its doc comment, if it has one). */
  startLine: number;
  /** 0-based line of the last line, inclusive. */
  endLine: number;
};

/** Every declaration a page may name: top-level ones, and members of top-level classes and objects. */
export function declarations(source: string): Declaration[] {
  const program = parse(source, { sourceType: "module", plugins: ["typescript"] }).program;
  const found: Declaration[] = [];
  const add = (name: string, node: Node) => {
    // Shown with the comments right above it; a blank line ends them (a file's header, a TODO for later).
    let startLine = node.loc!.start.line;
    for (const comment of (node.leadingComments ?? []).toReversed()) {
      if (comment.loc!.end.line !== startLine - 1) break;
      startLine = comment.loc!.start.line;
    }
    found.push({ name, startLine: startLine - 1, endLine: node.loc!.end.line - 1 });
  };

  for (const statement of program.body) {
    // `export …` wraps the declaration: its comments sit on the export.
    const exported = statement.type === "ExportNamedDeclaration" || statement.type === "ExportDefaultDeclaration";
    const inner: Node | null | undefined = exported ? statement.declaration : statement;
    if (!inner) continue;
    if (statement.type === "ExportDefaultDeclaration" && (inner.type === "TSSatisfiesExpression" || inner.type === "ObjectExpression")) {
      add("default", statement);
      const object = inner.type === "TSSatisfiesExpression" ? inner.expression : inner;
      if (object.type === "ObjectExpression") {
        for (const member of object.properties) if ("key" in member && member.key.type === "Identifier") add(`default.${member.key.name}`, member);
      }
      continue;
    }
    for (const name of namesOf(inner)) add(name, statement);
    if (inner.type === "ClassDeclaration" && inner.id) {
      for (const member of inner.body.body) {
        if ("key" in member && member.key.type === "Identifier") add(`${inner.id.name}.${member.key.name}`, member);
      }
    }
  }
  return found;
}

/** The names a top-level statement declares (each of a `const`, a function, class, type or interface). */
function namesOf(node: Node): string[] {
  if (node.type === "VariableDeclaration") return node.declarations.flatMap((d) => (d.id.type === "Identifier" ? [d.id.name] : []));
  if ("id" in node && node.id?.type === "Identifier") return [node.id.name];
  return [];
}

/**
 * The text of one declaration, dedented. `name` is either qualified (`Chat.fetch`) or a bare
 * name that must be unique in the file (`webSocketMessage`, `takeToken`). Throws with the
 * choices when the name is missing or ambiguous.
 */
export function extractDeclaration(source: string, name: string): string {
  const all = declarations(source);
  const matches = all.filter((d) => d.name === name || d.name.endsWith(`.${name}`));
  const exact = matches.filter((d) => d.name === name);
  const chosen = exact.length === 1 ? exact : matches;
  if (chosen.length === 1) {
    const { startLine, endLine } = chosen[0];
    return dedent(source.split("\n").slice(startLine, endLine + 1)).join("\n");
  }
  const names = all.map((d) => d.name).join(", ");
  if (chosen.length === 0) throw new Error(`no declaration named "${name}" (the file declares: ${names})`);
  throw new Error(`"${name}" is ambiguous: write one of ${chosen.map((d) => d.name).join(", ")}`);
}

function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length);
  const cut = Math.min(...indents);
  return lines.map((l) => l.slice(cut));
}
