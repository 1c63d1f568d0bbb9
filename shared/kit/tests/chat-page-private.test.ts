// Private messages (stage 07), as the chat page (shared/public/chat.js) sends and shows them, in
// real Chromium against real `npm run solution` servers of stages 07 and 06. Choosing a name in
// the online list, or typing "/msg bob hi", sends {"message":"hi","to":"bob"}; every connection of
// bob's and of the sender's gets {"type":"message","name":…,"to":"bob",…} with no id, since it is
// not stored. Before stage 07 the server refuses any "to" with a bad_message error, and the page
// says that private messages arrive in stage 07. Pages wait on conditions with deadlines, never on
// fixed sleeps.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import type { Browser, BrowserContext, BrowserContextOptions, Page, WebSocketRoute } from "playwright-core";
import * as protocol from "../../protocol.ts";
import { chromiumSkipReason, launchChromium } from "../browser/chromium.ts";
import type { DevServer } from "../dev-server.ts";
import { REPO_ROOT } from "../paths.ts";
import * as chats from "./chat-page-helpers.ts";
import { joinRoom, send, waitForStatus, waitForText, waitUntil, watch, type Chat } from "./chat-page-helpers.ts";
import { serverForTests } from "./test-server.ts";

/** One of the page's modules; these two hold no DOM, so they run in Node too. */
const pageModule = (file: string) => import(pathToFileURL(join(REPO_ROOT, "shared/public", file)).href);
type History = { lastId: number };
const history: {
  createHistory(): History;
  remember(history: History, frame: object): void;
  resumeAfter(history: History): number | undefined;
} = await pageModule("history.js");

/** What the page says when a server before stage 07 refuses a private message. */
const STAGE_07_NOTICE =
  "Private messages arrive in stage 07: this server sends every message to the whole room, so yours was not sent.";
const BAR_TEXT = (name: string) => `Private message to ${name}. Only the two of you see it, and it is not saved.`;

describe("what the page knows of the protocol (no browser)", () => {
  test("a private message (no id) moves nothing in where the page resumes", () => {
    const seen = history.createHistory();
    history.remember(seen, { type: "message", id: 4, name: "ada", message: "public" });
    history.remember(seen, { type: "message", name: "bob", to: "ada", message: "private", timestamp: 9, serverTime: "x" });
    assert.equal(history.resumeAfter(seen), 4);
  });
});

/**
 * A chat line as the page shows it. A private one is marked in looks (`styled`: the class that
 * tints its bubble) and in words (`tag`, "Private", and `to`, whom it says it is for). Only what
 * is on screen counts: a name or tag the page hides reads "(hidden)".
 */
type Line = { name: string; text: string; mine: boolean; styled: boolean; tag: string | null; to: string | null };
const everyone = (name: string, text: string, mine = false): Line => ({ name, text, mine, styled: false, tag: null, to: null });
const privately = (name: string, text: string, to: string, mine = false): Line => ({ name, text, mine, styled: true, tag: "Private", to });

function lines(page: Page): Promise<Line[]> {
  return page.locator("#messages > li.message").evaluateAll((items) =>
    items.map((item) => {
      const read = (selector: string) => {
        const element = item.querySelector(selector);
        return element === null ? null : element.checkVisibility() ? element.textContent : "(hidden)";
      };
      return {
        name: read(".name") ?? "",
        text: read(".text") ?? "",
        mine: item.classList.contains("mine"),
        styled: item.classList.contains("private"),
        tag: read(".private-tag"),
        to: read(".to"),
      };
    }),
  );
}

/** Waits until `chat` shows exactly `expected`, in order. */
async function waitForLines(chat: Chat, expected: Line[], whose: string): Promise<void> {
  let seen: Line[] = [];
  await waitUntil(
    async () => isDeepStrictEqual((seen = await lines(chat.page)), expected),
    () => `${whose}: expected ${JSON.stringify(expected)}, the page shows ${JSON.stringify(seen)}`,
  );
}

/** The frames `chat` sent on all its sockets, the keepalive pings left out. */
const sent = (chat: Chat) => chat.sockets.flatMap((socket) => socket.sent).filter((text) => text !== "ping");
/** Whether any frame `chat` received holds `text`. */
const received = (chat: Chat, text: string) => chat.sockets.some((socket) => socket.received.some((frame) => frame.includes(text)));

const focusedId = (page: Page) => page.evaluate("document.activeElement?.id") as Promise<string | undefined>;
const focusedName = (page: Page) => page.evaluate("document.activeElement?.dataset.name") as Promise<string | undefined>;

