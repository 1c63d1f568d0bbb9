// The guide's mistakes come from the catalogue (shared/checks/mistakes/), which `npm test` proves
// mistake by mistake: every stage page's "Common mistakes" table is generated from it, the prose
// under it names only checks that the catalogue shows failing, and the instructor guide's
// "Where people get stuck" table names only catalogued mistakes, word for word.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createMarkdownRenderer, disposeMdItInstance } from "vitepress";
import { catalogue } from "../../checks/mistakes/catalogue.ts";
import { codeFromFiles, markdownSection, type MistakesCatalogue } from "../docs/code-from-files.ts";
import { REPO_ROOT } from "../paths.ts";
import { STAGES } from "../stages.ts";

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");
const CATALOGUE = await catalogue();
const mistakesOf = (slug: string) => CATALOGUE.find(({ stage }) => stage.slug === slug)!.mistakes;

/** The rows of the first markdown table in `text`, as trimmed cells, without its header and separator. */
function tableRows(text: string): string[][] {
  const lines = text.split("\n").filter((line) => line.startsWith("|"));
  return lines.slice(2).map((line) => line.split("|").slice(1, -1).map((cell) => cell.trim()));
}

describe("the stage pages' Common mistakes", () => {
  for (const stage of STAGES) {
    const page = `docs/steps/${stage.slug}.md`;
    const section = markdownSection(read(page), "common-mistakes");

    test(`${page}: its table is generated from the catalogue`, () => {
      assert.ok(section, `${page} has no "## Common mistakes" heading`);
      assert.ok(section.split("\n").includes(`<<< mistakes ${stage.slug}`), `${page}: no "<<< mistakes ${stage.slug}" line under "## Common mistakes"`);
    });

    test(`${page}: every check its prose quotes is one the catalogue shows failing`, () => {
      // Quoted text outside inline code, such as "history survives the object's eviction".
      const prose = (section ?? "").replace(/`[^`]*`/g, "").replace(/\s+/g, " ");
      const quoted = [...prose.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
      const checks = new Set(mistakesOf(stage.slug).flatMap((mistake) => mistake.fails));
      assert.deepEqual(quoted.filter((title) => !checks.has(title)), [], `checks named under "Common mistakes" that no mistake of ${stage.slug} fails`);
    });
  }
});

describe("the instructor guide's Where people get stuck", () => {
  const section = markdownSection(read("docs/instructors.md"), "where-people-get-stuck");
  const rows = tableRows(section ?? "").filter(([stage]) => /^\d+$/.test(stage));

  test("every stage has a row", () => {
    assert.ok(section, 'docs/instructors.md has no "## Where people get stuck" heading');
    const numbers = new Set(rows.map(([stage]) => Number(stage)));
    assert.deepEqual(STAGES.filter((stage) => !numbers.has(stage.number)).map((s) => s.slug), []);
  });

  test("each stage row's problem is a catalogued mistake of that stage, word for word (backticks aside)", () => {
    const strays: string[] = [];
    for (const [number, problem] of rows) {
      const stage = STAGES.find((s) => s.number === Number(number));
      const did = problem.replaceAll("`", "");
      if (!stage || !mistakesOf(stage.slug).some((mistake) => mistake.did === did)) strays.push(`${number} | ${problem}`);
    }
    assert.deepEqual(strays, [], "rows whose problem is not the `did` of a mistake in shared/checks/mistakes/<stage>.ts");
  });
});

test('the exercises page\'s "npm run check -- N fails at …" name checks that a catalogued mistake of N fails', () => {
  const page = read("docs/exercises.md").replace(/\s+/g, " ");
  const claims = [...page.matchAll(/npm run check -- (\d+)`? fails at "([^"]+)"/g)].map(([, number, title]) => ({ number: Number(number), title }));
  assert.ok(claims.length >= 3, `docs/exercises.md: found ${claims.length} claims`);
  const strays = claims.filter(({ number, title }) => {
    const stage = STAGES.find((s) => s.number === number);
    return !stage || !mistakesOf(stage.slug).some((mistake) => [mistake.fails].flat().includes(title));
  });
  assert.deepEqual(strays, [], "claims whose check no mistake of that stage fails");
});

describe("<<< mistakes <slug>", () => {
  const render = async (markdown: string, mistakes: MistakesCatalogue = CATALOGUE) => {
    // VitePress keeps one renderer for the process; each test configures its own.
    disposeMdItInstance();
    const md = await createMarkdownRenderer(join(REPO_ROOT, "docs"), { config: (md) => codeFromFiles(md, { root: REPO_ROOT, mistakes }) });
    return md.render(`# A page\n\n${markdown}\n`, { path: join(REPO_ROOT, "docs/a-page.md") });
  };
  const text = (html: string) => html.replace(/<[^>]+>/g, "\n").replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">");

  test("renders what people do and the check that catches it, one row per mistake", async () => {
    const html = await render("<<< mistakes 03-persistence");
    const cells = text(html).split("\n").filter((cell) => cell.trim() !== "");
    assert.ok(cells.includes("What people do") && cells.includes("The check that catches it"), html);
    const mistakes = mistakesOf("03-persistence");
    assert.equal(html.match(/<tr>/g)?.length, mistakes.length + 1);
    for (const { did, fails } of mistakes) {
      assert.ok(cells.includes(did.charAt(0).toUpperCase() + did.slice(1)), `no row for ${did}`);
      const cell = [fails].flat().map((title) => `"${title}"`).join(" or ");
      assert.ok(cells.includes(cell), `no cell ${cell}`);
    }
  });

  test("a stage that does not exist fails the build, naming the page, the line and the stages", async () => {
    await assert.rejects(render("<<< mistakes 07-nothing"), /a-page\.md:3: <<< mistakes 07-nothing\n.*no stage "07-nothing".*01-echo/);
  });

  test("a stage whose catalogue is empty fails the build", async () => {
    const empty = CATALOGUE.map(({ stage, mistakes }) => ({ stage, mistakes: stage.slug === "04-timestamps" ? [] : mistakes }));
    await assert.rejects(render("<<< mistakes 04-timestamps", empty), /no mistakes for 04-timestamps: shared\/checks\/mistakes\/04-timestamps\.ts is missing or its list is empty/);
  });
});
