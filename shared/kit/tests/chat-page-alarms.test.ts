// Alarms (stage 10) on the chat page, in real Chromium against a real `npm run solution` server
// of stage 10. GET /api/rooms/<room> says how long the room keeps its messages: the page shows it
// under the room's name ("Messages are kept for 7 days."). The server closes a connection that
// has not pinged for 90 s with 4008: the page treats it as a lost connection and reconnects (a
// protected room: with a new ticket), unlike 4004 (deleted). The test cannot wait 90 s: the page's
// WebSockets go through Playwright, which closes them with 4008 as the server would.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, WebSocketRoute } from "playwright-core";
import { chromiumSkipReason, launchChromium } from "../browser/chromium.ts";
import { send, waitForStatus, waitForText, waitForTexts, waitUntil, watch, WAIT_MS } from "./chat-page-helpers.ts";
import { serverForTests } from "./test-server.ts";

const PASSWORD = "correct horse battery";

describe("the chat page at stage 10 (alarms)", { skip: chromiumSkipReason() }, () => {
  const server = serverForTests("solutions", 10, "alarms-page");
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  test("says how long messages are kept; a 4008 close (no ping) reconnects with a new ticket", async () => {
    const room = "kept";
    const created = await fetch(`${server().origin}/api/rooms`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: room, password: PASSWORD }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const info = (await (await fetch(`${server().origin}/api/rooms/${room}`)).json()) as { retentionSeconds?: number };
    assert.equal(info.retentionSeconds, 604800);

    const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC" });
    try {
      await context.addInitScript(() => sessionStorage.setItem("hello-chat:name", "gus"));
      const page = await context.newPage();
      const chat = watch(page);
      const routes: WebSocketRoute[] = [];
      const upstreams: WebSocketRoute[] = [];
      await page.routeWebSocket(/\/ws\?/, (route) => {
        routes.push(route);
        upstreams.push(route.connectToServer());
      });
      await page.goto(`${server().origin}/?room=${room}`);
      await page.locator("#password-area").waitFor({ timeout: WAIT_MS });
      await waitForText(page, "#retention", "Messages are kept for 7 days.");
      assert.equal(await page.locator("#retention").isVisible(), true);
      await page.locator("#password").fill(PASSWORD);
      await page.locator("#password").press("Enter");
      await waitForStatus(page, "connected");

      // The server's alarm finds the connection silent: 4008, both sides closed.
      await routes[0].close({ code: 4008, reason: "No ping for 90 s: the connection looked dead. Reconnect." });
      await upstreams[0].close({ code: 1000, reason: "Test over" });
      await waitUntil(() => routes.length === 2, () => `expected a second connection, saw ${routes.length}`);
      await waitForStatus(page, "connected");
      const [first, second] = routes.map((route) => new URL(route.url()).searchParams.get("ticket"));
      assert.ok(first && second && first !== second, `two different tickets: ${first}, ${second}`);
      assert.equal(await page.locator("#ended").isVisible(), false, "not treated as a deleted room");
      await send(page, "Back after 4008.");
      await waitForTexts(page, ["Back after 4008."]);
      assert.equal(await page.locator("#retention").textContent(), "Messages are kept for 7 days.");
      assert.deepEqual(chat.errors, []);
      assert.deepEqual(chat.dialogs, []);
    } finally {
      await context.close();
    }
  });

  test("other retentions read as the server gives them, to the second", async () => {
    const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC" });
    try {
      const page = await context.newPage();
      const chat = watch(page);
      let seconds = 0;
      // As if the server ran with RETENTION_SECONDS set: GET /api/rooms/<room> answers it.
      await page.route(/\/api\/rooms\/timed$/, (route) => route.fulfill({ json: { name: "timed", protected: false, retentionSeconds: seconds } }));
      for (const [given, shown] of [[60, "1 minute"], [90, "1 minute 30 seconds"], [3600, "1 hour"], [86_400 + 61, "1 day 1 minute 1 second"]] as const) {
        seconds = given;
        await page.goto(`${server().origin}/?room=timed`);
        await waitForText(page, "#retention", `Messages are kept for ${shown}.`);
      }
      assert.deepEqual(chat.errors, []);
    } finally {
      await context.close();
    }
  });

  test("a room created from the directory says how long it keeps messages, without a reload", async () => {
    const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC" });
    try {
      const page = await context.newPage();
      const chat = watch(page);
      await page.goto(`${server().origin}/`);
      await waitForText(page, "#directory-title", "Rooms");
      const loads: string[] = [];
      page.on("load", () => loads.push(page.url()));
      await page.getByRole("button", { name: "New room", exact: true }).click();
      const form = page.getByRole("form", { name: "New room" });
      await form.getByLabel("Room name").fill("fresh");
      await form.getByRole("button", { name: "Create room" }).click();
      await page.waitForURL((url) => url.searchParams.get("room") === "fresh");
      await waitForText(page, "#retention", "Messages are kept for 7 days.");
      assert.deepEqual(loads, [], "the page went into the room without loading again");
      assert.deepEqual(chat.errors, []);
    } finally {
      await context.close();
    }
  });
});