function noTrouble(chats: Chat[]): void {
  for (const chat of chats) {
    assert.deepEqual(chat.errors, []);
    assert.deepEqual(chat.console, []);
    assert.deepEqual(chat.dialogs, []);
  }
}

type OpenOptions = Parameters<typeof chats.openChat>[5];

/** The pages' browser and their contexts, closed after each test. */
function browserForTests() {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  before(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });
  after(async () => {
    await browser?.close();
  });
  return {
    /** A fresh browser profile that joins `room` as `name`. */
    async open(server: DevServer, room: string, name: string, options: BrowserContextOptions = {}, more: OpenOptions = {}): Promise<Chat> {
      const chat = await chats.openChat(browser, server, room, name, options, more);
      contexts.push(chat.page.context());
      return chat;
    },
  };
}

/** Another tab of the same profile: it offers the same name, and Enter joins with it. */
async function secondTab(chat: Chat): Promise<Chat> {
  const tab = watch(await chat.page.context().newPage());
  await tab.page.goto(chat.page.url());
  await tab.page.getByLabel("Your name").press("Enter");
  await waitForStatus(tab.page, "connected");
  return tab;
}

/** Everyone else's entry in `chat`'s online list: a button named by the name it shows. */
const person = (chat: Chat, name: string) => chat.page.locator("#people-list").getByRole("button", { name, exact: true });
const input = (chat: Chat) => chat.page.getByLabel("Message", { exact: true });

/** `chat`'s composer writes to the whole room: no recipient shown, no name pressed. */
async function assertPublic(chat: Chat): Promise<void> {
  assert.equal(await chat.page.locator("#private-to").isHidden(), true, "the composer names no recipient");
  assert.equal(await input(chat).getAttribute("placeholder"), "Write a message…");
  assert.equal(await chat.page.locator('#people-list [aria-pressed="true"]').count(), 0, "no name pressed");
  assert.doesNotMatch((await input(chat).getAttribute("aria-describedby")) ?? "", /private-to-text/);
}

/** `chat`'s composer writes to `name` alone, and says so in words, looks and to screen readers. */
async function assertPrivateTo(chat: Chat, name: string): Promise<void> {
  assert.equal(await chat.page.locator("#private-to").isVisible(), true, `the composer names ${name}`);
  assert.equal(await chat.page.locator("#private-to-text").textContent(), BAR_TEXT(name));
  assert.equal(await input(chat).getAttribute("placeholder"), `Private message to ${name}…`);
  assert.match((await input(chat).getAttribute("aria-describedby")) ?? "", /private-to-text/, "the input's description says so");
  assert.equal(await chat.page.locator("#composer-mode").getAttribute("role"), "status");
  assert.match((await chat.page.locator("#composer-mode").textContent()) ?? "", new RegExp(`^Private message to ${name}\\.`));
  assert.equal(await chat.page.getByRole("button", { name: "Cancel private message" }).isVisible(), true);
}

