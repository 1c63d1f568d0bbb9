// The directory of rooms (stage 08) on the chat page (shared/public/directory.js), in real Chromium
// against real `npm run solution` servers of stages 08 and 07. Opened without ?room, a stage 08
// page lists the rooms with people in them, busiest first, each a link to its room, and offers a
// New room button; inside a room, "All rooms" leads back. A stage 07 server has no /api/rooms (its
// Worker answers 404): the page shows none of it, logs nothing, and works as before. Pages wait
// on conditions with deadlines, never on fixed sleeps.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ROOM_PATTERN, type RoomEntry } from "../../protocol.ts";
import { chromiumSkipReason, launchChromium } from "../browser/chromium.ts";
import { startDevServer, type DevServer } from "../dev-server.ts";
import { REPO_ROOT } from "../paths.ts";
import * as chats from "./chat-page-helpers.ts";
import { joinRoom, waitForStatus, waitForText, waitUntil, watch, type Chat } from "./chat-page-helpers.ts";

/** A made-up room: two words and three groups of four letters or digits, like swift-otter-7k2m-q9xd-4hn3. */
const ROOM_SHAPE = /^[a-z]+-[a-z]+(?:-[0-9a-z]{4}){3}$/;
/** How often the directory asks again. (directory.js touches the DOM only when called, so Node can import it.) */
const { REFRESH_MS }: { REFRESH_MS: number } = await import(pathToFileURL(join(REPO_ROOT, "shared/public/directory.js")).href);

/** A line of the directory as the page shows it. */
type Listed = { room: string; count: string; search: string };

/** The directory's lines, or "(hidden)" when its list does not show. */
async function listed(page: Page): Promise<Listed[] | "(hidden)"> {
  if (!(await page.locator("#room-list").isVisible())) return "(hidden)";
  return page.locator("#room-list > li").evaluateAll((items) =>
    items.map((item) => ({
      room: item.querySelector(".room-label")?.textContent ?? "",
      count: item.querySelector(".room-count")?.textContent ?? "",
      search: new URL(item.querySelector("a")?.href ?? "about:blank").search,
    })),
  );
}

async function waitForListed(page: Page, expected: Listed[]): Promise<void> {
  let seen: Listed[] | "(hidden)" = [];
  await waitUntil(
    async () => isDeepStrictEqual((seen = await listed(page)), expected),
    () => `expected the directory to list ${JSON.stringify(expected)}, it shows ${JSON.stringify(seen)}`,
  );
}

/** Waits until the server's directory is `expected`: it hears of joins and leaves a moment late. */
async function waitForApi(server: DevServer, expected: RoomEntry[]): Promise<void> {
  let seen: unknown;
  await waitUntil(
    async () => isDeepStrictEqual((seen = await (await fetch(`${server.origin}/api/rooms`)).json()), { rooms: expected }),
    () => `expected /api/rooms to answer ${JSON.stringify({ rooms: expected })}, it answers ${JSON.stringify(seen)}`,
  );
}

/** Whether the page got past its start: it has shown a room, or the directory. */
const started = (page: Page) => page.locator("#app:not(.starting)").waitFor({ timeout: chats.WAIT_MS });

function noTrouble(chats: Chat[]): void {
  for (const chat of chats) {
    assert.deepEqual(chat.errors, []);
    assert.deepEqual(chat.console, [], "nothing logged: not even the 404 of a server without a directory");
    assert.deepEqual(chat.dialogs, []);
  }
}

