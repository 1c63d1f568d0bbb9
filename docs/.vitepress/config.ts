// The workshop guide. Pages are in docs/; code they show is read from steps/ and
// solutions/ at build time (shared/kit/docs/code-from-files.ts), never pasted, and each
// stage's "Common mistakes" table from the catalogue that `npm test` proves
// (shared/checks/mistakes/). Where the code is comes from package.json's `repository`
// (shared/kit/docs/repository.ts): the setup page's clone command, the nav link, "Edit this page".
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitepress";
import { catalogue } from "../../shared/checks/mistakes/catalogue.ts";
import { codeFromFiles } from "../../shared/kit/docs/code-from-files.ts";
import { repository, themeLinks } from "../../shared/kit/docs/repository.ts";
import { STAGES, type Stage } from "../../shared/kit/stages.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MISTAKES = await catalogue();
const REPOSITORY = repository(JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).repository);

/** A stage's entry in the sidebar: "03 · Persistence". */
function stageLink(stage: Stage) {
  return { text: `${String(stage.number).padStart(2, "0")} · ${stage.title}`, link: `/steps/${stage.slug}` };
}

export default defineConfig({
  title: "hello-chat",
  description: "Build a real-time chat on Cloudflare Workers and Durable Objects, one checked step at a time.",
  lang: "en",
  // Links to the chat at http://localhost:8787/ are meant for the reader's own machine.
  ignoreDeadLinks: "localhostLinks",
  // The chat page's own icon (docs/public/favicon.svg), in every page's HTML.
  head: [["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }]],
  markdown: {
    config: (md) => codeFromFiles(md, { root: REPO_ROOT, mistakes: MISTAKES, repository: REPOSITORY }),
  },
  themeConfig: {
    nav: [
      { text: "Set up", link: "/setup" },
      { text: "Stages", link: "/steps/01-echo" },
      { text: "Instructors", link: "/instructors" },
      { text: "Reference", link: "/reference/protocol" },
    ],
    sidebar: [
      {
        text: "Start here",
        items: [
          { text: "What you will build", link: "/" },
          { text: "Set up", link: "/setup" },
        ],
      },
      {
        text: "Stages",
        items: STAGES.filter((stage) => !stage.optional).map(stageLink),
      },
      // Stages after the workshop's end (06), for those who finish early.
      {
        text: "Optional stages",
        items: STAGES.filter((stage) => stage.optional).map(stageLink),
      },
      {
        text: "Beyond the stages",
        items: [
          { text: "Exercises", link: "/exercises" },
          { text: "Troubleshooting", link: "/troubleshooting" },
          { text: "Deploy to Cloudflare", link: "/deploy" },
          { text: "Instructor guide", link: "/instructors" },
        ],
      },
      {
        text: "Reference",
        items: [
          { text: "Chat protocol", link: "/reference/protocol" },
          { text: "Commands", link: "/reference/commands" },
          { text: "Repository layout", link: "/reference/layout" },
          { text: "Benchmarks", link: "/reference/benchmarks" },
        ],
      },
    ],
    search: { provider: "local" },
    // socialLinks and editLink: none unless package.json names a GitHub or GitLab repository.
    ...themeLinks(REPOSITORY),
    outline: { level: [2, 3] },
    docFooter: { prev: "Previous", next: "Next" },
  },
});