describe("private messages (stage 07), in Chromium", { skip: chromiumSkipReason() }, () => {
  const server = serverForTests("solutions", 7, "private");
  const pages = browserForTests();
  const open = (room: string, name: string, options?: BrowserContextOptions, more?: OpenOptions) =>
    pages.open(server(), room, name, options, more);

  test("choosing a name and /msg send privately: every tab of both shows it marked, a third sees nothing, a reload nothing", async () => {
    const room = "room-private";
    const ada = await open(room, "ada");
    const adaAgain = await secondTab(ada);
    const bob = await open(room, "bob");
    const bobAgain = await secondTab(bob);
    const carol = await open(room, "carol");
    await waitForText(ada.page, "#online-summary", "3 online: ada, bob, carol");

    // ada's own entry is no button; the others' are, each saying what it does.
    assert.equal(await ada.page.locator("#people-list button").count(), 2);
    assert.equal(await person(ada, "bob").getAttribute("title"), "Send bob a private message");
    assert.equal(await person(ada, "bob").getAttribute("aria-pressed"), "false");
    await assertPublic(ada);

    await person(ada, "bob").click();
    await assertPrivateTo(ada, "bob");
    assert.equal(await person(ada, "bob").getAttribute("aria-pressed"), "true");
    assert.equal(await person(ada, "carol").getAttribute("aria-pressed"), "false");
    assert.equal(await focusedId(ada.page), "message", "ready to type");
    await send(ada.page, "psst, bob");
    // The recipient stays chosen for the next message, until Escape.
    await waitForLines(ada, [privately("ada", "psst, bob", "to bob", true)], "ada");
    await assertPrivateTo(ada, "bob");
    await ada.page.keyboard.press("Escape");
    await assertPublic(ada);
    assert.equal(await ada.page.locator("#composer-mode").textContent(), "Messages go to everyone in the room again.");
    assert.equal(await focusedId(ada.page), "message");
    await send(ada.page, "for everyone");

    // bob types the command: one message to ada, and his composer stays as it was.
    await waitForLines(bob, [privately("ada", "psst, bob", "to you"), everyone("ada", "for everyone")], "bob");
    await send(bob.page, "/msg ada hi ada");
    await waitForLines(bob, [privately("ada", "psst, bob", "to you"), everyone("ada", "for everyone"), privately("bob", "hi ada", "to ada", true)], "bob");
    await assertPublic(bob);
    await send(bob.page, "and hello all");

    const all = [
      privately("ada", "psst, bob", "to bob", true),
      everyone("ada", "for everyone", true),
      privately("bob", "hi ada", "to you"),
      everyone("bob", "and hello all"),
    ];
    await waitForLines(ada, all, "ada's tab");
    await waitForLines(adaAgain, all, "ada's other tab");
    const bobs = [
      privately("ada", "psst, bob", "to you"),
      everyone("ada", "for everyone"),
      privately("bob", "hi ada", "to ada", true),
      everyone("bob", "and hello all", true),
    ];
    await waitForLines(bob, bobs, "bob's tab");
    await waitForLines(bobAgain, bobs, "bob's other tab");
    // carol's last message came after both private ones on the server: had she been sent them, they would show.
    await waitForLines(carol, [everyone("ada", "for everyone"), everyone("bob", "and hello all")], "carol");
    assert.equal(received(carol, "psst") || received(carol, "hi ada"), false, "carol's socket got neither private message");

    // The private ones went as {"message","to"}.
    assert.deepEqual(sent(ada), [JSON.stringify({ message: "psst, bob", to: "bob" }), JSON.stringify({ message: "for everyone" })]);
    assert.deepEqual(sent(bob), [JSON.stringify({ message: "hi ada", to: "ada" }), JSON.stringify({ message: "and hello all" })]);
    // The live log reads a line as its text runs: who, that it is private, to whom, then the message.
    const log = bob.page.getByRole("log", { name: "Messages" });
    assert.equal(await log.getAttribute("aria-live"), "polite");
    assert.match((await log.locator("li").first().textContent()) ?? "", /^Aada Private to you \d\d:\d\d [AP]Mpsst, bob$/);

    // Not stored: after a reload, only the messages for everyone come back.
    await bobAgain.page.reload();
    await waitForStatus(bobAgain.page, "connected");
    await waitForLines(bobAgain, [everyone("ada", "for everyone"), everyone("bob", "and hello all", true)], "bob's reloaded tab");
    const historyFrame = bobAgain.sockets.at(-1)!.received.find((text) => text.includes('"history"')) ?? "";
    assert.match(historyFrame, /for everyone/);
    assert.doesNotMatch(historyFrame, /psst|hi ada/);
    noTrouble([ada, adaAgain, bob, bobAgain, carol]);
  });

  test("unknown_user: a notice next to the input, the text kept; Cancel and Escape go back to the room", async () => {
    const room = "room-nobody";
    // The server's frames reach ada's page through a route that can hold them back for a moment.
    let holding = false;
    const held: string[] = [];
    let release = () => {};
    const ada = await open(room, "ada", {}, {
      beforeLoad: (context: BrowserContext) =>
        context.routeWebSocket(/\/ws\?/, (route) => {
          const server = route.connectToServer();
          server.onMessage((frame) => (holding ? held.push(String(frame)) : route.send(frame)));
          release = () => {
            holding = false;
            for (const frame of held.splice(0)) route.send(frame);
          };
        }),
    });
    const bob = await open(room, "bob");
    await waitForText(ada.page, "#online-summary", "2 online: ada, bob");
    await person(ada, "bob").click();
    await send(ada.page, "still there?");
    await waitForLines(bob, [privately("ada", "still there?", "to you")], "bob");
    await waitForLines(ada, [privately("ada", "still there?", "to bob", true)], "ada");
    // bob leaves while ada has him chosen: the composer still names him.
    await bob.page.context().close();
    await waitForText(ada.page, "#online-summary", "1 online: ada");
    await assertPrivateTo(ada, "bob");

    // ada presses Escape while the refusal is on its way. Given back, the text is bob's again: Enter
    // must not send to the whole room what was written for one person.
    holding = true;
    await send(ada.page, "are you there?");
    await waitUntil(() => held.some((frame) => frame.includes("unknown_user")), () => `held: ${held.join(" ")}`);
    await input(ada).press("Escape");
    await assertPublic(ada);
    release();
    await waitForText(ada.page, "#send-error", "bob is not in this room right now, so your message was not sent.");
    assert.equal(await input(ada).inputValue(), "are you there?", "the refused text is given back, not the one before");
    await assertPrivateTo(ada, "bob");
    assert.equal(await ada.page.locator("#send-error").getAttribute("aria-live"), "polite");
    await waitForLines(ada, [privately("ada", "still there?", "to bob", true)], "ada");

    // The visible Cancel button: back to the room, the text still there, the notice gone.
    await ada.page.getByRole("button", { name: "Cancel private message" }).click();
    await assertPublic(ada);
    assert.equal(await focusedId(ada.page), "message");
    assert.equal(await input(ada).inputValue(), "are you there?");
    assert.equal(await ada.page.locator("#send-error").textContent(), "");

    // The command to nobody: the same notice, the command given back as typed, the composer still public.
    await send(ada.page, "/msg nobody hello?");
    await waitForText(ada.page, "#send-error", "nobody is not in this room right now, so your message was not sent.");
    assert.equal(await input(ada).inputValue(), "/msg nobody hello?");
    await assertPublic(ada);

    // "/msg" without a name is explained, not sent; "/msg carol" alone chooses carol; Escape undoes it.
    await send(ada.page, "/msg");
    await waitForText(ada.page, "#send-error", "Write /msg, a name, then your message, like: /msg bob hello");
    await send(ada.page, "/msg carol");
    await assertPrivateTo(ada, "carol");
    assert.equal(await input(ada).inputValue(), "");
    await input(ada).press("Escape");
    await assertPublic(ada);

    await send(ada.page, "anyone?");
    await waitForLines(ada, [privately("ada", "still there?", "to bob", true), everyone("ada", "anyone?", true)], "ada");
    assert.deepEqual(sent(ada), [
      JSON.stringify({ message: "still there?", to: "bob" }),
      JSON.stringify({ message: "are you there?", to: "bob" }),
      JSON.stringify({ message: "hello?", to: "nobody" }),
      JSON.stringify({ message: "anyone?" }),
    ]);
    noTrouble([ada]);
  });

  test("keyboard only: Tab reaches a name, Enter chooses it, someone joining keeps the focus, Cancel and Space undo it", async () => {
    const room = "room-keys";
    const ada = await open(room, "ada");
    await open(room, "bob");
    await waitForText(ada.page, "#online-summary", "2 online: ada, bob");
    assert.equal(await focusedId(ada.page), "message");
    for (let i = 0; i < 10 && (await focusedName(ada.page)) !== "bob"; i++) await ada.page.keyboard.press("Tab");
    assert.equal(await focusedName(ada.page), "bob", "Tab reaches bob's entry");

    // A presence frame rebuilds the list: the focus stays on bob.
    const dan = await joinRoom(server(), room, "dan");
    try {
      await waitForText(ada.page, "#online-summary", "3 online: ada, bob, dan");
      assert.equal(await focusedName(ada.page), "bob", "the focus stays where it was");
      await ada.page.keyboard.press("Enter");
      await assertPrivateTo(ada, "bob");
      assert.equal(await focusedId(ada.page), "message");

      // Back from the input, the first control is the Cancel button.
      await ada.page.keyboard.press("Shift+Tab");
      assert.equal(await focusedId(ada.page), "cancel-private");
      await ada.page.keyboard.press("Enter");
      await assertPublic(ada);
      assert.equal(await focusedId(ada.page), "message");

      // Space chooses as well; choosing the chosen name again goes back to the room.
      for (const expected of ["true", "false"]) {
        for (let i = 0; i < 10 && (await focusedName(ada.page)) !== "bob"; i++) await ada.page.keyboard.press("Tab");
        await ada.page.keyboard.press("Space");
        assert.equal(await person(ada, "bob").getAttribute("aria-pressed"), expected);
      }
      await assertPublic(ada);
    } finally {
      dan.close();
    }
    noTrouble([ada]);
  });

  test("on a phone, in dark mode: the list folds away after choosing, the composer names bob, nothing is wider than the screen", async () => {
    const room = "room-phone";
    const ada = await open(room, "ada", { viewport: { width: 390, height: 844 }, colorScheme: "dark" });
    const bob = await open(room, "bob");
    await waitForText(ada.page, "#online-summary", "2 online: ada, bob");
    await ada.page.getByText("Invite people · room details").click();
    await person(ada, "bob").click();
    assert.equal(await ada.page.locator("#info").getAttribute("open"), null, "room details folded away again");
    await assertPrivateTo(ada, "bob");
    const composer = await ada.page.locator("#composer").boundingBox();
    assert.ok(composer && composer.y >= 0 && composer.y + composer.height <= 844, `the composer is on screen: ${JSON.stringify(composer)}`);
    assert.equal(await ada.page.evaluate("document.documentElement.scrollWidth"), 390, "no sideways scrolling");

    await send(ada.page, "from my phone");
    await waitForLines(bob, [privately("ada", "from my phone", "to you")], "bob");
    await waitForLines(ada, [privately("ada", "from my phone", "to bob", true)], "ada");
    // Dark, and not the colour of ada's messages for everyone.
    // (A string: it runs in the page, and the kit's tsconfig has no DOM types.)
    const bubble = await ada.page.evaluate('getComputedStyle(document.querySelector("#messages .bubble")).backgroundColor');
    assert.equal(bubble, "rgb(19, 48, 44)");
    assert.equal(await ada.page.evaluate("document.documentElement.scrollWidth"), 390);
    await ada.page.getByRole("button", { name: "Cancel private message" }).click();
    await assertPublic(ada);
    noTrouble([ada, bob]);
  });

  test("after a dropped connection, the page resumes after the last message for everyone, and shows nothing twice", async () => {
    const room = "room-resume";
    const routes: WebSocketRoute[] = [];
    const ada = await open(room, "ada", {}, {
      beforeLoad: (context: BrowserContext) =>
        context.routeWebSocket(/\/ws\?/, (route) => {
          route.connectToServer();
          routes.push(route);
        }),
    });
    const bob = await open(room, "bob");
    await send(bob.page, "one");
    await send(bob.page, "/msg ada just for you");
    await waitForLines(ada, [everyone("bob", "one"), privately("bob", "just for you", "to you")], "ada");

    await routes.at(-1)!.close();
    await waitUntil(() => ada.sockets.length >= 2, () => `ada opened ${ada.sockets.length} socket(s)`);
    await waitForStatus(ada.page, "connected");
    await send(bob.page, "two");
    await waitForLines(ada, [everyone("bob", "one"), privately("bob", "just for you", "to you"), everyone("bob", "two")], "ada");
    // "one" is the room's message 1; the private message has no id and moved nothing.
    assert.equal(new URL(ada.sockets[1].url).searchParams.get("after"), "1");
    noTrouble([ada, bob]);
  });
});

