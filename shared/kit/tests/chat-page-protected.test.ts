// Protected rooms (stage 09) on the chat page (shared/public/api.js and chat.js), in real Chromium
// against real `npm run solution` servers of stages 09 and 08. At stage 09 the directory's New
// room opens a form that creates a room (POST /api/rooms), maybe with a password; the browser
// keeps the owner token, per room, and joins. Before it connects, a page asks GET /api/rooms/<room>
// whether the room is protected: then it asks for the password, buys a ticket with it (a new one
// for every connection) and connects with &ticket=. The owner's Delete room closes everyone's
// socket with 4004: each page says so and stays away. At stage 08 the page shows none of it, and
// asks the server nothing more when it shows the directory. Pages wait on conditions with
// deadlines, never on fixed sleeps.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import type { Browser, BrowserContext, BrowserContextOptions, Page, WebSocketRoute } from "playwright-core";
import * as protocol from "../../protocol.ts";
import { chromiumSkipReason, launchChromium } from "../browser/chromium.ts";
import { startDevServer, type DevServer } from "../dev-server.ts";
import { REPO_ROOT } from "../paths.ts";
import { send, waitForStatus, waitForText, waitForTexts, waitUntil, watch, WAIT_MS, type Chat } from "./chat-page-helpers.ts";

/** The page's reconnection timings (connection.js touches the DOM only when called, so Node can import it). */
const { MAX_DELAY_MS }: { MAX_DELAY_MS: number } = await import(
  pathToFileURL(join(REPO_ROOT, "shared/public/connection.js")).href
);

const PASSWORD = "correct horse battery";
const PHONE = { viewport: { width: 390, height: 844 }, colorScheme: "dark" } as const;
const DELETED = "This room was deleted by its owner.";

/**
 * A page of the chat, what it logged (chat-page-helpers.ts), every request it made of the API, and
 * when each of its WebSockets closed (Date.now(), NaN while open).
 */
type Visit = Chat & { api: string[]; closedAt: number[] };

/** The tickets in the addresses of the page's WebSockets, in order (null: none). */
const tickets = (chat: Chat) => chat.sockets.map((socket) => new URL(socket.url).searchParams.get("ticket"));

function noTrouble(visits: Chat[]): void {
  for (const visit of visits) {
    assert.deepEqual(visit.errors, []);
    assert.deepEqual(visit.console, [], "nothing logged: no refused WebSocket, no 403 or 404 in the console");
    assert.deepEqual(visit.dialogs, [], "the page confirms in its own dialog, not with confirm()");
  }
}

/** POST /api/rooms from Node: the owner token. */
async function createRoom(server: DevServer, name: string, password?: string): Promise<string> {
  const response = await fetch(`${server.origin}/api/rooms`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name, password }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return ((await response.json()) as { ownerToken: string }).ownerToken;
}

