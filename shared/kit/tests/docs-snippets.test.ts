// How the guide finds one declaration in a real file (shared/kit/docs/declarations.ts) and one
// section of a README: the pieces its build shows instead of pasted code.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { markdownSection } from "../docs/code-from-files.ts";
import { declarations, extractDeclaration } from "../docs/declarations.ts";
import { REPO_ROOT } from "../paths.ts";
import { STAGES, stageEntry } from "../stages.ts";

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");

describe("extractDeclaration", () => {
  const solution = read("solutions/06-rate-limit/src/index.ts");

  test("a method, from its doc comment to its closing brace, dedented", () => {
    const code = extractDeclaration(solution, "Chat.history");
    const lines = code.split("\n");
    assert.equal(lines[0], "/**");
    assert.match(lines[1], /^ \* The newest HISTORY_SIZE messages/);
    assert.equal(lines[4], "private history(after: number): HistoryFrame {");
    assert.equal(lines.at(-1), "}");
  });

  test("a function whose parameter is destructured ends at its body's brace, not the pattern's", () => {
    const code = extractDeclaration(solution, "toFrame");
    assert.match(code, /^function toFrame\(\{ id, name, message, timestamp \}: StoredMessage\): MessageFrame \{\n/);
    assert.match(code, /serverTime: new Date\(timestamp\)\.toISOString\(\) \};\n\}$/);
  });

  test("a function whose return type is an object type ends at its body's brace", () => {
    const code = extractDeclaration(read("shared/protocol.ts"), "readMessage");
    assert.match(code, /return \{ message, to \};\n\}$/);
  });

  test("consts, types, fields and the Worker's default export end at their semicolon", () => {
    assert.equal(extractDeclaration(solution, "REFILL_MS"), "const REFILL_MS = 1000;");
    assert.match(extractDeclaration(solution, "Bucket"), /^type Bucket = \{ tokens: number; refilledAt: number \};$/);
    assert.match(extractDeclaration(solution, "Attachment"), /\ntype Attachment = \{ name: string \};$/);
    assert.match(extractDeclaration(solution, "lastTimestamp"), /\nprivate lastTimestamp: number;$/);
    assert.match(extractDeclaration(solution, "default"), /\nexport default \{[^]*\} satisfies ExportedHandler<Env>;$/);
  });

  test("a name used twice must be qualified, and the message says how", () => {
    assert.throws(() => extractDeclaration(solution, "fetch"), /"fetch" is ambiguous: write one of default\.fetch, Chat\.fetch/);
    assert.match(extractDeclaration(solution, "default.fetch"), /^async fetch\(request, env\)/);
    assert.match(extractDeclaration(solution, "Chat.fetch"), /^async fetch\(request: Request\)/);
  });

  test("a missing name lists what the file declares", () => {
    assert.throws(() => extractDeclaration(solution, "Chat.nothing"), /no declaration named "Chat\.nothing" \(the file declares: .*Chat\.webSocketMessage/);
  });

  test("in every step and solution, every declaration found is whole: its brackets balance", () => {
    for (const stage of STAGES) {
      for (const file of [stageEntry("steps", stage), stageEntry("solutions", stage)]) {
        const source = read(file);
        const found = declarations(source);
        assert.ok(found.some((d) => d.name === "Chat.webSocketMessage"), `${file}: no Chat.webSocketMessage`);
        for (const { name } of found) {
          const code = extractDeclaration(source, name).replace(/\/\/.*|\/\*[^]*?\*\/|"(?:\\.|[^"])*"|'(?:\\.|[^'])*'|`[^`]*`/g, "");
          for (const [open, close] of ["{}", "()", "[]"]) {
            assert.equal(code.split(open).length, code.split(close).length, `${file}#${name}: unbalanced ${open}${close}`);
          }
        }
      }
    }
  });
});

describe("markdownSection", () => {
  const readme = read("steps/03-persistence/README.md");

  test("a heading's body, up to the next heading of its level", () => {
    const section = markdownSection(readme, "check-it")!;
    assert.match(section, /^Run `npm run check -- 3`/);
    assert.doesNotMatch(section, /## Stuck\?/);
  });

  test("a heading that is not there", () => {
    assert.equal(markdownSection(readme, "no-such-heading"), undefined);
  });
});

test("declarations are found however the file is formatted (a parser, not line patterns)", () => {
  const squeezed = "export function a(){return 1}\nconst b={x:1},c=2;class D{m(){ if (x) { return `}` } }\nf=1}\n";
  assert.deepEqual(declarations(squeezed).map((d) => d.name), ["a", "b", "c", "D", "D.m", "D.f"]);
  assert.equal(extractDeclaration(squeezed, "D.m"), "const b={x:1},c=2;class D{m(){ if (x) { return `}` } }");
});
