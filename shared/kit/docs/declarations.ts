// Finds a named declaration in a TypeScript file (a function, class, method, const, type),
// so a docs page can show one piece of a real file without #region comments in the
// attendee's code. It reads the source's brackets, skipping strings and comments; it is not
// a full parser, and it needs no more: the kit's files are formatted, with one declaration
// starting per line.

export type Declaration = {
  /** `takeToken`, `Chat`, `Chat.webSocketMessage`, `default.fetch` (a member of `export default {…}`). */
  name: string;
  /** 0-based line of the first line shown (its doc comment, if it has one). */
  startLine: number;
  /** 0-based line of the last line, inclusive. */
  endLine: number;
};

const TOP_LEVEL =
  /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(function\*?|class|const|let|var|type|interface)\s+([A-Za-z_$][\w$]*)/;
const DEFAULT_EXPORT = /^export\s+default\s+(?!function|class|async)/;
const MEMBER =
  /^\s*(?:(?:private|public|protected|static|readonly|async|override|declare|get|set)\s+)*\*?([A-Za-z_$][\w$]*)\s*([(<:=;?!])/;
const NOT_A_MEMBER = new Set(["if", "for", "while", "switch", "return", "const", "let", "var", "throw", "await"]);

/** Every declaration a page may name: top-level ones, and members of top-level classes and objects. */
export function declarations(source: string): Declaration[] {
  const lines = source.split("\n");
  const depths = lineDepths(source);
  const lineStarts = startsOfLines(source);
  const found: Declaration[] = [];

  for (let line = 0; line < lines.length; line++) {
    if (depths[line] !== 0) continue;
    const text = lines[line];
    const top = TOP_LEVEL.exec(text);
    const isDefault = !top && DEFAULT_EXPORT.test(text);
    if (!top && !isDefault) continue;
    const kind = top?.[1] ?? "default";
    const name = top?.[2] ?? "default";
    const block = kind.startsWith("function") || kind === "class" || kind === "interface";
    const endLine = endOf(source, lineStarts, line, block);
    found.push({ name, startLine: withLeadingComments(lines, line), endLine });

    // Members of a class, or of an object literal like the Worker's `export default {…}`.
    if (kind !== "class" && kind !== "default" && kind !== "const") continue;
    for (let inner = line + 1; inner < endLine; inner++) {
      if (depths[inner] !== 1) continue;
      const member = MEMBER.exec(lines[inner]);
      if (!member || NOT_A_MEMBER.has(member[1])) continue;
      const isMethod = member[2] === "(" || member[2] === "<";
      found.push({
        name: `${name}.${member[1]}`,
        startLine: withLeadingComments(lines, inner),
        endLine: endOf(source, lineStarts, inner, isMethod),
      });
    }
  }
  return found;
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

function startsOfLines(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") starts.push(i + 1);
  return starts;
}

/** The bracket depth at the start of each line, outside strings and comments. */
function lineDepths(source: string): number[] {
  const depths = [0];
  scan(source, 0, (char, depth) => {
    if (char === "\n") depths.push(depth);
    return false;
  });
  return depths;
}

/**
 * The last line of the declaration starting on `line`. A block (function, class, method) ends
 * with the brace that closes its body; anything else (const, type, field, `export default {…}
 * satisfies …`) ends at its `;` outside brackets.
 */
function endOf(source: string, lineStarts: number[], line: number, block: boolean): number {
  let end = -1;
  scan(source, lineStarts[line], (char, depth, index) => {
    // A body's closing brace ends its line; a brace of a destructured parameter or of a
    // return type like `{ message: string } | ErrorFrame {` does not.
    const closedBody = block && char === "}" && depth === 0 && endsLine(source, index + 1);
    if (closedBody || (!block && char === ";" && depth === 0)) {
      end = index;
      return true;
    }
    return false;
  });
  if (end < 0) throw new Error(`could not find where the declaration on line ${line + 1} ends`);
  return lineStarts.findLastIndex((start) => start <= end);
}

function endsLine(source: string, from: number): boolean {
  const lineEnd = source.indexOf("\n", from);
  return /^[,;]?\s*(\/\/.*)?$/.test(source.slice(from, lineEnd < 0 ? undefined : lineEnd));
}

/**
 * Walks `source` from `from`, calling `visit` with each character outside strings and
 * comments and the bracket depth after it (relative to `from`). Stops when `visit` says so.
 */
function scan(source: string, from: number, visit: (char: string, depth: number, index: number) => boolean) {
  let depth = 0;
  for (let i = from; i < source.length; i++) {
    const char = source[i];
    const next = source[i + 1];
    if (char === "/" && next === "/") {
      i = source.indexOf("\n", i) - 1;
      if (i < 0) return;
      continue;
    }
    if (char === "/" && next === "*") {
      const close = source.indexOf("*/", i + 2);
      // Newlines inside a block comment still start lines.
      for (let j = i; j < (close < 0 ? source.length : close); j++) if (source[j] === "\n") visit("\n", depth, j);
      if (close < 0) return;
      i = close + 1;
      continue;
    }
    if (char === '"' || char === "'" || char === "`") {
      let j = i + 1;
      while (j < source.length && source[j] !== char) {
        if (source[j] === "\\") j++;
        else if (source[j] === "\n") visit("\n", depth, j);
        j++;
      }
      i = j;
      continue;
    }
    if (char === "{" || char === "(" || char === "[") depth++;
    if (char === "}" || char === ")" || char === "]") depth--;
    if (visit(char, depth, i)) return;
  }
}

/** Includes the doc comment or `//` lines directly above a declaration. */
function withLeadingComments(lines: string[], line: number): number {
  let start = line;
  while (start > 0 && /^\s*(\/\/|\/\*\*?|\*)/.test(lines[start - 1])) start--;
  return start;
}

function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length);
  const cut = Math.min(...indents);
  return lines.map((l) => l.slice(cut));
}
