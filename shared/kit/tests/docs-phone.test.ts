// The workshop guide on a phone: every page of the built guide, opened in Chromium at 390×844,
// fits the screen's width (a wide table or code block may scroll inside its own box, never the
// page), the home page's stages show their name and time, a command in inline code is never split
// across two lines, and the guide's icon is there (no 404 for a favicon).
// One build (into a folder of its own, so it never races docs.test.ts over docs/.vitepress/dist),
// one browser, the pages one after another.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, relative, sep } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromiumSkipReason, launchChromium } from "../browser/chromium.ts";
import { REPO_ROOT } from "../paths.ts";

const VITEPRESS = join(REPO_ROOT, "node_modules/vitepress/bin/vitepress.js");
const PHONE = { width: 390, height: 844 };

describe("the built guide on a phone (390×844)", { skip: chromiumSkipReason() }, () => {
  let out: string;
  let dist: string;
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  /** Every response of 400 or more while the pages load, as "<status> <path> (on <page>)". */
  const failed: string[] = [];
  let current = "";

  before(async () => {
    out = mkdtempSync(join(tmpdir(), "hello-chat-docs-phone-"));
    dist = join(out, "dist");
    const started = performance.now();
    const build = spawnSync(process.execPath, [VITEPRESS, "build", "docs", "--outDir", dist], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    assert.equal(build.status, 0, `${build.stdout}\n${build.stderr}`);
    console.log(`# vitepress build docs: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    server = serveStatic(dist);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, reducedMotion: "reduce" });
    page = await context.newPage();
    page.on("response", (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${new URL(response.url()).pathname} (on ${current})`);
    });
  });

  after(async () => {
    await browser?.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (out) rmSync(out, { recursive: true, force: true });
  });

  test("no page scrolls sideways, and no inline command is split across lines", async () => {
    const pages = filesUnder(dist)
      .filter((file) => extname(file) === ".html" && relative(dist, file) !== "404.html")
      .map((file) => `/${relative(dist, file).split(sep).join("/")}`)
      .sort();
    assert.ok(pages.length >= 20, `only ${pages.length} pages built`);
    const wide: string[] = [];
    const split: string[] = [];
    for (const path of pages) {
      current = path;
      await page.goto(`${origin}${path}`, { waitUntil: "load" });
      await page.locator(".VPDoc, .VPContent").first().waitFor();
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

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

/** Serves a built site the way any static host does (a 404 for what it does not have, /favicon.ico too). */
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
