// Where the guide's "Edit this page" link goes: the page's source on the repository's web
// host when the checkout came from GitHub or GitLab, else the file on this machine in VS Code
// (an attendee reading the guide locally, with no remote, edits there).
import { execFileSync } from "node:child_process";

/** A VitePress editLink pattern (`:path` is the page's path inside docs/). */
export function editLinkPattern(repoRoot: string): string {
  const remote = process.env.DOCS_REPO_URL || git(repoRoot, ["remote", "get-url", "origin"]);
  // A detached HEAD (as in CI) names no branch.
  const head = git(repoRoot, ["rev-parse", "--abbrev-ref", "HEAD"]);
  const branch = head && head !== "HEAD" ? head : "main";
  return webEditPattern(remote, branch) ?? `vscode://file${repoRoot.replaceAll("\\", "/").replace(/^\/?/, "/")}docs/:path`;
}

/** `https://github.com/o/r/edit/main/docs/:path` for a GitHub or GitLab remote (https or ssh), else undefined. */
export function webEditPattern(remote: string, branch: string): string | undefined {
  const match = /^(?:https:\/\/|git@|ssh:\/\/git@)(github\.com|gitlab\.com)[:/](.+?)(?:\.git)?\/?$/.exec(remote.trim());
  if (!match) return undefined;
  const [, host, path] = match;
  const edit = host === "gitlab.com" ? "-/edit" : "edit";
  return `https://${host}/${path}/${edit}/${branch}/docs/:path`;
}

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    // No git, or no remote: the caller falls back.
    return "";
  }
}
