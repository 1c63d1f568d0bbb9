// Finding Chromium for the browser tests: skipped with a clear reason on a laptop without it,
// a failure under CI=true, where a silently skipped browser suite would hide a broken set-up.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { chromiumPath, chromiumSkipReason } from "../browser/chromium.ts";

const saved = { CI: process.env.CI, CHROMIUM_PATH: process.env.CHROMIUM_PATH };
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

test("CHROMIUM_PATH overrides Debian's /usr/bin/chromium", () => {
  delete process.env.CHROMIUM_PATH;
  assert.equal(chromiumPath(), "/usr/bin/chromium");
  process.env.CHROMIUM_PATH = "/opt/chromium/chrome";
  assert.equal(chromiumPath(), "/opt/chromium/chrome");
});

test("a missing Chromium outside CI: skipped, saying how to install it", () => {
  process.env.CHROMIUM_PATH = "/nowhere/chromium";
  delete process.env.CI;
  assert.equal(
    chromiumSkipReason(),
    "Chromium not found at /nowhere/chromium: browser tests skipped. " +
      "Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH.",
  );
});

test("a missing Chromium under CI=true: an error, not a skip", () => {
  process.env.CHROMIUM_PATH = "/nowhere/chromium";
  process.env.CI = "true";
  assert.throws(() => chromiumSkipReason(), /Chromium not found at \/nowhere\/chromium.*CI=true: not skipping/);
});

test("a Chromium that is there: no reason to skip", () => {
  process.env.CHROMIUM_PATH = process.execPath; // any file that exists
  process.env.CI = "true";
  assert.equal(chromiumSkipReason(), undefined);
});
