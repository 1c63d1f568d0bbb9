// The chat page's keepalive (shared/public/connection.js) in real Chromium against a real
// `npm run solution` server of stage 06: every PING_INTERVAL_MS the page sends "ping", which
// the runtime answers "pong"; a connection silent for PONG_TIMEOUT_MS after a ping is dead, and
// the page reconnects as it does after any drop. And a close with 1009 (a frame too big) is
// explained, not just reconnected from. The page's timers run on Playwright's clock: the test
// moves it past those timings instead of waiting for them.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { MAX_FRAME_LENGTH } from "../../protocol.ts";
import { chromiumSkipReason, launchChromium } from "../browser/chromium.ts";
import type { DevServer } from "../dev-server.ts";
import { REPO_ROOT } from "../paths.ts";
import {
  joinRoom,
  openChat,
  say,
  send,
  waitForStatus,
  waitForText,
  waitForTexts,
  waitUntil,
  type Chat,
  type PageSocket,
} from "./chat-page-helpers.ts";
import { serverForTests } from "./test-server.ts";

const { PING_INTERVAL_MS, PONG_TIMEOUT_MS }: { PING_INTERVAL_MS: number; PONG_TIMEOUT_MS: number } = await import(
  pathToFileURL(join(REPO_ROOT, "shared/public/connection.js")).href
);

const count = (frames: string[], text: string) => frames.filter((frame) => frame === text).length;
const pings = (socket: PageSocket) => count(socket.sent, "ping");
const pongs = (socket: PageSocket) => count(socket.received, "pong");

/**
 * Stops the page's time a moment from now, and returns that moment: from then on its time
 * moves only as the test moves it (Playwright's clock fires every timer due on the way).
 */
async function stopTime(chat: Chat): Promise<number> {
  const at = Number(await chat.page.evaluate("Date.now()")) + 1_000;
  await chat.page.clock.pauseAt(at);
  return at;
}

/** Stops every process of the server (SIGSTOP): its sockets stay open, and nothing answers. */
function freeze(server: DevServer): void {
  process.kill(-server.child.pid!, "SIGSTOP");
}

function thaw(server: DevServer): void {
  process.kill(-server.child.pid!, "SIGCONT");
}

describe("keepalive: the chat page pings, and notices a dead connection", { skip: chromiumSkipReason() }, () => {
  const server = serverForTests("solutions", 6, "keepalive");
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  test("connected, the page says ping every interval; each pong keeps the connection, and shows nowhere", async () => {
    const ada = await openChat(browser, server(), "room-ping", "ada", {}, { clock: true });
    const start = await stopTime(ada);
    await send(ada.page, "hello");
    await waitForTexts(ada.page, ["hello"]);
    const [socket] = ada.sockets;
    for (let round = 1; round <= 3; round++) {
      await ada.page.clock.pauseAt(start + round * PING_INTERVAL_MS);
      await waitUntil(
        () => pings(socket) === round && pongs(socket) === round,
        () => `after ${round} intervals: ${pings(socket)} pings sent, ${pongs(socket)} pongs received`,
      );
      // Well past the deadline for an answer: the pong counted (it came before the page's time moved).
      await ada.page.clock.pauseAt(start + round * PING_INTERVAL_MS + PONG_TIMEOUT_MS + 1_000);
      assert.equal(await ada.page.locator("#status").getAttribute("data-state"), "connected", `round ${round}`);
    }
    assert.equal(ada.sockets.length, 1, "one connection all along");
    assert.equal(socket.closed, false);
    // The pongs were not shown, nor refused, nor logged.
    await send(ada.page, "still here");
    await waitForTexts(ada.page, ["hello", "still here"]);
    assert.equal(await ada.page.locator("#send-error").textContent(), "");
    assert.equal(await ada.page.locator("#notice").isHidden(), true);
    assert.deepEqual(ada.errors, []);
    assert.deepEqual(ada.console, []);
    assert.deepEqual(
      socket.sent,
      [JSON.stringify({ message: "hello" }), "ping", "ping", "ping", JSON.stringify({ message: "still here" })],
    );
  });

  test("a server that stops answering: no pong, so the page reconnects, and once it is back shows what it missed", async () => {
    const room = "room-frozen";
    const ada = await openChat(browser, server(), room, "ada", {}, { clock: true });
    const start = await stopTime(ada);
    await send(ada.page, "before the freeze");
    await waitForTexts(ada.page, ["before the freeze"]);
    const cat = await joinRoom(server(), room, "cat");
    await waitForText(ada.page, "#online-summary", "2 online: ada, cat");
    const [socket] = ada.sockets;

    // The server stops, its connections open: like a laptop that slept, or a Wi-Fi that changed,
    // where the browser does not notice for minutes.
    freeze(server());
    try {
      await ada.page.clock.pauseAt(start + PING_INTERVAL_MS);
      await waitUntil(() => pings(socket) === 1, () => `${pings(socket)} pings sent`);
      assert.equal(await ada.page.locator("#status").getAttribute("data-state"), "connected", "waiting for the pong");
      await ada.page.clock.pauseAt(start + PING_INTERVAL_MS + PONG_TIMEOUT_MS + 1_000);
      await waitForStatus(ada.page, "reconnecting");
      assert.equal(pongs(socket), 0);
      assert.equal(ada.sockets.length, 1, "the page's time stands still: the retry waits");
    } finally {
      thaw(server());
    }

    // While ada is away: cat leaves, dan comes, bob writes.
    cat.close();
    const dan = await joinRoom(server(), room, "dan");
    const missed = ["while you were away", "still away?"];
    await say(server(), room, "bob", missed);
    await ada.page.clock.resume();
    await waitForStatus(ada.page, "connected");
    await waitForTexts(ada.page, ["before the freeze", ...missed]);
    // The new connection's users frame is the truth: ada never got the presence frame with cat in left.
    await waitForText(ada.page, "#online-summary", "2 online: ada, dan");
    // It resumed after "before the freeze", message 1 of the room, on a new connection.
    const afters = ada.sockets.map(({ url }) => new URL(url).searchParams.get("after"));
    assert.ok(afters.length >= 2 && afters.slice(1).every((after) => after === "1"), `after= on reconnecting: ${afters}`);
    assert.equal(await ada.page.locator("#send-error").textContent(), "");
    assert.deepEqual(ada.errors, []);
    dan.close();
  });

  test("a close with 1009 (a frame too big for the server): the text comes back, a notice says why, the page reconnects", async () => {
    // The page never sends a frame that long; on its way to the server, this one is made so.
    const marker = "make me too big";
    const ada = await openChat(browser, server(), "room-1009", "ada", {}, {
      beforeLoad: (context) =>
        context.routeWebSocket(/\/ws\?/, (page) => {
          const upstream = page.connectToServer();
          page.onMessage((text) =>
            upstream.send(String(text).includes(marker) ? JSON.stringify({ message: "x".repeat(MAX_FRAME_LENGTH) }) : text),
          );
        }),
    });
    await send(ada.page, "fits");
    await waitForTexts(ada.page, ["fits"]);
    await send(ada.page, marker);
    await waitForText(ada.page, "#send-error", /^The server closed the connection, calling a message too big \(close code 1009\)/);
    assert.equal(await ada.page.getByLabel("Message", { exact: true }).inputValue(), marker, "the text is given back");
    await waitForStatus(ada.page, "connected");
    await send(ada.page, "fits again");
    await waitForTexts(ada.page, ["fits", "fits again"]);
    assert.equal(await ada.page.locator("#send-error").textContent(), "", "sending again clears the notice");
    assert.deepEqual(ada.errors, []);
  });
});
