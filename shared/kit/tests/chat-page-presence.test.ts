// Who is online, as the chat page shows it (shared/public/chat.js), in real Chromium against a
// real `npm run solution` server of stage 06. A page gets the whole list once, as it joins
// ({"type":"users"}), then only what changes ({"type":"joined"} when a name's first connection
// opens, {"type":"left"} when its last one closes): the page keeps the list from those.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { chromiumSkipReason, launchChromium } from "../browser/chromium.ts";
import { openChat, send, waitForStatus, waitForText, waitForTexts, watch, type Chat } from "./chat-page-helpers.ts";
import { serverForTests } from "./test-server.ts";

describe("who is online, in Chromium", { skip: chromiumSkipReason() }, () => {
  const server = serverForTests("solutions", 6, "presence");
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  /** What `chat` shows of who is online: the summary under the room name, the title and entries of the list. */
  async function online(chat: Chat) {
    return {
      title: await chat.page.locator("#people-title").textContent(),
      people: await chat.page.locator("#people-list li").allTextContents(),
    };
  }

  /** The avatar's letter, the name, and "you" for the page's own: how a list entry reads as text. */
  const entry = (name: string, me: string) => `${name[0].toUpperCase()}${name}${name === me ? "you" : ""}`;

  /** Every page in `chats` shows `names` (sorted) as online, counted by the server. */
  async function allSee(chats: [string, Chat][], names: string[]): Promise<void> {
    for (const [me, chat] of chats) {
      await waitForText(chat.page, "#online-summary", `${names.length} online: ${names.join(", ")}`);
      assert.deepEqual(
        await online(chat),
        { title: `${names.length} online`, people: names.map((name) => entry(name, me)) },
        `${me}'s page`,
      );
    }
  }

  test("three join, one opens a second tab and closes it, one leaves: every page's list stays right", async () => {
    const room = "room-presence";
    // Joining one after the other, each page learns of the ones before from its users frame,
    // and of the ones after from joined frames.
    const cat = await openChat(browser, server(), room, "cat");
    const ada = await openChat(browser, server(), room, "ada");
    const bob = await openChat(browser, server(), room, "bob");
    await allSee([["ada", ada], ["bob", bob], ["cat", cat]], ["ada", "bob", "cat"]);

    // A second tab of bob's (same profile: it joins as bob by itself) is not a new person.
    const bobAgain = watch(await bob.page.context().newPage());
    await bobAgain.page.goto(`${server().origin}/?room=${room}`);
    await waitForStatus(bobAgain.page, "connected");
    const everyone: [string, Chat][] = [["ada", ada], ["bob", bob], ["bob", bobAgain], ["cat", cat]];
    // Frames reach each page in order: once a message sent after it shows, a frame about the
    // second tab would have come. (The server sends none.)
    await send(cat.page, "two tabs?");
    for (const [, chat] of everyone) await waitForTexts(chat.page, ["two tabs?"]);
    await allSee(everyone, ["ada", "bob", "cat"]);

    // Closing it leaves bob online in his first tab.
    await bobAgain.page.close();
    await send(cat.page, "one tab");
    for (const [, chat] of everyone.filter(([, chat]) => chat !== bobAgain)) await waitForTexts(chat.page, ["two tabs?", "one tab"]);
    await allSee([["ada", ada], ["bob", bob], ["cat", cat]], ["ada", "bob", "cat"]);

    // cat's last connection closes: cat is gone from every list, and the count follows.
    await cat.page.close();
    await allSee([["ada", ada], ["bob", bob]], ["ada", "bob"]);

    // Someone new sees the room as it is now, from a users frame alone.
    const dan = await openChat(browser, server(), room, "dan");
    await allSee([["ada", ada], ["bob", bob], ["dan", dan]], ["ada", "bob", "dan"]);
    for (const chat of [ada, bob, bobAgain, cat, dan]) {
      assert.deepEqual(chat.errors, []);
      assert.deepEqual(chat.console, []);
    }
  });
});