/** Spends a room's guesses from Node: `count` wrong passwords. */
async function guessWrong(server: DevServer, room: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${server.origin}/api/rooms/${room}/tickets`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ password: "not the password" }),
    });
    assert.equal(response.status, 403);
  }
}

/** Waits until the server's directory is `expected` (it hears of joins and leaves a moment late). */
async function waitForApi(server: DevServer, expected: protocol.ListedRoom[]): Promise<void> {
  let seen: unknown;
  await waitUntil(
    async () => isDeepStrictEqual((seen = await (await fetch(`${server.origin}/api/rooms`)).json()), { rooms: expected }),
    () => `expected /api/rooms to answer ${JSON.stringify({ rooms: expected })}, it answers ${JSON.stringify(seen)}`,
  );
}

/** The requests wrangler logged after `from` characters of its output: "GET /api/rooms 200". */
function logged(server: DevServer, from: number): string[] {
  return [...server.output().slice(from).matchAll(/\[wrangler:info\] (\w+) (\S+) (\d+)/g)].map(([, method, path, status]) => `${method} ${path} ${status}`);
}

describe("protected rooms in Chromium", { skip: chromiumSkipReason() }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), "hello-chat-protected-"));
  const contexts: BrowserContext[] = [];
  let browser: Browser;
  /** Stage 09, with rooms that have owners and passwords; stage 08, without. Started together. */
  let protectedRooms: DevServer;
  let directoryOnly: DevServer;

  before(async () => {
    [browser, protectedRooms, directoryOnly] = await Promise.all([
      launchChromium(),
      startDevServer({ kind: "solutions", stage: 9, stateDir }),
      startDevServer({ kind: "solutions", stage: 8, stateDir }),
    ]);
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await Promise.all([protectedRooms?.stop(), directoryOnly?.stop()]);
    rmSync(stateDir, { recursive: true, force: true });
  });

  /**
   * A fresh browser profile on `path` of `server`, watched. `name`: remembered from an earlier
   * visit, so the page joins by itself where it can. `clock`: the page's timers are Playwright's.
   * `beforeLoad` may route its WebSockets.
   */
  async function open(
    server: DevServer,
    path: string,
    { name, clock = false, options = {}, beforeLoad }: { name?: string; clock?: boolean; options?: BrowserContextOptions; beforeLoad?: (page: Page) => Promise<void> } = {},
  ): Promise<Visit> {
    const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC", ...options });
    contexts.push(context);
    if (clock) await context.clock.install();
    if (name !== undefined) await context.addInitScript((remembered) => sessionStorage.setItem("hello-chat:name", remembered), name);
    const page = await context.newPage();
    const visit: Visit = { ...watch(page), api: [], closedAt: [] };
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith("/api/")) visit.api.push(`${request.method()} ${url.pathname}`);
    });
    page.on("websocket", (socket) => {
      const index = visit.closedAt.push(NaN) - 1;
      socket.on("close", () => (visit.closedAt[index] = Date.now()));
    });
    await beforeLoad?.(page);
    await page.goto(`${server.origin}${path}`);
    return visit;
  }

  /** In a protected room's form: the name (when asked) and the password, then Enter. */
  async function unlock(page: Page, password: string, name?: string): Promise<void> {
    await page.locator("#password-area").waitFor({ timeout: WAIT_MS });
    if (name !== undefined) await page.getByLabel("Your name").fill(name);
    await page.getByLabel("Room password").fill(password);
    await page.getByLabel("Room password").press("Enter");
  }

  /** The directory's New room form: creates `room`, with `password` if given. */
  async function create(page: Page, room: string, password?: string): Promise<void> {
    await page.getByRole("button", { name: "New room", exact: true }).click();
    const form = page.getByRole("form", { name: "New room" });
    await form.waitFor({ timeout: WAIT_MS });
    await form.getByLabel("Room name").fill(room);
    await form.getByLabel("Password (optional)").fill(password ?? "");
    await form.getByRole("button", { name: "Create room" }).click();
  }

  test("a protected room: created with a password, asked for it, wrong then right; deleted by its owner, each page says so and stays away", async (t) => {
    const room = "vault";
    // The owner: the directory's New room form, then a name.
    const owner = await open(protectedRooms, "/");
    await waitForText(owner.page, "#directory-title", "Rooms");
    await create(owner.page, room, "short");
    await waitForText(owner.page, "#create-error", "Passwords have 8 to 128 characters (this one has 5). Leave it empty for an open room.");
    assert.ok(!owner.api.includes("POST /api/rooms"), "a password the server would refuse is not sent");
    await owner.page.getByLabel("Password (optional)").fill(PASSWORD);
    await owner.page.getByRole("button", { name: "Create room" }).click();
    await owner.page.waitForURL((url) => url.searchParams.get("room") === room);
    await owner.page.getByLabel("Your name").fill("ada");
    await owner.page.getByLabel("Your name").press("Enter");
    await waitForStatus(owner.page, "connected");
    // The owner typed the password a moment ago: the page does not ask again, and keeps only the token.
    const token = await owner.page.evaluate((key) => localStorage.getItem(key), `hello-chat:owner:${room}`);
    assert.match(token ?? "", /^[\w-]{43}$/, "the owner token, kept for this room");
    const stored = await owner.page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    assert.ok(!stored.includes(PASSWORD), `the password is never stored: ${stored}`);
    assert.equal(await owner.page.locator("#room-lock").isVisible(), true, "a lock beside the room's name");
    assert.equal(await owner.page.getByRole("button", { name: "Delete room", exact: true }).isVisible(), true);
    assert.equal(tickets(owner).length, 1);
    assert.ok(tickets(owner)[0], "the owner connected with a ticket");

    // The same name again, from another browser: the server's refusal, as it says it.
    const latecomer = await open(protectedRooms, "/");
    await waitForText(latecomer.page, "#directory-title", "Rooms");
    await create(latecomer.page, room);
    await waitForText(latecomer.page, "#create-error", `The room ${room} already exists: join it, or create one with another name.`);
    assert.equal(new URL(latecomer.page.url()).search, "", "still in the directory");

    // A member: the link alone. The page asks for the password before it connects.
    const member = await open(protectedRooms, `/?room=${room}`, { clock: true, options: PHONE });
    await member.page.locator("#password-area").waitFor({ timeout: WAIT_MS });
    assert.equal(await member.page.locator("#protected-note").isVisible(), true);
    assert.equal(await member.page.getByRole("button", { name: "Join room" }).count(), 1, "one Join button");
    await unlock(member.page, "hunter2hunter2", "bob");
    await waitForText(member.page, "#password-error", "Wrong password.");
    assert.equal(await member.page.evaluate("document.activeElement?.id"), "password", "back in the password field");
    assert.equal(member.sockets.length, 0, "no WebSocket without a ticket");
    await unlock(member.page, PASSWORD);
    await waitForStatus(member.page, "connected");
    assert.equal(member.sockets.length, 1);
    assert.ok(tickets(member)[0] && tickets(member)[0] !== tickets(owner)[0], "a ticket of its own");
    assert.deepEqual(member.api.filter((line) => line.startsWith("POST")), [`POST /api/rooms/${room}/tickets`, `POST /api/rooms/${room}/tickets`]);

    // Both chat. A third reads along and never sends a thing (see the timings below).
    await send(owner.page, "The new room is ready, bob.");
    await waitForTexts(member.page, ["The new room is ready, bob."]);
    await send(member.page, "And nobody else can read it.");
    await waitForTexts(owner.page, ["The new room is ready, bob.", "And nobody else can read it."]);
    const lurker = await open(protectedRooms, `/?room=${room}`, { name: "cat" });
    await unlock(lurker.page, PASSWORD);
    await waitForTexts(lurker.page, ["The new room is ready, bob.", "And nobody else can read it."]);
    await waitForText(owner.page, "#online-summary", "3 online: ada, bob, cat");

    // The directory shows the room with a lock, which its link's name reads out.
    await waitForApi(protectedRooms, [{ name: room, online: 3, protected: true }]);
    const visitor = await open(protectedRooms, "/", { options: PHONE });
    const line = visitor.page.getByRole("link", { name: `${room} Protected 3 online`, exact: true });
    await line.waitFor({ timeout: WAIT_MS });
    assert.equal(await line.locator(".room-lock svg").isVisible(), true);
    await visitor.page.getByRole("button", { name: "New room", exact: true }).click();
    await visitor.page.getByRole("form", { name: "New room" }).waitFor({ timeout: WAIT_MS });
    assert.equal(await visitor.page.getByRole("button", { name: "New room", exact: true }).getAttribute("aria-expanded"), "true");
    assert.equal(await visitor.page.evaluate("document.documentElement.scrollWidth"), 390, "no sideways scrolling on a phone");

    // The owner deletes the room, after confirming.
    await owner.page.getByRole("button", { name: "Delete room", exact: true }).click();
    const dialog = owner.page.getByRole("dialog", { name: "Delete this room?" });
    await dialog.waitFor({ timeout: WAIT_MS });
    assert.equal(await owner.page.evaluate("document.activeElement?.id"), "confirm-cancel", "Cancel has the focus");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden", timeout: WAIT_MS });
    assert.ok(!owner.api.some((line) => line.startsWith("DELETE")), "cancelled: nothing deleted");
    await owner.page.getByRole("button", { name: "Delete room", exact: true }).click();
    const start = Date.now();
    await dialog.getByRole("button", { name: "Delete", exact: true }).click();
    await waitForText(owner.page, "#ended-title", "You deleted this room.");
    const ownerSaw = Date.now() - start;
    await waitForText(member.page, "#ended-title", DELETED);
    const memberSaw = Date.now() - start;
    await waitForText(lurker.page, "#ended-title", DELETED);
    const lurkerSaw = Date.now() - start;
    // The close frame reaches every page at once, but Chromium reports the close (the only event a
    // page gets) once the connection is closed. wrangler dev closes it at once for a socket that
    // has sent a frame, else only after a while: Chromium then gives up waiting after 2 s.
    t.diagnostic(`after Delete: the owner's page said so in ${ownerSaw} ms, the member's in ${memberSaw} ms, the silent reader's in ${lurkerSaw} ms`);
    assert.equal(await owner.page.evaluate((key) => localStorage.getItem(key), `hello-chat:owner:${room}`), null, "the token is forgotten");
    for (const visit of [owner, member, lurker]) {
      await waitForText(visit.page, "#status-text", "Room deleted");
      assert.equal(await visit.page.locator("#composer").isVisible(), false);
      assert.equal(await visit.page.getByRole("link", { name: "All rooms" }).last().isVisible(), true);
    }
    assert.equal(await owner.page.locator("#owner").isVisible(), false);
    assert.equal(await member.page.evaluate("document.documentElement.scrollWidth"), 390, "no sideways scrolling on a phone");
    // When the member's browser reported its socket closed (Playwright sees what the page sees).
    t.diagnostic(`Playwright saw the WebSockets close ${member.closedAt[0] - start} ms (member), ${lurker.closedAt[0] - start} ms (silent reader) after Delete`);

    // And stays away: long after every retry would have come, no new socket, no new ticket.
    const asked = member.api.length;
    await member.page.clock.runFor(MAX_DELAY_MS * 3);
    await waitForText(member.page, "#status-text", "Room deleted");
    assert.equal(member.sockets.length, 1, "no reconnection into the new room of that name");
    assert.equal(member.api.length, asked, "no ticket asked for");
    // The name starts over: an open room nobody has, which the directory no longer lists.
    assert.deepEqual(await (await fetch(`${protectedRooms.origin}/api/rooms/${room}`)).json(), { name: room, protected: false });
    await waitForApi(protectedRooms, []);
    assert.equal(lurker.sockets.length, 1);
    noTrouble([owner, latecomer, member, lurker, visitor]);
  });

  test("a room without a password joins as at stage 08: no prompt, no ticket; its creator may still delete it", async () => {
    // A room nobody created: a remembered name joins at once.
    const guest = await open(protectedRooms, "/?room=open-plan", { name: "cy" });
    await waitForStatus(guest.page, "connected");
    assert.deepEqual(tickets(guest), [null]);
    assert.equal(await guest.page.locator("#password-area").isVisible(), false);
    assert.equal(await guest.page.locator("#room-lock").isVisible(), false);
    assert.equal(await guest.page.locator("#owner").isVisible(), false, "nobody's room: no Delete button");
    assert.deepEqual(guest.api, ["GET /api/rooms", "GET /api/rooms/open-plan"]);

    // A room created without a password: open to all, but it has an owner.
    const owner = await open(protectedRooms, "/", { name: "dee" });
    await create(owner.page, "den");
    await owner.page.waitForURL((url) => url.searchParams.get("room") === "den");
    await waitForStatus(owner.page, "connected");
    assert.deepEqual(tickets(owner), [null]);
    assert.equal(await owner.page.getByRole("button", { name: "Delete room", exact: true }).isVisible(), true);
    const friend = await open(protectedRooms, "/?room=den", { name: "eli" });
    await waitForStatus(friend.page, "connected");
    assert.deepEqual(tickets(friend), [null]);
    await waitForText(owner.page, "#online-summary", "2 online: dee, eli");
    assert.ok(!friend.api.some((line) => line.startsWith("POST")), JSON.stringify(friend.api));
    noTrouble([guest, owner, friend]);
  });

  test("every reconnection buys a new ticket; refused (5 wrong guesses by someone), the page asks again and says how long to wait", async () => {
    const room = "hall";
    await createRoom(protectedRooms, room, PASSWORD);
    // The page's WebSockets go through Playwright, to the real server: the test can cut them.
    const routes: WebSocketRoute[] = [];
    const upstreams: WebSocketRoute[] = [];
    const member = await open(protectedRooms, `/?room=${room}`, {
      name: "fay",
      beforeLoad: (page) =>
        page.routeWebSocket(/\/ws\?/, (route) => {
          routes.push(route);
          upstreams.push(route.connectToServer());
        }),
    });
    /** The connection drops, as when the server restarts: both sides close. */
    const drop = async (index: number) => {
      await routes[index].close({ code: 1012, reason: "Service Restart" });
      await upstreams[index].close({ code: 1000, reason: "Test over" });
    };
    // A remembered name: only the password is asked, and its field has the focus.
    await member.page.locator("#password-area").waitFor({ timeout: WAIT_MS });
    assert.equal(await member.page.getByLabel("Your name").inputValue(), "fay");
    await waitUntil(async () => (await member.page.evaluate("document.activeElement?.id")) === "password", () => "the password field never had the focus");
    await member.page.keyboard.type(PASSWORD);
    await member.page.keyboard.press("Enter");
    await waitForStatus(member.page, "connected");
    // Stage 10 says how long a room keeps its messages; stage 09 does not: no such line.
    assert.equal(await member.page.locator("#retention").isVisible(), false);

    // The connection drops: the page reconnects by itself, with a new ticket.
    await drop(0);
    await waitUntil(() => routes.length === 2, () => `expected a second connection, saw ${routes.length}`);
    await waitForStatus(member.page, "connected");
    const [first, second] = routes.map((route) => new URL(route.url()).searchParams.get("ticket"));
    assert.ok(first && second && first !== second, `two different tickets: ${first}, ${second}`);
    await send(member.page, "Still here after the drop.");
    await waitForTexts(member.page, ["Still here after the drop."]);

    // Someone spends the room's guesses; then the connection drops again. The new ticket is refused:
    // the page stops, asks for the password again and gives the server's wait.
    await guessWrong(protectedRooms, room, 5);
    await drop(1);
    await member.page.locator("#password-area").waitFor({ timeout: WAIT_MS });
    await waitForText(member.page, "#password-error", /^Too many wrong passwords: try again in \d+ s\.$/);
    await waitForText(member.page, "#status-text", "Offline");
    assert.equal(await member.page.locator("#password-button").isDisabled(), true, "no guess before the wait is over");
    assert.equal(routes.length, 2, "no WebSocket without a ticket");

    // A second page, asked for the password now, hears the same.
    const other = await open(protectedRooms, `/?room=${room}`);
    await unlock(other.page, PASSWORD, "gil");
    await waitForText(other.page, "#password-error", /^Too many wrong passwords: try again in \d+ s\.$/);
    assert.equal(other.sockets.length, 0);
    noTrouble([member, other]);
  });

  test("stage 08: no New room form, no password, nothing logged, and the directory asks only for /api/rooms", async () => {
    const server = directoryOnly;
    const from = server.output().length;
    const visit = await open(server, "/", { name: "hal" });
    await waitForText(visit.page, "#directory-title", "Rooms");
    await visit.page.locator("#app:not(.starting)").waitFor({ timeout: WAIT_MS });
    // The log is in the order the server answered: once it shows this, it shows what the page asked before.
    await fetch(`${server.origin}/after-the-directory`);
    await waitUntil(() => logged(server, from).includes("GET /after-the-directory 404"), () => `the log shows ${JSON.stringify(logged(server, from))}`);
    assert.deepEqual(
      logged(server, from).filter((line) => line.includes("/api/")),
      ["GET /api/rooms 200"],
      "a directory at stage 08 asks for nothing else: no probe that the server's log shows as a 404",
    );

    // New room: a made-up room, as before (the page finds out that there is no form: one GET, no POST).
    await visit.page.getByRole("button", { name: "New room", exact: true }).click();
    await visit.page.waitForURL(/\?room=/);
    await waitForStatus(visit.page, "connected");
    const room = new URL(visit.page.url()).searchParams.get("room") ?? "";
    assert.match(room, protocol.ROOM_PATTERN);
    assert.deepEqual(tickets(visit), [null]);
    assert.equal(await visit.page.locator("#password-area").isVisible(), false);
    assert.equal(await visit.page.locator("#owner").isVisible(), false);
    assert.ok(!visit.api.some((line) => !line.startsWith("GET ")), `only GETs: ${JSON.stringify(visit.api)}`);
    noTrouble([visit]);
  });
});
