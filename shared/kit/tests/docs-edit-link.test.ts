// The guide's "Edit this page" link: the repository's web editor for a GitHub or GitLab clone.
import assert from "node:assert/strict";
import { test } from "node:test";
import { webEditPattern } from "../docs/edit-link.ts";

test("GitHub and GitLab remotes, over https or ssh, edit the page in the browser", () => {
  const github = "https://github.com/you/hello-chat/edit/main/docs/:path";
  assert.equal(webEditPattern("https://github.com/you/hello-chat.git", "main"), github);
  assert.equal(webEditPattern("https://github.com/you/hello-chat", "main"), github);
  assert.equal(webEditPattern("git@github.com:you/hello-chat.git", "main"), github);
  assert.equal(webEditPattern("ssh://git@github.com/you/hello-chat.git\n", "main"), github);
  assert.equal(
    webEditPattern("git@gitlab.com:group/sub/hello-chat.git", "workshop"),
    "https://gitlab.com/group/sub/hello-chat/-/edit/workshop/docs/:path",
  );
});

test("any other remote, or none, has no web editor", () => {
  assert.equal(webEditPattern("", "main"), undefined);
  assert.equal(webEditPattern("/srv/git/hello-chat.git", "main"), undefined);
  assert.equal(webEditPattern("https://example.com/you/hello-chat.git", "main"), undefined);
});
