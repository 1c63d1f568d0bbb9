// Who is online, as the chat page shows it (shared/public/chat.js), in real Chromium against a
// real `npm run solution` server of stage 06. A page gets the whole list once, as it joins
// ({"type":"users"}), then only what changes: the server gathers changes for 50 ms and sends
// everyone one {"type":"presence","joined":[…],"left":[…],"count":N} frame, with the names whose
// first connection opened and those whose last one closed. The page adds the joined, deletes
// the left and shows the frame's count.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, WebSocketRoute } from "playwright-core";
import type { ServerFrame } from "../../protocol.ts";
import { chromiumSkipReason, launchChromium } from "../browser/chromium.ts";
import {
  joinRoom,
  openChat,
  send,
  waitForStatus,
  waitForText,
  waitForTexts,
  waitUntil,
  watch,
  type Chat,
} from "./chat-page-helpers.ts";
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
    // and of the ones after from presence frames (which may name the page's own name again).
    const cat = await openChat(browser, server(), room, "cat");
    const ada = await openChat(browser, server(), room, "ada");
    const bob = await openChat(browser, server(), room, "bob");
    await allSee([["ada", ada], ["bob", bob], ["cat", cat]], ["ada", "bob", "cat"]);

    // A second tab of bob's (same profile: it offers bob, and Enter keeps it) is not a new person.
    const bobAgain = watch(await bob.page.context().newPage());
    await bobAgain.page.goto(`${server().origin}/?room=${room}`);
    await bobAgain.page.getByLabel("Your name").press("Enter");
    await waitForStatus(bobAgain.page, "connected");
    const everyone: [string, Chat][] = [["ada", ada], ["bob", bob], ["bob", bobAgain], ["cat", cat]];
    // The server notes no change for a second tab, so no presence frame names it: once a message
    // sent after it shows, every page still lists three names.
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

  test("five join at once, then leave at once: the list follows the presence frames", async () => {
    const room = "room-burst";
    const ada = await openChat(browser, server(), room, "ada");
    await waitForText(ada.page, "#online-summary", "1 online: ada");
    const names = ["eve", "fay", "gus", "hal", "ivy"];
    const others = await Promise.all(names.map((name) => joinRoom(server(), room, name)));
    await allSee([["ada", ada]], ["ada", ...names]);
    for (const socket of others) socket.close();
    await allSee([["ada", ada]], ["ada"]);

    // How the changes were grouped into frames depends on timing. What does not: they came as
    // presence frames, each naming at least one change, and no other kind came but history and users.
    const frames = ada.sockets.flatMap((socket) => socket.received).map((text) => JSON.parse(text) as ServerFrame);
    const presence = frames.filter((frame) => frame.type === "presence");
    assert.ok(presence.length > 0, "presence frames came");
    assert.ok(presence.every((frame) => frame.joined.length + frame.left.length > 0), JSON.stringify(presence));
    assert.deepEqual(frames.filter((frame) => !["history", "users", "presence"].includes(frame.type)), []);
    assert.deepEqual(ada.errors, []);
    assert.deepEqual(ada.console, []);
  });

  test("a presence frame adds several names, deletes names never seen, and its count is shown; a malformed one is ignored", async () => {
    // Frames made up by the test reach the page through a route, after the server's own.
    const routes: WebSocketRoute[] = [];
    const ada = await openChat(browser, server(), "room-made-up", "ada", {}, {
      beforeLoad: (context) =>
        context.routeWebSocket(/\/ws\?/, (route) => {
          route.connectToServer();
          routes.push(route);
        }),
    });
    await waitForText(ada.page, "#online-summary", "1 online: ada");
    // The server's own presence frame for ada's arrival comes within 50 ms: let it pass first.
    await waitUntil(
      () => ada.sockets[0].received.some((text) => text.includes('"presence"')),
      () => `ada's frames: ${ada.sockets[0].received.join(" ")}`,
    );
    const made = (frame: object) => routes.at(-1)!.send(JSON.stringify(frame));

    // eve and fay at once; ghost came and went within one frame's 50 ms, so ada never saw it.
    made({ type: "presence", joined: ["eve", "fay"], left: ["ghost"], count: 3 });
    await waitForText(ada.page, "#online-summary", "3 online: ada, eve, fay");
    // The page's own name again changes nothing; eve goes.
    made({ type: "presence", joined: ["ada"], left: ["eve"], count: 2 });
    await waitForText(ada.page, "#online-summary", "2 online: ada, fay");
    assert.equal(await ada.page.locator("#people-title").textContent(), "2 online");

    // A presence frame without its lists changes nothing.
    made({ type: "presence", joined: "zed", count: 9 });
    // Frames reach the page in order: once a later one shows, those before were handled.
    made({ type: "presence", joined: ["gus"], left: [], count: 3 });
    await waitForText(ada.page, "#online-summary", "3 online: ada, fay, gus");
    assert.deepEqual(ada.errors, []);
    assert.deepEqual(ada.console, []);
  });
});
