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

/** WCAG 2 contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5]
      .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

test("text colours are readable (WCAG AA, 4.5:1) on their backgrounds, light and dark", () => {
  const css = read("shared/public/chat.css").toString();
  const palette = (block: string | undefined) =>
    Object.fromEntries([...(block ?? "").matchAll(/--([\w-]+):\s*(#[0-9a-f]{6});/g)].map((m) => [m[1], m[2]]));
  const light = palette(css.match(/^:root \{([^}]*)\}/m)?.[1]);
  const dark = { ...light, ...palette(css.match(/prefers-color-scheme: dark\) \{\s*:root \{([^}]*)\}/)?.[1]) };
  assert.ok(Object.keys(light).length > 10 && Object.keys(dark).length === Object.keys(light).length);
  const pairs = [
    ["text", "bg"], ["text", "surface"], ["muted", "bg"], ["muted", "surface"], ["muted", "surface-2"],
    ["mine-text", "mine-bg"], ["mine-muted", "mine-bg"], ["on-accent", "accent"], ["accent", "surface"],
    ["danger", "surface"], ["ok", "surface-2"], ["warn", "surface-2"],
    // Private messages (stage 07): their label, text and times on their tint.
    ["private-text", "private-bg"], ["text", "private-bg"], ["muted", "private-bg"],
    // Protected rooms (stage 09): Delete room, and the errors of the New room form on its tint.
    ["on-danger", "danger"], ["danger", "surface-2"],
  ];
  for (const [scheme, colours] of Object.entries({ light, dark })) {
    for (const [fore, back] of pairs) {
      const ratio = contrast(colours[fore], colours[back]);
      assert.ok(ratio >= 4.5, `${scheme}: --${fore} on --${back} has contrast ${ratio.toFixed(2)}, below 4.5`);
    }
  }
});
