// The guide built from a copy of the kit whose package.json names a repository and whose reader
// has edited a starter: the setup page clones that repository, the nav and "Edit this page" link
// to it, and the walkthrough still shows the starter as shipped, not the reader's code.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { REPO_ROOT } from "../paths.ts";
import { tempKit } from "./temp-kit.ts";

const kit = tempKit("docs");
const dist = join(kit.dir, "docs/.vitepress/dist");
const page = (path: string) => readFileSync(join(dist, path), "utf8");
/** The page's text, without tags: highlighted code is split into spans. */
const text = (path: string) => page(path).replace(/<[^>]+>/g, "");

before(() => {
  // The guide, without its build output and cache.
  cpSync(join(REPO_ROOT, "docs"), join(kit.dir, "docs"), {
    recursive: true,
    filter: (source) => !/[\\/]\.vitepress[\\/](?:dist|cache)$/.test(source),
  });
  const packageJson = JSON.parse(readFileSync(join(kit.dir, "package.json"), "utf8"));
  packageJson.repository = { type: "git", url: "https://github.com/you/hello-chat.git" };
  writeFileSync(join(kit.dir, "package.json"), JSON.stringify(packageJson, null, 2));
  // The reader works on stage 01: the TODOs the guide shows become their code and notes.
  for (const file of ["steps/01-echo/src/index.ts", "steps/01-echo/README.md"]) {
    const path = join(kit.dir, file);
    writeFileSync(path, readFileSync(path, "utf8").replaceAll("TODO(step 1)", "The reader's own work"));
  }

  const started = performance.now();
  const build = spawnSync(process.execPath, [join(REPO_ROOT, "node_modules/vitepress/bin/vitepress.js"), "build", "docs"], {
    cwd: kit.dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  console.log(`# vitepress build of the copy: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(build.status, 0, `${build.stdout}\n${build.stderr}`);
});
after(() => kit.remove());

test("the setup page clones the repository, or downloads its ZIP", () => {
  assert.match(text("setup.html"), /git clone https:\/\/github\.com\/you\/hello-chat\.git\s*cd hello-chat/);
  assert.match(page("setup.html"), /<a href="https:\/\/github\.com\/you\/hello-chat"[^>]*>the repository(?:'|&#39;)s page<\/a>/);
  assert.doesNotMatch(text("setup.html"), /Your instructor gives you/);
});

test("the nav links to the repository, with its icon built in, and every page edits there", () => {
  const stage = page("steps/01-echo.html");
  assert.match(stage, /class="VPSocialLink[^"]*"[^>]*href="https:\/\/github\.com\/you\/hello-chat"|href="https:\/\/github\.com\/you\/hello-chat"[^>]*class="VPSocialLink/);
  assert.match(stage, /href="https:\/\/github\.com\/you\/hello-chat\/edit\/HEAD\/docs\/steps\/01-echo\.md"/);
  // VitePress builds the icon into the site (vp-icons.css) rather than fetching it from iconify.design.
  assert.match(page("vp-icons.css"), /\.vpi-social-github\b/);
  for (const path of ["index.html", "setup.html", "steps/01-echo.html"]) assert.doesNotMatch(page(path), /vscode:/, path);
});

test("the walkthrough shows the starter as shipped, not the reader's edited steps/ folder", () => {
  const stage = text("steps/01-echo.html");
  assert.match(stage, /TODO\(step 1\)/);
  assert.doesNotMatch(stage, /The reader(?:'|&#39;)s own work/);
});
