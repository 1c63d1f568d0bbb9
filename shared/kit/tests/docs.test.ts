// The workshop guide: it builds, its build fails on a dead link or on code it cannot find,
// it loads nothing from the internet, every stage page shows its code in a real browser, and
// every page fits a phone.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, extname, join, normalize, relative, sep } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromiumSkipReason, launchChromium } from "../browser/chromium.ts";
import { REPO_ROOT } from "../paths.ts";
import { STAGES } from "../stages.ts";

const VITEPRESS = join(REPO_ROOT, "node_modules/vitepress/bin/vitepress.js");
const DIST = join(REPO_ROOT, "docs/.vitepress/dist");

function vitepressBuild(root: string) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [VITEPRESS, "build", root], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const seconds = (performance.now() - started) / 1000;
  return { status: result.status, output: `${result.stdout}\n${result.stderr}`, seconds };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

describe("the guide builds", () => {
  test("npm run docs:build succeeds", (t) => {
    const build = vitepressBuild("docs");
    t.diagnostic(`vitepress build docs: ${build.seconds.toFixed(1)} s`);
    assert.equal(build.status, 0, build.output);
    for (const stage of STAGES) assert.ok(existsSync(join(DIST, `steps/${stage.slug}.html`)), `no page for ${stage.slug}`);
  });

  test("the built site loads nothing from the internet: no scripts, styles, fonts or images by URL", () => {
    const external: string[] = [];
    for (const file of filesUnder(DIST)) {
      const text = readFileSync(file, "utf8");
      const found =
        extname(file) === ".html"
          ? text.match(/<(?:script|link|img|iframe|source|video|audio)\b[^>]*\b(?:src|href|srcset)="(?:https?:)?\/\/[^"]*"/g)
          : extname(file) === ".css"
            ? text.match(/url\(\s*["']?(?:https?:)?\/\/[^)]*\)|@import\s+["']?(?:https?:)?\/\//g)
            : null;
      for (const match of found ?? []) external.push(`${relative(DIST, file)}: ${match}`);
    }
    assert.deepEqual(external, []);
  });

  test("with no repository in package.json: the setup page says how to get the code, and no page links a repository or an editor", (t) => {
    const repository = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).repository;
    if (repository) return t.skip("package.json names a repository: docs-copy.test.ts covers that case");
    assert.match(readFileSync(join(DIST, "setup.html"), "utf8"), /Your instructor gives you the kit/);
    const linked = filesUnder(DIST).filter((file) => extname(file) === ".html" && /href="vscode:|class="[^"]*edit-link|VPSocialLink/.test(readFileSync(file, "utf8")));
    assert.deepEqual(linked.map((file) => relative(DIST, file)), []);
  });

  test("every link to a section of a page finds that section (VitePress checks pages, not #anchors)", () => {
    const pages = filesUnder(DIST).filter((file) => extname(file) === ".html");
    const idsOf = new Map(pages.map((file) => [file, new Set([...readFileSync(file, "utf8").matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]))]));
    const broken: string[] = [];
    for (const file of pages) {
      for (const [, href] of readFileSync(file, "utf8").matchAll(/\shref="([^"]*#[^"]+)"/g)) {
        if (/^[a-z]+:/i.test(href)) continue;
        const [path, hash] = href.split("#");
        const target = path === "" ? file : join(DIST, path.startsWith("/") ? path : relative(DIST, join(dirname(file), path)));
        const page = target.endsWith("/") ? join(target, "index.html") : target.endsWith(".html") ? target : `${target}.html`;
        if (!idsOf.get(page)?.has(decodeURIComponent(hash))) broken.push(`${relative(DIST, file)}: ${href}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});

describe("the build fails on what a reader would find broken", () => {
  // A throwaway site that uses the guide's real configuration (and so its markdown extensions).
  // It lives in VitePress's own (git-ignored) cache folder: inside the repo, so that Vue and the
  // theme resolve from node_modules; a dot folder, so the real guide never takes it for a page.
  let site: string;
  before(() => {
    const cache = join(REPO_ROOT, "docs/.vitepress/cache");
    mkdirSync(cache, { recursive: true });
    site = mkdtempSync(join(cache, "test-site-"));
    mkdirSync(join(site, ".vitepress"));
    writeFileSync(join(site, ".vitepress/config.ts"), 'export { default } from "../../../config.ts";\n');
  });
  after(() => rmSync(site, { recursive: true, force: true }));

  function buildPage(markdown: string) {
    writeFileSync(join(site, "index.md"), `# A page\n\n${markdown}\n`);
    return vitepressBuild(site);
  }

  test("a dead link", () => {
    const build = buildPage("[the next stage](./steps/07-nothing.md)");
    assert.notEqual(build.status, 0);
    assert.match(build.output, /dead link \.\/steps\/07-nothing in file index\.md/);
  });

  test("a snippet of a file that does not exist", () => {
    const build = buildPage("<<< @/solutions/03-persistence/src/nothing.ts");
    assert.notEqual(build.status, 0);
    assert.match(build.output, /index\.md:3: <<< @\/solutions\/03-persistence\/src\/nothing\.ts\n\s*file not found: solutions\/03-persistence\/src\/nothing\.ts/);
  });

  test("a snippet of a declaration the file does not have", () => {
    const build = buildPage("<<< @/solutions/03-persistence/src/index.ts#Chat.noSuchMethod");
    assert.notEqual(build.status, 0);
    assert.match(build.output, /index\.md:3: <<< @\/solutions\/03-persistence\/src\/index\.ts#Chat\.noSuchMethod/);
    assert.match(build.output, /no declaration named "Chat\.noSuchMethod"/);
  });

  test("an include (such as a hints file) that does not exist", () => {
    const build = buildPage("<!--@include: ../shared/hints/07-nothing.md-->");
    assert.notEqual(build.status, 0);
    assert.match(build.output, /index\.md: include file not found: \.\.\/shared\/hints\/07-nothing\.md/);
  });
});

describe("the built guide in Chromium", { skip: chromiumSkipReason() }, () => {
  let server: Server;
  let origin: string;
  let browser: Browser;
  before(async () => {
    assert.ok(existsSync(DIST), "the guide is built by the test above");
    server = serveStatic(DIST);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test("the home page and every stage page render (code blocks, collapsed hints), fetching nothing from elsewhere", async () => {
    const page = await browser.newPage();
    try {
      const elsewhere: string[] = [];
      page.on("request", (request) => {
        if (!request.url().startsWith(origin) && !request.url().startsWith("data:")) elsewhere.push(request.url());
      });
      // The home page: the screenshot of the finished chat loads, and the diagram is inline.
      await page.goto(`${origin}/`);
      const hero = page.locator("img.screenshot:visible").first();
      await hero.waitFor();
      assert.ok(await hero.evaluate((img) => "naturalWidth" in img && Number(img.naturalWidth) > 0), "the screenshot did not load");
      assert.equal(await page.locator("svg.architecture").count(), 1);

      for (const stage of STAGES) {
        await page.goto(`${origin}/steps/${stage.slug}.html`);
        const blocks = page.locator('div[class*="language-"] pre code');
        await blocks.first().waitFor();
        const texts = await blocks.allTextContents();
        // The command block, the walkthrough's snippets, and the diff (in a closed details block).
        assert.ok(texts.length >= 3, `${stage.slug}: ${texts.length} code blocks`);
        const empty = texts.filter((text) => text.trim() === "").length;
        assert.equal(empty, 0, `${stage.slug}: ${empty} empty code blocks`);
        assert.ok(texts.some((text) => text.includes(`TODO(step ${stage.number})`)), `${stage.slug}: no starter code`);
        assert.ok(texts.some((text) => /^\+\+\+ solutions\//m.test(text)), `${stage.slug}: no generated diff`);
        // The progressive hints, each collapsed until the reader opens it.
        const hints = await page.locator("details").evaluateAll((all) =>
          all.filter((d) => /^Hint \d/.test(d.querySelector("summary")?.textContent ?? "")).map((d) => d.hasAttribute("open")),
        );
        assert.ok(hints.length >= 2, `${stage.slug}: ${hints.length} hints`);
        assert.ok(hints.every((open) => !open), `${stage.slug}: a hint is open from the start`);
      }
      assert.deepEqual(elsewhere, []);
    } finally {
      await page.close();
    }
  });

  test("local search finds a stage page, offline", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/`);
      await page.getByRole("button", { name: /search/i }).first().click();
      await page.locator("#localsearch-input").fill("hibernation attachments");
      const results = page.locator("#localsearch-list .result");
      await results.first().waitFor();
      const links = await results.evaluateAll((anchors) => anchors.map((a) => a.getAttribute("href") ?? ""));
      assert.ok(links.some((href) => href.includes("/steps/")), `results: ${links.join(", ")}`);
    } finally {
      await page.close();
    }
  });

  // The same build on a phone: every page fits the screen's width (a wide table or code block may
  // scroll inside its own box, never the page), the home page's stages show their name and time, a
  // command in inline code is never split across two lines, and the guide's icon is there.
  describe("on a phone (390×844)", () => {
    let page: Page;
    /** Every response of 400 or more while the pages load, as "<status> <path> (on <page>)". */
    const failed: string[] = [];
    let current = "";
    before(async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, reducedMotion: "reduce" });
      page = await context.newPage();
      page.on("response", (response) => {
        if (response.status() >= 400) failed.push(`${response.status()} ${new URL(response.url()).pathname} (on ${current})`);
      });
    });

    test("no page scrolls sideways, no inline command is split across lines, and each page shows the links it must", async () => {
      const pages = filesUnder(DIST)
        .filter((file) => extname(file) === ".html" && relative(DIST, file) !== "404.html")
        .map((file) => `/${relative(DIST, file).split(sep).join("/")}`)
        .sort();
      assert.ok(pages.length >= 20, `only ${pages.length} pages built`);
      const wide: string[] = [];
      const split: string[] = [];
      const missing: string[] = [];
      for (const path of pages) {
        current = path;
        await page.goto(`${origin}${path}`, { waitUntil: "load" });
        await page.locator(".VPDoc, .VPContent").first().waitFor();
        // The links a reader of that page needs, as the page shows them: Cloudflare's reference for
        // what each stage used, and the limits and prices where deploying is explained.
        const cloudflare = await page.locator('.vp-doc a[href^="https://developers.cloudflare.com/"]').evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
        if (path.startsWith("/steps/") && cloudflare.length < 3) missing.push(`${path}: ${cloudflare.length} links to Cloudflare's docs`);
        if (path === "/deploy.html") {
          for (const needed of ["/durable-objects/platform/limits/", "/durable-objects/platform/pricing/"]) {
            if (!cloudflare.some((href) => href.includes(needed))) missing.push(`${path}: no link to ${needed}`);
          }
        }
        // What sticks out of the screen: the page's own width, and the widest elements that are not
        // inside a box of their own that scrolls (those are allowed to be wide).
        const found = await page.evaluate(`(() => {
          const width = innerWidth;
          const scrolls = (el) => { for (let e = el.parentElement; e; e = e.parentElement) { const x = getComputedStyle(e).overflowX; if (x === "auto" || x === "scroll" || x === "hidden") return true; } return false; };
          const culprits = [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > width + 0.5 && el.getClientRects().length > 0 && !scrolls(el))
            .slice(-3)
            .map((el) => el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") + " " + JSON.stringify((el.textContent || "").trim().slice(0, 60)));
          // Inline commands with a flag, short enough for one line, drawn on more than one.
          const split = [...document.querySelectorAll(".vp-doc :not(pre) > code")]
            .filter((code) => /(^|\\s)--?[a-z0-9]/.test(code.textContent) && code.textContent.length <= 32)
            .filter((code) => { const range = document.createRange(); range.selectNodeContents(code); return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1; })
            .map((code) => code.textContent);
          return { scrollWidth: document.documentElement.scrollWidth, width, culprits, split };
        })()`) as { scrollWidth: number; width: number; culprits: string[]; split: string[] };
        if (found.scrollWidth > found.width) wide.push(`${path}: ${found.scrollWidth} px wide on a ${found.width} px screen: ${found.culprits.join(", ")}`);
        for (const code of found.split) split.push(`${path}: \`${code}\``);
      }
      assert.deepEqual(wide, [], "pages wider than the phone's screen");
      assert.deepEqual(split, [], "inline commands split across two lines");
      assert.deepEqual(missing, [], "links a page must show");
    });

    test("the home page's stages show their name and time, without scrolling the table", async () => {
      current = "/";
      await page.goto(`${origin}/`, { waitUntil: "load" });
      const table = page.locator(".stage-table table");
      await table.waitFor();
      const seen = (await page.evaluate(`(() => {
        const table = document.querySelector(".stage-table table");
        const right = Math.min(innerWidth, table.getBoundingClientRect().right);
        return [...table.querySelectorAll("tbody tr")].map((row) => {
          const visible = (cell) => cell.getClientRects().length > 0 && cell.getBoundingClientRect().right <= right + 0.5;
          return { stage: visible(row.cells[0]) ? row.cells[0].textContent.trim() : null, time: visible(row.cells[row.cells.length - 1]) ? row.cells[row.cells.length - 1].textContent.trim() : null };
        }).concat([{ scrolls: table.scrollWidth > table.clientWidth }]);
      })()`)) as Array<{ stage?: string | null; time?: string | null; scrolls?: boolean }>;
      const scrolls = seen.pop()?.scrolls;
      assert.ok(seen.length >= 10, `${seen.length} stages in the table`);
      for (const row of seen) {
        assert.ok(row.stage, `a stage's name is off the screen: ${JSON.stringify(row)}`);
        assert.match(row.time ?? "", /^\d+ min$/, `${row.stage}: its time is off the screen`);
      }
      assert.equal(scrolls, false, "the stage table scrolls sideways");
    });

    test("the guide has an icon, and no page asked for a favicon in vain", async () => {
      current = "/";
      await page.goto(`${origin}/`, { waitUntil: "load" });
      const href = await page.locator('link[rel~="icon"]').first().getAttribute("href", { timeout: 5_000 });
      assert.ok(href, "no <link rel=icon>");
      const icon = await page.request.get(new URL(href, origin).href);
      assert.equal(icon.status(), 200, `${href}: ${icon.status()}`);
      assert.match(icon.headers()["content-type"] ?? "", /^image\//);
      assert.deepEqual(failed.filter((line) => /favicon|\bicon\b/i.test(line)), []);
    });
  });
});

/** Serves a built site the way any static host does. */
function serveStatic(root: string): Server {
  const types: Record<string, string> = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff2": "font/woff2",
  };
  return createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    let file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    if (!existsSync(file) && existsSync(`${file}.html`)) file = `${file}.html`;
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    response.end(readFileSync(file));
  });
}
