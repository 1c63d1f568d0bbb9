// The chat page's static files: the vendored QR library must be exactly the installed uqr,
// so upgrading the dependency cannot leave an old copy behind in shared/public.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../paths.ts";

const read = (path: string) => readFileSync(join(REPO_ROOT, path));

test("shared/public/vendor/uqr.mjs is byte-identical to node_modules/uqr/dist/index.mjs", () => {
  assert.ok(
    read("shared/public/vendor/uqr.mjs").equals(read("node_modules/uqr/dist/index.mjs")),
    "The vendored QR library differs from the installed uqr. After upgrading uqr, run:\n" +
      "  cp node_modules/uqr/dist/index.mjs shared/public/vendor/uqr.mjs\n" +
      "  cp node_modules/uqr/LICENSE shared/public/vendor/uqr.LICENSE",
  );
  assert.ok(read("shared/public/vendor/uqr.LICENSE").equals(read("node_modules/uqr/LICENSE")));
});

test("the page loads only its own files: no CDN, so it works offline", () => {
  const html = read("shared/public/index.html").toString();
  const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
  assert.ok(urls.length > 0);
  for (const url of urls) assert.match(url, /^\//, `${url} should be a path on the same server`);
});
