// Where the code is: package.json's `repository`, the one setting behind the setup page's clone
// command, the nav's repository link and "Edit this page". (docs-copy.test.ts builds a guide
// with one set.)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createMarkdownRenderer } from "vitepress";
import { getTheCode, repository, themeLinks } from "../docs/repository.ts";
import { REPO_ROOT } from "../paths.ts";

test("npm's repository field, over https or ssh, on GitHub or GitLab, has a web page", () => {
  const github = { url: "https://github.com/you/hello-chat.git", web: "https://github.com/you/hello-chat", host: "github" };
  assert.deepEqual(repository({ type: "git", url: "https://github.com/you/hello-chat.git" }), github);
  assert.deepEqual(repository({ type: "git", url: "git+https://github.com/you/hello-chat.git" }), github);
  assert.deepEqual(repository("https://github.com/you/hello-chat.git"), github);
  assert.equal(repository({ url: "git@github.com:you/hello-chat.git" })?.web, "https://github.com/you/hello-chat");
  assert.deepEqual(repository({ type: "git", url: "https://gitlab.com/group/sub/hello-chat.git" }), {
    url: "https://gitlab.com/group/sub/hello-chat.git",
    web: "https://gitlab.com/group/sub/hello-chat",
    host: "gitlab",
  });
  // Any other host is cloned all the same, but the kit does not know its web pages.
  assert.deepEqual(repository({ type: "git", url: "https://git.example.com/hello-chat.git" }), { url: "https://git.example.com/hello-chat.git" });
  for (const none of [undefined, "", { type: "git" }, { url: " " }]) assert.equal(repository(none), undefined);
});

test("the nav links to a GitHub or GitLab repository, and each page edits there on the default branch", () => {
  assert.deepEqual(themeLinks(repository("https://github.com/you/hello-chat.git")), {
    socialLinks: [{ icon: "github", link: "https://github.com/you/hello-chat", ariaLabel: "The kit's repository" }],
    editLink: { pattern: "https://github.com/you/hello-chat/edit/HEAD/docs/:path", text: "Edit this page" },
  });
  assert.equal(themeLinks(repository("git@gitlab.com:group/hello-chat.git")).editLink?.pattern, "https://gitlab.com/group/hello-chat/-/edit/HEAD/docs/:path");
  // With no page on the web: no repository link, no edit link (and never one to this machine).
  assert.deepEqual(themeLinks(repository("https://git.example.com/hello-chat.git")), {});
  assert.deepEqual(themeLinks(undefined), {});
});

test("the setup page's way to get the code: clone (or a ZIP from the web page), else ask the instructor", () => {
  const github = getTheCode(repository("https://github.com/you/hello-chat.git"));
  assert.match(github, /^git clone https:\/\/github\.com\/you\/hello-chat\.git\ncd hello-chat$/m);
  assert.match(github, /\[the repository's page\]\(https:\/\/github\.com\/you\/hello-chat\), \*\*Code → Download ZIP\*\*/);
  const elsewhere = getTheCode(repository("https://git.example.com/hello-chat.git"));
  assert.match(elsewhere, /^git clone https:\/\/git\.example\.com\/hello-chat\.git$/m);
  assert.doesNotMatch(elsewhere, /ZIP/);
  const none = getTheCode(undefined);
  assert.match(none, /Your instructor gives you/);
  assert.doesNotMatch(none, /git clone http/);
});

test("the guide's config and setup page follow package.json's repository (none today: no links, ask the instructor)", async () => {
  const repo = repository(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).repository);
  const { default: config } = await import("../../../docs/.vitepress/config.ts");
  const { socialLinks, editLink } = themeLinks(repo);
  assert.deepEqual(config.themeConfig?.socialLinks, socialLinks);
  assert.deepEqual(config.themeConfig?.editLink, editLink);
  // The setup page through the guide's own markdown extensions, as the build renders it.
  const md = await createMarkdownRenderer(join(REPO_ROOT, "docs"), config.markdown);
  const page = join(REPO_ROOT, "docs/setup.md");
  const html = md.render(readFileSync(page, "utf8"), { path: page, realPath: page, relativePath: "setup.md" });
  assert.doesNotMatch(html, /vscode:/);
  const text = html.replace(/<[^>]+>/g, "");
  if (repo) assert.ok(text.includes(`git clone ${repo.url}`), text);
  else assert.match(text, /Your instructor gives you/);
});
