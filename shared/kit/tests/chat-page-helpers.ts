// What the chat page's browser tests share: a page that joins a room, what it shows and
// sends, and someone else in the room as a plain WebSocket client. Pages wait on conditions
// with deadlines, never on fixed sleeps.
import { setTimeout as sleep } from "node:timers/promises";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import type { DevServer } from "../dev-server.ts";

export const WAIT_MS = 20_000;

export type Shown = { name: string; text: string; mine: boolean; time: string | null; iso: string | null };

/** A WebSocket the page opened: its address, and the frames it sent and received, in order. */
export type PageSocket = { url: string; sent: string[]; received: string[]; closed: boolean };

/** A page, what it showed in dialogs, threw and logged as errors, and the WebSockets it opened. */
export type Chat = { page: Page; dialogs: string[]; errors: string[]; console: string[]; sockets: PageSocket[] };

/**
 * A fresh browser profile (own localStorage) that joins `room` as `name` through the form.
 * With `clock`, the page's timers are Playwright's, so a test can stop its time or move it on;
 * `beforeLoad` can set up more (routes) before the page loads.
 */
export async function openChat(
  browser: Browser,
  server: DevServer,
  room: string,
  name: string,
  options: BrowserContextOptions = {},
  { clock = false, beforeLoad }: { clock?: boolean; beforeLoad?: (context: BrowserContext) => Promise<void> } = {},
): Promise<Chat> {
  const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC", ...options });
  if (clock) await context.clock.install();
  await beforeLoad?.(context);
  const chat = watch(await context.newPage());
  await chat.page.goto(`${server.origin}/?room=${room}`);
  await chat.page.getByLabel("Your name").fill(name);
  await chat.page.getByLabel("Your name").press("Enter");
  await waitForStatus(chat.page, "connected");
  return chat;
}

/** Records what `page` shows in dialogs, throws, logs as errors or warnings, and does on its WebSockets. */
export function watch(page: Page): Chat {
  const chat: Chat = { page, dialogs: [], errors: [], console: [], sockets: [] };
  page.on("dialog", (dialog) => {
    chat.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => chat.errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") chat.console.push(message.text());
  });
  page.on("websocket", (socket) => {
    const entry: PageSocket = { url: socket.url(), sent: [], received: [], closed: false };
    chat.sockets.push(entry);
    socket.on("framesent", ({ payload }) => entry.sent.push(String(payload)));
    socket.on("framereceived", ({ payload }) => entry.received.push(String(payload)));
    socket.on("close", () => (entry.closed = true));
  });
  return chat;
}

/**
 * Someone else in the room, as a plain WebSocket client: sends `messages` and waits until they
 * are stored. An error frame (the rate limit is per name, across connections) fails it at once.
 */
export async function say(server: DevServer, room: string, name: string, messages: string[]): Promise<void> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws?room=${room}&name=${encodeURIComponent(name)}`);
  const last = messages.at(-1);
  const done = new Promise<void>((resolve, reject) => {
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data)) as { type: string; name?: string; message?: string };
      if (frame.type === "message" && frame.name === name && frame.message === last) resolve();
      if (frame.type === "error") reject(new Error(`${name} in ${room} got ${String(event.data)}`));
    });
    socket.addEventListener("error", () => reject(new Error(`${name} could not join ${room}`)));
    socket.addEventListener("close", () => reject(new Error(`${name}'s connection to ${room} closed`)));
  });
  socket.addEventListener("open", () => {
    for (const message of messages) socket.send(JSON.stringify({ message }));
  });
  try {
    await done;
  } finally {
    socket.close();
  }
}

/** Someone else in the room, as a plain WebSocket client that stays until it is closed. */
export async function joinRoom(server: DevServer, room: string, name: string): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws?room=${room}&name=${encodeURIComponent(name)}`);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", () => reject(new Error(`${name} could not join ${room}`)), { once: true });
  });
  return socket;
}

export async function send(page: Page, text: string, { waitForEnabled = true } = {}): Promise<void> {
  const input = page.getByLabel("Message", { exact: true });
  await input.fill(text);
  if (waitForEnabled) await page.locator("#send:enabled").waitFor({ timeout: WAIT_MS });
  await input.press("Enter");
}

export async function waitForStatus(page: Page, state: string, timeout = WAIT_MS): Promise<void> {
  await page.locator(`#status[data-state="${state}"]`).waitFor({ timeout });
}

export async function waitForText(page: Page, selector: string, expected: string | RegExp): Promise<void> {
  const pattern = typeof expected === "string" ? new RegExp(`^${escapeRegExp(expected)}$`) : expected;
  try {
    await page.locator(selector).filter({ hasText: pattern }).waitFor({ timeout: WAIT_MS });
  } catch (error) {
    const actual = await page.locator(selector).textContent();
    throw new Error(`${selector} should read ${expected}, but reads "${actual}"`, { cause: error });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Polls `condition` until it holds; `describe` tells what was seen when it never did. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, describe: () => string, timeout = WAIT_MS): Promise<void> {
  // Polled from here: page.waitForFunction evaluates its condition with eval, which the page's
  // Content-Security-Policy (shared/public/_headers) forbids.
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(describe());
    await sleep(50);
  }
}

/** Waits until the page shows exactly `expected` (in order), then returns the lines. */
export async function waitForTexts(page: Page, expected: string[]): Promise<Shown[]> {
  let lines: Shown[] = [];
  await waitUntil(
    async () => {
      lines = await shown(page);
      return JSON.stringify(texts(lines)) === JSON.stringify(expected);
    },
    () => `expected messages ${JSON.stringify(expected)}, the page shows ${JSON.stringify(texts(lines))}`,
  );
  return lines;
}

/** The chat lines the page shows (not notices between them). */
export function shown(page: Page): Promise<Shown[]> {
  return page.locator("#messages > li.message").evaluateAll((items) =>
    items.map((item) => ({
      name: item.querySelector(".name")?.textContent ?? "",
      text: item.querySelector(".text")?.textContent ?? "",
      mine: item.classList.contains("mine"),
      time: item.querySelector("time")?.textContent ?? null,
      iso: item.querySelector("time")?.getAttribute("datetime") ?? null,
    })),
  );
}

export const texts = (lines: Shown[]) => lines.map((line) => line.text);