describe("before stage 07, in Chromium", { skip: chromiumSkipReason() }, () => {
  const server = serverForTests("solutions", 6, "private-06");
  const pages = browserForTests();

  test("choosing a name or /msg: a notice that private messages arrive in stage 07, the text kept, and nobody sees it", async () => {
    const room = "room-too-early";
    const ada = await pages.open(server(), room, "ada");
    const bob = await pages.open(server(), room, "bob");
    await waitForText(ada.page, "#online-summary", "2 online: ada, bob");

    await person(ada, "bob").click();
    await assertPrivateTo(ada, "bob");
    await send(ada.page, "secret");
    await waitForText(ada.page, "#send-error", STAGE_07_NOTICE);
    assert.equal(await input(ada).inputValue(), "secret", "the text is given back");
    await assertPrivateTo(ada, "bob");

    await ada.page.keyboard.press("Escape");
    await send(ada.page, "/msg bob psst");
    await waitForText(ada.page, "#send-error", STAGE_07_NOTICE);
    assert.equal(await input(ada).inputValue(), "/msg bob psst");

    await send(ada.page, "hello");
    // "hello" came after both on the server: had either been shown to anyone, it would show before it.
    await waitForLines(bob, [everyone("ada", "hello")], "bob");
    await waitForLines(ada, [everyone("ada", "hello", true)], "ada");
    assert.equal(received(bob, "secret") || received(bob, "psst"), false, "bob's socket got neither");
    assert.deepEqual(sent(ada), [
      JSON.stringify({ message: "secret", to: "bob" }),
      JSON.stringify({ message: "psst", to: "bob" }),
      JSON.stringify({ message: "hello" }),
    ]);
    assert.equal(await ada.page.locator("#send-error").textContent(), "", "a message that went through clears the notice");
    noTrouble([ada, bob]);
  });
});
