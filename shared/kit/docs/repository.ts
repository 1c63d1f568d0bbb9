// Where the kit's code is: one setting, the `repository` field of package.json, in npm's form
// { "type": "git", "url": "https://github.com/<owner>/<repo>.git" }. The setup page shows how to
// clone it (`<<< clone`, see code-from-files.ts), the nav links to it, and "Edit this page"
// edits the page there. With none set, the setup page says how else to get the code, and the
// site has neither link: a guide built from a local copy has no page on the web to point to.

export type Repository = {
  /** What `git clone` takes. */
  url: string;
  /** The repository's page, on GitHub or GitLab only: the host whose web pages the links know. */
  web?: string;
  host?: "github" | "gitlab";
};

/** package.json's `repository` (npm's object, or a plain URL string), or undefined when it names none. */
export function repository(field: unknown): Repository | undefined {
  const raw = typeof field === "string" ? field : (field as { url?: unknown } | undefined)?.url;
  if (typeof raw !== "string" || raw.trim() === "") return undefined;
  // `npm pkg fix` writes "git+https://…", which git itself does not take.
  const url = raw.trim().replace(/^git\+/, "");
  const match = /^(?:https:\/\/|git@|ssh:\/\/git@)(github\.com|gitlab\.com)[:/](.+?)(?:\.git)?\/?$/.exec(url);
  if (!match) return { url };
  const [, domain, path] = match;
  return { url, web: `https://${domain}/${path}`, host: domain === "gitlab.com" ? "gitlab" : "github" };
}

/** The nav's repository link and the "Edit this page" link, for the theme config: none without a web page. */
export function themeLinks(repo: Repository | undefined) {
  // Leave socialLinks out rather than empty: VitePress draws an empty box for [].
  if (!repo?.web || !repo.host) return {};
  // HEAD is the repository's default branch, whatever its name.
  const edit = repo.host === "gitlab" ? "-/edit/HEAD" : "edit/HEAD";
  return {
    socialLinks: [{ icon: repo.host, link: repo.web, ariaLabel: "The kit's repository" }],
    editLink: { pattern: `${repo.web}/${edit}/docs/:path`, text: "Edit this page" },
  };
}

/** The setup page's "get the code", as markdown: a clone command, or where else the code comes from. */
export function getTheCode(repo: Repository | undefined): string {
  if (!repo) {
    return [
      "Your instructor gives you the kit's repository address, to copy with `git clone <address>`,",
      "or a copy of the kit as a ZIP file or on a USB stick: unzip or copy it anywhere on your disk.",
      "",
    ].join("\n");
  }
  const folder = repo.url.replace(/\/$/, "").replace(/\.git$/, "").split(/[/:]/).pop();
  const lines = ["```sh", `git clone ${repo.url}`, `cd ${folder}`, "```", ""];
  if (repo.web) {
    const menu = repo.host === "gitlab" ? "**Code → zip**" : "**Code → Download ZIP**";
    lines.push(`No git? On [the repository's page](${repo.web}), ${menu}, then unzip it anywhere.`, "");
  }
  return lines.join("\n");
}
