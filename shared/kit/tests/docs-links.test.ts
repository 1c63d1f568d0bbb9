// The guide's links to Cloudflare's documentation, read from the markdown (no build): every stage
// page ends with "What to read next", the deploy page links the limits and pricing it quotes, and
// every link to developers.cloudflare.com is https and carries no tracking parameters.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { markdownSection } from "../docs/code-from-files.ts";
import { REPO_ROOT } from "../paths.ts";
import { STAGES } from "../stages.ts";

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");
/** Every URL on developers.cloudflare.com, whatever its scheme, as written. */
const cloudflareLinks = (text: string) =>
  [...text.matchAll(/[a-z]+:\/\/developers\.cloudflare\.com[^\s)>\]"'`]*/gi)].map((m) => m[0]);

describe("every stage page ends with What to read next", () => {
  for (const stage of STAGES) {
    const page = `docs/steps/${stage.slug}.md`;
    test(`${page}: at least 3 Cloudflare reference links, before Going further`, () => {
      const text = read(page);
      const section = markdownSection(text, "what-to-read-next");
      assert.ok(section, `${page} has no "## What to read next" heading`);
      const links = new Set(cloudflareLinks(section));
      assert.ok(links.size >= 3, `${page}: "What to read next" links ${links.size} Cloudflare page(s), not 3`);
      const further = text.indexOf("\n## Going further");
      if (further >= 0) assert.ok(text.indexOf("\n## What to read next") < further, `${page}: "What to read next" comes after "Going further"`);
    });
  }
});

test("docs/deploy.md links the Durable Objects limits and pricing pages", () => {
  const links = cloudflareLinks(read("docs/deploy.md")).map((url) => url.split("#")[0].replace(/\/?$/, "/"));
  for (const page of ["platform/limits/", "platform/pricing/"]) {
    assert.ok(links.includes(`https://developers.cloudflare.com/durable-objects/${page}`), `docs/deploy.md does not link durable-objects/${page}`);
  }
});

test("every developers.cloudflare.com link in docs/ is https, without tracking parameters", () => {
  const pages = readdirSync(join(REPO_ROOT, "docs"), { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".md") && !path.split(/[\\/]/).includes("node_modules"));
  const wrong = pages.flatMap((path) =>
    cloudflareLinks(read(join("docs", path)))
      .filter((url) => !url.startsWith("https://") || /[?&]utm_/i.test(url))
      .map((url) => `docs/${path}: ${url}`),
  );
  assert.ok(pages.length > 10, "no markdown found under docs/");
  assert.deepEqual(wrong, []);
});
