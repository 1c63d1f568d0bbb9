// The chat page (shared/public) in real Chromium, against real `npm run solution` servers:
// what an attendee sees at stage 01 (echo), 03 (history, no timestamps) and 06 (timestamps,
// who is online, the rate limit, resuming after a crash). Pages wait on conditions with
// deadlines, never on fixed sleeps.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, afterEach, before, describe, test } from "node:test";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { chromiumSkipReason, launchChromium } from "../browser/chromium.ts";
import { startDevServer, type DevServer } from "../dev-server.ts";
import { isPortFree } from "../free-port.ts";
import * as chats from "./chat-page-helpers.ts";
import { say, send, shown, texts, waitForStatus, waitForText, waitForTexts, waitUntil, WAIT_MS, type Chat } from "./chat-page-helpers.ts";
/** A made-up room: two words and three groups of four letters or digits, like swift-otter-7k2m-q9xd-4hn3. */
const ROOM_SHAPE = /^[a-z]+-[a-z]+(?:-[0-9a-z]{4}){3}$/;
/** A restarted wrangler needs a while, and the page's backoff may add up to 10 s on top. */
const RECONNECT_WAIT_MS = 60_000;

describe("the chat page in Chromium", { skip: chromiumSkipReason() }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), "hello-chat-page-"));
  /** Two servers of one stage cannot share a state folder (SQLite would be locked): the crashed one has its own. */
  const crashStateDir = mkdtempSync(join(tmpdir(), "hello-chat-page-crash-"));
  const contexts: BrowserContext[] = [];
  const servers: DevServer[] = [];
  let browser: Browser;
  /** One server per stage, started together: starting wrangler is most of this suite's time. */
  let echo: DevServer;
  let persistence: DevServer;
  let rateLimit: DevServer;
  /** Stage 06 again, for the tests that crash it. */
  let crashing: DevServer;

  before(async () => {
    [browser, echo, persistence, rateLimit, crashing] = await Promise.all([
      launchChromium(),
      serve(1),
      serve(3),
      serve(6),
      serve(6, undefined, crashStateDir),
    ]);
  });

  // A page left open keeps running (a reconnecting one animates its status dot): close each test's pages.
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });

  after(async () => {
    await browser?.close();
    const running = servers.filter((server) => server.child.exitCode === null && server.child.signalCode === null);
    await Promise.all(running.map((server) => server.stop()));
    for (const dir of [stateDir, crashStateDir]) rmSync(dir, { recursive: true, force: true });
  });

  async function serve(stage: number, port?: number, dir = stateDir): Promise<DevServer> {
    const server = await startDevServer({ kind: "solutions", stage, stateDir: dir, port });
    servers.push(server);
    return server;
  }

  /** A fresh browser profile that joins `room` as `name` (chat-page-helpers.ts). */
  async function openChat(
    server: DevServer,
    room: string,
    name: string,
    options: BrowserContextOptions = {},
    { clock = false } = {},
  ): Promise<Chat> {
    const chat = await chats.openChat(browser, server, room, name, options, { clock });
    contexts.push(chat.page.context());
    return chat;
  }

  test("stage 01 (echo): the page joins, shows its own echo as its own, and nothing a later stage adds", async () => {
    const { page, errors } = await openChat(echo, "echo-room", "ada");
    await send(page, "hello, me");
    const [line] = await waitForTexts(page, ["hello, me"]);
    assert.equal(line.name, "ada");
    assert.equal(line.mine, true);
    assert.equal(line.time, null, "no time before stage 04");
    assert.equal(await page.locator("#online-summary").isHidden(), true, "no one-online list before stage 05");
    assert.deepEqual(errors, []);
  });

  test("keyboard only, with labelled controls and a live message list", async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${echo.origin}/`);
    // No ?room=: the default room, where every tab opened at / meets; its link names it.
    const room = "default";
    assert.equal(page.url(), `${echo.origin}/`);
    assert.equal(await page.locator("#room-name").textContent(), room);
    assert.equal(await page.getByLabel("Link to this room", { exact: true }).inputValue(), `${echo.origin}/?room=${room}`);
    assert.equal(await page.locator("#qr svg").count(), 1, "a QR code of the link");
    assert.equal(await page.locator("#lan-hint").isVisible(), true, "on 127.0.0.1 the page explains --lan");

    // The name field has focus; a name the server would refuse is explained, not sent.
    assert.equal(await focusedId(page), "name");
    await page.keyboard.type("x".repeat(33));
    await page.keyboard.press("Enter");
    assert.match((await page.locator("#name-error").textContent()) ?? "", /at most 32 characters \(this one has 33\)/);
    await page.keyboard.press("Control+A");
    await page.keyboard.type("  Grace 🙂  ");
    await page.keyboard.press("Enter");
    await waitForStatus(page, "connected");
    // Remembered for this tab (a reload joins again) and offered to the next tab.
    assert.deepEqual(await page.evaluate(() => [sessionStorage.getItem("hello-chat:name"), localStorage.getItem("hello-chat:name")]), ["Grace 🙂", "Grace 🙂"]);

    const sendButton = page.getByRole("button", { name: "Send" });
    assert.equal(await focusedId(page), "message");
    assert.equal(await sendButton.isDisabled(), true, "nothing to send yet");
    await page.keyboard.type("   ");
    assert.equal(await sendButton.isDisabled(), true, "only spaces is empty");
    await page.keyboard.type("typed, then Enter");
    await page.keyboard.press("Enter");
    await waitForTexts(page, ["typed, then Enter"]);
    assert.equal(await focusedId(page), "message", "the input keeps focus after sending");
    assert.equal(await page.getByLabel("Message", { exact: true }).inputValue(), "");

    // Near the limit a count appears; over it, sending is off.
    await page.getByLabel("Message", { exact: true }).fill("é".repeat(1001));
    assert.equal(await page.locator("#char-count").textContent(), "1001 / 1000: 1 too many");
    assert.equal(await sendButton.isDisabled(), true);
    await page.getByLabel("Message", { exact: true }).fill("😀".repeat(1000));
    assert.equal(await page.locator("#char-count").textContent(), "1000 / 1000", "emoji count as one each");
    assert.equal(await sendButton.isDisabled(), false);

    assert.equal(await page.getByRole("log", { name: "Messages" }).getAttribute("aria-live"), "polite");
    assert.equal(await page.getByRole("status").filter({ hasText: "Connected" }).count(), 1);

    // A remembered name joins straight away on the next visit.
    await page.reload();
    await waitForStatus(page, "connected");
    assert.equal(await page.locator("#you-name").textContent(), "Grace 🙂");
  });

  test("a room name the server would refuse is replaced by a new room, with a note why", async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${echo.origin}/?room=${encodeURIComponent("not a room!")}`);
    const room = new URL(page.url()).searchParams.get("room") ?? "";
    assert.match(room, ROOM_SHAPE);
    assert.equal(
      await page.getByRole("alert").textContent(),
      `"not a room!" cannot be a room name: use 1 to 64 letters, digits, "-" or "_". You are in a new room, ${room}, instead.`,
    );
  });

  describe("stage 03: history without timestamps", () => {

    test("two pages in a room talk; a page in another room sees none of it; a reload shows the history", async () => {
      const ada = await openChat(persistence, "room-a", "ada");
      const bob = await openChat(persistence, "room-a", "bob");
      const eve = await openChat(persistence, "room-b", "eve");
      await send(ada.page, "hi bob");
      await waitForTexts(bob.page, ["hi bob"]);
      await send(bob.page, "hi ada");
      const seen = await waitForTexts(ada.page, ["hi bob", "hi ada"]);
      assert.deepEqual(seen.map((line) => line.mine), [true, false]);

      await send(eve.page, "anyone?");
      await waitForTexts(eve.page, ["anyone?"]);
      assert.deepEqual(texts(await shown(eve.page)), ["anyone?"], "room-b sees nothing of room-a");

      await bob.page.reload();
      await waitForStatus(bob.page, "connected");
      const history = await waitForTexts(bob.page, ["hi bob", "hi ada"]);
      assert.deepEqual(history.map((line) => line.mine), [false, true], "own messages are marked after a reload too");
    });

    test("the view follows new messages, unless the reader scrolled up to read", async () => {
      const { page } = await openChat(persistence, "room-scroll", "ada", { viewport: { width: 800, height: 500 } });
      const lines = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
      await say(persistence, "room-scroll", "bob", lines);
      await waitForTexts(page, lines);
      assert.equal(await distanceFromBottom(page), 0);

      await say(persistence, "room-scroll", "bob", ["line 41"]);
      await waitForTexts(page, [...lines, "line 41"]);
      assert.equal(await distanceFromBottom(page), 0, "at the bottom, the view follows");

      await page.evaluate('document.getElementById("scroller").scrollTop = 0');
      await say(persistence, "room-scroll", "bob", ["line 42"]);
      await waitForTexts(page, [...lines, "line 41", "line 42"]);
      assert.equal(await page.evaluate('document.getElementById("scroller").scrollTop'), 0, "scrolled up, it stays");
      await page.getByRole("button", { name: "New messages" }).click();
      assert.equal(await distanceFromBottom(page), 0);
      assert.equal(await page.getByRole("button", { name: "New messages" }).isHidden(), true);
    });

    test("a message that looks like HTML shows literally and runs nothing", async () => {
      const ada = await openChat(persistence, "room-html", "ada");
      const bob = await openChat(persistence, "room-html", "bob");
      const attack = "<img src=x onerror=alert(1)>";
      await send(ada.page, attack);
      for (const chat of [ada, bob]) {
        await waitForTexts(chat.page, [attack]);
        assert.equal(await chat.page.locator("#messages img").count(), 0);
        assert.deepEqual(chat.dialogs, []);
        assert.deepEqual(chat.errors, []);
      }
    });
  });

  describe("stage 06: timestamps, who is online, the rate limit", () => {

    test("on a phone, in dark mode: one column, nothing wider than the screen", async () => {
      const { page } = await openChat(rateLimit, "room-phone", "ada", {
        viewport: { width: 390, height: 844 },
        colorScheme: "dark",
      });
      await send(page, `a long word: ${"x".repeat(300)}`);
      await waitForTexts(page, [`a long word: ${"x".repeat(300)}`]);
      assert.equal(await page.evaluate("document.documentElement.scrollWidth"), 390, "no sideways scrolling");
      assert.equal(await page.evaluate("getComputedStyle(document.body).backgroundColor"), "rgb(15, 17, 23)");
      assert.equal(await page.locator("#info").getAttribute("open"), null, "room details folded away");
      const composer = await page.locator("#composer").boundingBox();
      assert.ok(composer && composer.y + composer.height <= 844, "the input is on screen");
      await page.getByText("Invite people · room details").click();
      assert.equal(await page.getByLabel("Link to this room", { exact: true }).isVisible(), true);
    });

    test("server time shows in the reader's time zone, with the ISO time on hover", async () => {
      const { page } = await openChat(rateLimit, "room-time", "ada", { timezoneId: "Asia/Kolkata" });
      await send(page, "what time is it?");
      const [line] = await waitForTexts(page, ["what time is it?"]);
      assert.ok(line.iso && !Number.isNaN(Date.parse(line.iso)), `an ISO time, got ${line.iso}`);
      const local = new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Kolkata" });
      assert.equal(line.time, local.format(new Date(line.iso)));
      assert.equal(await page.locator("#messages time").getAttribute("title"), line.iso);
    });

    test("two tabs of one browser opened at /, as the guide has it: one room, two names, both sides of the talk", async () => {
      const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC" });
      contexts.push(context);
      const [first, second] = [await context.newPage(), await context.newPage()];
      await first.goto(`${rateLimit.origin}/`);
      await first.getByLabel("Your name").fill("alice");
      await first.getByLabel("Your name").press("Enter");
      await waitForStatus(first, "connected");
      // The second tab offers the name used last, selected: typing replaces it.
      await second.goto(`${rateLimit.origin}/`);
      assert.equal(await second.getByLabel("Your name").inputValue(), "alice");
      await second.keyboard.type("bob");
      await second.keyboard.press("Enter");
      await waitForStatus(second, "connected");
      for (const page of [first, second]) await waitForText(page, "#online-summary", "2 online: alice, bob");
      await send(second, "same room?");
      await waitForTexts(first, ["same room?"]);
      // A reload keeps each tab's own name.
      await first.reload();
      await waitForStatus(first, "connected");
      await waitForText(first, "#online-summary", "2 online: alice, bob");
      // Change name: the form comes back with the name selected, and the tab rejoins as someone else.
      await second.getByRole("button", { name: "Change name" }).click();
      assert.equal(await second.evaluate("getSelection().toString() || document.activeElement.value.slice(document.activeElement.selectionStart, document.activeElement.selectionEnd)"), "bob");
      await second.keyboard.type("carol");
      await second.keyboard.press("Enter");
      await waitForStatus(second, "connected");
      await waitForText(first, "#online-summary", "2 online: alice, carol");
    });

    test('"2 online" with both names, then "1 online" when a page closes', async () => {
      const ada = await openChat(rateLimit, "room-online", "ada");
      const bob = await openChat(rateLimit, "room-online", "bob");
      await waitForText(ada.page, "#online-summary", "2 online: ada, bob");
      await waitForText(bob.page, "#online-summary", "2 online: ada, bob");
      await bob.page.close();
      await waitForText(ada.page, "#online-summary", "1 online: ada");
      assert.deepEqual(await ada.page.locator("#people-list li").allTextContents(), ["Aadayou"]);
    });

    test("a burst shows the rate-limit notice next to the input, then sending works again", async () => {
      const { page } = await openChat(rateLimit, "room-burst", "ada");
      const burst = Array.from({ length: 6 }, (_, i) => `burst ${i + 1}`);
      // Straight into the socket's queue, faster than the page could be typed into.
      for (const text of burst) await send(page, text, { waitForEnabled: false });
      // The notice and the disabled Send button are read in one go: on a busy machine the limit
      // can run out between two reads, and the button rightly comes back.
      const notice = /^Slow down: your message was not sent\. You can send again in \d s\.$/;
      let seen: [string, boolean] = ["", false];
      const read = async () => (seen = (await page.evaluate("[document.querySelector('#send-error').textContent, document.querySelector('#send').disabled]")) as [string, boolean]);
      await waitUntil(async () => notice.test((await read())[0]), () => `#send-error should read ${notice}, but reads "${seen[0]}"`);
      assert.equal(seen[1], true, "send waits for the limit: Send is disabled while the notice shows");
      await waitForTexts(page, burst.slice(0, 5));
      assert.equal(await page.getByLabel("Message", { exact: true }).inputValue(), "burst 6", "the refused text is given back");
      assert.equal(texts(await shown(page)).some((text) => /Slow down/.test(text)), false, "not a chat line");

      await page.locator("#send:enabled").waitFor({ timeout: WAIT_MS });
      assert.equal(await page.locator("#send-error").textContent(), "");
      await page.keyboard.press("Enter");
      await waitForTexts(page, [...burst.slice(0, 5), "burst 6"]);
    });
  });

  describe("stage 06: back after a crash, the page resumes where it was", () => {

    test("it shows what it missed while away, once, and asks only for that (after=<newest id>)", async () => {
      const ada = await openChat(crashing, "room-resume", "ada", {}, { clock: true });
      await send(ada.page, "before the crash");
      // Shown, so stored: bob's reply, on a socket of its own, could otherwise reach the room first.
      await waitForTexts(ada.page, ["before the crash"]);
      await say(crashing, "room-resume", "bob", ["me too"]);
      await waitForTexts(ada.page, ["before the crash", "me too"]);

      const missed = ["while you were away", "still away?"];
      await crashWhile([ada], (server) => say(server, "room-resume", "bob", missed));
      const expected = ["before the crash", "me too", ...missed];
      await waitForTexts(ada.page, expected);
      // Live again: this comes after the history frame, so once it shows, the history is all in.
      await send(ada.page, "I'm back");
      await waitForTexts(ada.page, [...expected, "I'm back"]);
      const copies = Object.groupBy(texts(await shown(ada.page)), (text) => text);
      for (const [text, lines] of Object.entries(copies)) assert.equal(lines?.length, 1, `"${text}" shows once`);
      assert.equal(await ada.page.locator("#messages > .gap").count(), 0, "nothing was lost: no gap notice");

      // Reconnecting, it resumed after "me too", message 2 of the room.
      const afters = ada.sockets.map(({ url }) => new URL(url).searchParams.get("after"));
      assert.equal(afters[0], null, "the first connection has nothing to resume from");
      assert.ok(
        afters.length >= 2 && afters.slice(1).every((after) => after === "2"),
        `after= on reconnecting: ${JSON.stringify(afters)}`,
      );
      assert.deepEqual(
        ada.sockets.flatMap(({ sent }) => sent).filter((text) => text !== "ping"),
        [JSON.stringify({ message: "before the crash" }), JSON.stringify({ message: "I'm back" })],
        "the page sends what was typed and its keepalive pings, nothing else (no probe)",
      );
      assert.deepEqual(ada.errors, []);
    });

    test("more than 100 missed: a notice in the conversation marks the gap, then the newest 100", async () => {
      const ada = await openChat(crashing, "room-gap", "ada", {}, { clock: true });
      await send(ada.page, "before the crash");
      await waitForTexts(ada.page, ["before the crash"]);

      const missed = Array.from({ length: 105 }, (_, i) => `missed ${i + 1}`);
      await crashWhile([ada], async (server) => {
        // 5 at a time, each under another name: the rate limit allows each name a burst of 5.
        for (let i = 0; i < missed.length; i += 5) await say(server, "room-gap", `bob-${i / 5}`, missed.slice(i, i + 5));
      });
      await waitForTexts(ada.page, ["before the crash", ...missed.slice(5)]);
      // Chat lines by their text, the notice in brackets.
      const lines = await ada.page.locator("#messages > li").evaluateAll((items) =>
        items.map((item) =>
          item.classList.contains("gap") ? `[${item.textContent}]` : item.querySelector(".text")?.textContent,
        ),
      );
      assert.deepEqual(lines.slice(0, 3), [
        "before the crash",
        "[Some messages were missed while you were away. The newest ones follow.]",
        "missed 6",
      ]);
      assert.equal(lines.length, 1 + 1 + 100, "one notice, where the gap is");
      // It is a line of the message log, a polite live region: screen readers read it out as it comes.
      const log = ada.page.getByRole("log", { name: "Messages" });
      assert.equal(await log.getAttribute("aria-live"), "polite");
      assert.equal(await log.locator(".gap").isVisible(), true);
      assert.deepEqual(ada.errors, []);
    });
  });

  /**
   * Crashes the stage 06 server (SIGKILL of the whole tree) under `chats`, whose time stands
   * still meanwhile so they cannot reconnect before `meanwhile` is done; starts it again on the
   * same port and state, runs `meanwhile` against it, then lets the pages reconnect by themselves.
   */
  async function crashWhile(chats: Chat[], meanwhile: (server: DevServer) => Promise<void>): Promise<void> {
    for (const { page } of chats) await page.clock.pauseAt(Number(await page.evaluate("Date.now()")) + 1_000);
    crashing.kill();
    await crashing.exited;
    for (const { page } of chats) await waitForStatus(page, "reconnecting");
    for (let i = 0; i < 100 && !(await isPortFree(crashing.port)); i++) await sleep(100);
    crashing = await serve(6, crashing.port, crashStateDir);
    await meanwhile(crashing);
    for (const { page } of chats) await page.clock.resume();
    for (const { page } of chats) await waitForStatus(page, "connected", RECONNECT_WAIT_MS);
  }

  // Both at once: each waits mostly for wrangler to start again.
  test("a server restart at stage 03 and at stage 06: reconnecting, then connected, chatting again, no history twice", async () => {
    await Promise.all([restartCheck(persistence, 3, "room-restart"), restartCheck(rateLimit, 6, "room-restart")]);
  });

  /**
   * Stops `server` under two open pages, starts it again on the same port and state. Bob's page
   * retries on its own; ada's timers stand still, so only "Retry now" can bring her back.
   */
  async function restartCheck(server: DevServer, stage: number, room: string): Promise<void> {
    const ada = await openChat(server, room, "ada", {}, { clock: true });
    const bob = await openChat(server, room, "bob");
    await send(ada.page, "before the restart");
    await waitForTexts(bob.page, ["before the restart"]);
    await send(bob.page, "me too");
    await waitForTexts(ada.page, ["before the restart", "me too"]);

    await ada.page.clock.pauseAt(Number(await ada.page.evaluate("Date.now()")) + 1_000);
    await server.stop();
    for (const { page } of [ada, bob]) await waitForStatus(page, "reconnecting");
    await ada.page.getByLabel("Message", { exact: true }).fill("typed while away");
    assert.equal(await ada.page.getByRole("button", { name: "Send" }).isDisabled(), true, "no sending while offline");
    // Three tries in a row that could not connect (about 3.5 s): the page says where to look.
    const trouble = bob.page.locator("#trouble");
    await trouble.waitFor({ state: "visible", timeout: WAIT_MS });
    assert.match((await trouble.textContent()) ?? "", /The chat server does not answer\. Is npm run step still running in your terminal\?/);

    await serve(stage, server.port);
    // "Retry now" does not wait for the backoff: ada's page, whose timers stand still, is back at once.
    await ada.page.getByRole("button", { name: "Retry now" }).click();
    await waitForStatus(ada.page, "connected", 5_000);
    await waitForStatus(bob.page, "connected", RECONNECT_WAIT_MS);
    assert.equal(await trouble.isVisible(), false, "the notice goes once connected again");
    assert.equal(await ada.page.getByRole("button", { name: "Retry now" }).isVisible(), false, "no Retry now while connected");
    await ada.page.getByLabel("Message", { exact: true }).press("Enter");
    const expected = ["before the restart", "me too", "typed while away"];
    await waitForTexts(bob.page, expected);
    await waitForTexts(ada.page, expected);
    // A message that arrived in the history burst must not appear twice either, however late it came.
    assert.deepEqual(texts(await shown(ada.page)), expected);
    assert.deepEqual(texts(await shown(bob.page)), expected);
  }

});

async function distanceFromBottom(page: Page): Promise<number> {
  const distance = await page.evaluate(
    '(({ scrollHeight, scrollTop, clientHeight }) => scrollHeight - scrollTop - clientHeight)(document.getElementById("scroller"))',
  );
  return Math.round(Number(distance));
}

function focusedId(page: Page): Promise<string | undefined> {
  return page.evaluate("document.activeElement?.id");
}
