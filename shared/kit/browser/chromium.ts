// Debian's Chromium, driven by playwright-core, for the kit's browser tests and screenshots.
// The kit never downloads a browser: it uses the system one (apt-get install chromium).
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

const DEFAULT_PATH = "/usr/bin/chromium";

/** Where Chromium is expected: $CHROMIUM_PATH, or Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_PATH;
}

/**
 * Why browser tests cannot run here, or undefined when they can. Use it as
 * `describe("…", { skip: chromiumSkipReason() }, …)` so the reason shows in the output.
 * Under CI=true a missing Chromium is a failure, not a skip: CI installs it, so its
 * absence means the set-up broke, and a silently skipped suite would hide that.
 */
export function chromiumSkipReason(): string | undefined {
  const path = chromiumPath();
  if (existsSync(path)) return undefined;
  const reason =
    `Chromium not found at ${path}: browser tests skipped. ` +
    "Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH.";
  if (process.env.CI === "true") {
    throw new Error(`${reason.replace("browser tests skipped", "browser tests cannot run")} (CI=true: not skipping.)`);
  }
  return reason;
}

/** A headless Chromium that stays offline and quiet: no sync, updates or background fetches. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}