describe("the directory of rooms in Chromium", { skip: chromiumSkipReason() }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), "hello-chat-directory-"));
  const contexts: BrowserContext[] = [];
  const sockets: WebSocket[] = [];
  let browser: Browser;
  /** Stage 08, with /api/rooms; stage 07, without. Started together: starting wrangler is most of the time here. */
  let withDirectory: DevServer;
  let withoutDirectory: DevServer;

  before(async () => {
    [browser, withDirectory, withoutDirectory] = await Promise.all([
      launchChromium(),
      startDevServer({ kind: "solutions", stage: 8, stateDir }),
      startDevServer({ kind: "solutions", stage: 7, stateDir }),
    ]);
  });

  // Each test's people leave, so the next one starts with an empty directory.
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await Promise.all([withDirectory?.stop(), withoutDirectory?.stop()]);
    rmSync(stateDir, { recursive: true, force: true });
  });

  /**
   * A fresh browser profile on `path` of `server`, its page watched (chat-page-helpers.ts), and the
   * workers it starts: the page asks for /api/rooms from one, which ends once it has the answer.
   */
  async function open(server: DevServer, path: string, { clock = false } = {}): Promise<Chat & { workers: { closed: boolean }[] }> {
    const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC" });
    contexts.push(context);
    if (clock) await context.clock.install();
    const chat = { ...watch(await context.newPage()), workers: [] as { closed: boolean }[] };
    chat.page.on("worker", (worker) => {
      const entry = { closed: false };
      chat.workers.push(entry);
      worker.on("close", () => (entry.closed = true));
    });
    await chat.page.goto(`${server.origin}${path}`);
    return chat;
  }

  /** Someone in `room` of the stage 08 server, as a plain WebSocket client, until the test ends. */
  async function someone(room: string, name: string): Promise<void> {
    sockets.push(await joinRoom(withDirectory, room, name));
  }

  test("busiest rooms first with their counts, kept up to date; a room's link joins it", async () => {
    await waitForApi(withDirectory, []);
    const chat = await open(withDirectory, "/", { clock: true });
    const { page } = chat;
    await waitForText(page, "#no-rooms", "No one is chatting yet.");
    assert.equal(await listed(page), "(hidden)");
    // The directory, not a room: the address stays as it was, and no room shows.
    assert.equal(new URL(page.url()).search, "");
    assert.equal(await page.title(), "Rooms · hello-chat");
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Rooms");
    assert.equal(await page.getByLabel("Your name").isVisible(), false);
    assert.equal(await page.locator("#status").isVisible(), false);
    assert.equal(chat.sockets.length, 0, "no room joined");

    // Alphabetical order differs from busiest-first here, so a page that sorts by name shows it.
    await Promise.all([
      someone("dir-zebra", "ada"),
      someone("dir-zebra", "bob"),
      someone("dir-zebra", "cy"),
      someone("dir-alpha", "dan"),
      someone("dir-middle", "eve"),
      someone("dir-middle", "fay"),
    ]);
    await waitForApi(withDirectory, [
      { name: "dir-zebra", online: 3 },
      { name: "dir-middle", online: 2 },
      { name: "dir-alpha", online: 1 },
    ]);
    // The page asks again every few seconds: move its clock on rather than wait.
    await page.clock.fastForward(REFRESH_MS);
    await waitForListed(page, [
      { room: "dir-zebra", count: "3 online", search: "?room=dir-zebra" },
      { room: "dir-middle", count: "2 online", search: "?room=dir-middle" },
      { room: "dir-alpha", count: "1 online", search: "?room=dir-alpha" },
    ]);
    assert.equal(await page.locator("#no-rooms").isVisible(), false);
    // A list named Rooms, of links named by the room and its count.
    const links = page.getByRole("list", { name: "Rooms" }).getByRole("link");
    assert.equal(await links.count(), 3);
    assert.equal(await page.getByRole("link", { name: "dir-middle 2 online", exact: true }).count(), 1);

    await page.getByRole("link", { name: "dir-middle 2 online", exact: true }).click();
    await page.waitForURL(/\?room=dir-middle$/);
    await page.getByLabel("Your name").fill("gus");
    await page.getByLabel("Your name").press("Enter");
    await waitForStatus(page, "connected");
    assert.equal(await page.locator("#room-name").textContent(), "dir-middle");
    await waitForText(page, "#online-summary", "3 online: eve, fay, gus");
    noTrouble([chat]);
  });

  test("New room opens a room with a made-up name that fits the room rules", async () => {
    const chat = await open(withDirectory, "/");
    const { page } = chat;
    const newRoom = page.getByRole("button", { name: "New room", exact: true });
    await newRoom.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\?room=/);
    const room = new URL(page.url()).searchParams.get("room") ?? "";
    assert.match(room, ROOM_PATTERN);
    assert.match(room, ROOM_SHAPE);
    assert.equal(await page.locator("#room-name").textContent(), room);
    assert.equal(await page.title(), `${room} · hello-chat`);
    await page.getByLabel("Your name").fill("hal");
    await page.getByLabel("Your name").press("Enter");
    await waitForStatus(page, "connected");
    await waitForApi(withDirectory, [{ name: room, online: 1 }]);
    noTrouble([chat]);
  });

  test("in a room, on a phone: All rooms leads back to the directory, where a remembered name joins nothing", async () => {
    await someone("dir-lounge", "ivy");
    const phone = { viewport: { width: 390, height: 844 }, colorScheme: "dark" } as const;
    const chat = await chats.openChat(browser, withDirectory, "dir-lounge", "jo", phone, { clock: true });
    contexts.push(chat.page.context());
    const { page } = chat;
    const back = page.getByRole("link", { name: "All rooms", exact: true });
    await back.waitFor({ timeout: chats.WAIT_MS });
    assert.equal(await page.evaluate("document.documentElement.scrollWidth"), 390, "no sideways scrolling");

    await back.click();
    await page.waitForURL((url) => url.pathname === "/" && url.search === "");
    await waitForText(page, "#directory-title", "Rooms");
    // jo has left dir-lounge; the page may have asked before the server heard of it.
    await waitForApi(withDirectory, [{ name: "dir-lounge", online: 1 }]);
    await page.clock.fastForward(REFRESH_MS);
    await waitForListed(page, [{ room: "dir-lounge", count: "1 online", search: "?room=dir-lounge" }]);
    // jo's name is remembered, but the directory joins no room by itself.
    assert.equal(chat.sockets.length, 1, "only the socket of dir-lounge, closed when jo left");
    assert.equal(await page.getByRole("button", { name: "New room", exact: true }).isVisible(), true);
    assert.equal(await page.evaluate("document.documentElement.scrollWidth"), 390, "no sideways scrolling");
    noTrouble([chat]);
  });

  test("a server without a directory (stage 07): no directory, no All rooms, nothing logged, joining as before", async () => {
    const chat = await open(withoutDirectory, "/");
    const { page } = chat;
    // As before stage 08: the default room, the form ready at once.
    const room = "default";
    assert.equal(page.url(), `${withoutDirectory.origin}/`);
    assert.equal(await page.evaluate("document.activeElement?.id"), "name");
    await started(page);
    assert.equal(await page.locator("#directory").isVisible(), false);
    assert.equal(await page.getByRole("heading", { name: "Rooms" }).count(), 0);
    assert.equal(await page.locator("#room-name").textContent(), room);
    await page.getByLabel("Your name").fill("kim");
    await page.getByLabel("Your name").press("Enter");
    await waitForStatus(page, "connected");
    await waitForText(page, "#online-summary", "1 online: kim");

    // Opened again without ?room, this tab's name joins the default room by itself, as before.
    await page.goto(`${withoutDirectory.origin}/?room=elsewhere`);
    await waitForStatus(page, "connected");
    await page.goto(`${withoutDirectory.origin}/`);
    await waitForStatus(page, "connected");
    assert.equal(await page.locator("#room-name").textContent(), room);
    await waitForText(page, "#online-summary", "1 online: kim");

    // In a room: once the server has answered the page's question (its worker is done), no link.
    const asked = chat.workers.length;
    await page.reload();
    await waitForStatus(page, "connected");
    await waitUntil(() => chat.workers.length > asked && chat.workers.at(-1)!.closed, () => "the page never asked for /api/rooms");
    assert.equal(await page.locator("#all-rooms").isVisible(), false);
    assert.equal(await page.getByRole("link", { name: "All rooms" }).count(), 0);
    noTrouble([chat]);
  });
});
