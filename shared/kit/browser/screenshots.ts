// `npm run screenshots`: regenerates docs/public/screenshots/stage-0N-{light,dark}-{desktop,phone}.png
// from the real solutions, for the workshop guide. The content is fixed (room, names, a short
// conversation) and so are the times: the page is shown at http://localhost:8787 and its
// WebSocket is bridged to the real server with every server timestamp mapped onto a fixed
// clock, so the images only change when the page does. Stage 08 shows the directory of rooms
// instead: the page without ?room, while people sit in a few rooms. Stage 09 has three pictures of
// a protected room, stage-09-{password,owner,deleted}-…: the page asking for the password, the
// owner's page with its Delete room button, and a member's page once the owner deleted the room.
// Stage 10 has stage-10-retention-…: a room with its "Messages are kept for 7 days." line.
// Stage 06 ends on the rate limit: the viewer's last message refused, the notice under the input.
// `npm run screenshots -- 6` makes one stage's pictures alone (several stages: `-- 5 6`).
// `npm run screenshots -- classroom` makes classroom-dashboard{,-phone}.png alone: the instructor's
// dashboard of a real `npm run classroom` server, its attendees joined and reporting over HTTP.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { Browser, Page, WebSocketRoute } from "playwright-core";
import type { AttendeeView, Report, StageReport } from "../../classroom/report.ts";
import { startClassroom, startDevServer, type Classroom, type DevServer } from "../dev-server.ts";
import { REPO_ROOT } from "../paths.ts";
import { parseStage, UsageError } from "../stages.ts";
import { chromiumSkipReason, launchChromium } from "./chromium.ts";
import { parseOptions, run } from "../cli.ts";

const OUT_DIR = join(REPO_ROOT, "docs/public/screenshots");
const SHOWN_ORIGIN = "http://localhost:8787";
const ROOM = "workshop";
const VIEWER = "Ada";
/** 09:41 UTC on the workshop day: the first message's time in every picture. */
const CLOCK_START = Date.UTC(2026, 4, 14, 9, 41, 0);
const CLOCK_STEP_MS = 53_000;
const SIZES = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
const SCHEMES = ["light", "dark"] as const;
const WAIT_MS = 15_000;

/** A message from one of the others: to everyone, or (stage 07) to `to` alone. */
type Line = [name: string, message: string, to?: string];

/**
 * What happens in the room before the screenshot, per stage. The others write `before`, which the
 * viewer then finds in the history; `live` once the viewer is there (private messages are never
 * stored, so they must come then); the viewer types `after`, then may choose `writingTo` in the
 * online list, so the composer shows whom it writes to. With `refused`, the viewer then sends one
 * more message just after another connection of the same name spent its whole bucket (stage 06):
 * the server refuses it, and the page keeps it in the input with the rate-limit notice under it.
 */
const SCENES: Record<number, { others: string[]; before: Line[]; live?: Line[]; after: string[]; writingTo?: string; refused?: string; picture?: string }> = {
  // Echo: only the viewer, who hears themselves.
  1: { others: [], before: [], after: ["Hello? Is this thing on?", "It echoes! On to step 2."] },
  3: {
    others: ["Grace", "Linus"],
    before: [
      ["Grace", "Morning! Is everyone on stage 3?"],
      ["Linus", "Yes. I restarted my server twice and the history is still here."],
      ["Grace", "That's SQLite in the Durable Object doing its job."],
    ],
    after: ["Just joined: I can see everything you wrote before I came in."],
  },
  5: {
    others: ["Grace", "Linus"],
    before: [
      ["Grace", "Stage 5: the list on the right updates when someone joins."],
      ["Linus", "And the count survives hibernation, because it lives in the socket attachments."],
    ],
    after: ["Joined from a second laptop: 3 online now."],
  },
  6: {
    others: ["Grace", "Linus"],
    before: [
      ["Grace", "Last stage: a token bucket per name."],
      ["Linus", "Five messages in a burst, then one per second."],
      ["Grace", "No timers needed: the bucket refills from the time that passed."],
      ["Linus", "Try a burst and watch the notice next to the input."],
    ],
    after: ["Nice work, everyone. See you at the break!"],
    refused: "And one more, too fast!",
  },
  7: {
    others: ["Grace", "Linus"],
    before: [
      ["Grace", "Optional stage 7: private messages. Choose a name in the online list, or type /msg."],
      ["Linus", "Every socket is tagged with its name, so getWebSockets(name) finds all of a person's tabs."],
    ],
    live: [["Grace", "Psst, Ada: only you can see this one.", VIEWER]],
    after: ["/msg Grace Got it! And it is never stored: a reload and it is gone."],
    writingTo: "Linus",
  },
  // Optional stage 10: the room says how long it keeps messages (stage-10-retention-…).
  10: {
    others: ["Grace", "Linus"],
    before: [
      ["Grace", "Optional stage 10: alarms. The room now forgets messages older than its retention."],
      ["Linus", "And closes connections that stopped pinging for 90 s: the page reconnects by itself."],
    ],
    after: ["So that line under the room's name is new: messages are kept for 7 days."],
    picture: "retention",
  },
};

/** Stage 08: who sits in which room when the page opens the directory, busiest first as it lists them. */
const DIRECTORIES: Record<number, Record<string, string[]>> = {
  8: { workshop: ["Grace", "Linus", "Margaret"], "stage-8-help": ["Alan", "Barbara"], "coffee-break": ["Ken"] },
};

/**
 * Stage 09: a room created with a password (its owner token kept by the script, as Grace's), where
 * the others already talk. The viewer is asked for the password (`password`); Grace's page, which
 * holds the token, shows Delete room (`owner`); then the viewer joins, and Grace deletes the room
 * (`deleted`).
 */
const PROTECTED: Record<number, { password: string; owner: string; others: string[]; before: Line[]; ownerWrites: string; viewerWrites: string }> = {
  9: {
    password: "correct horse battery",
    owner: "Grace",
    others: ["Linus", "Margaret"],
    before: [
      ["Linus", "Optional stage 9: this room has a password. The page asked for it before connecting."],
      ["Margaret", "And bought a ticket with it: one connection, within 60 s. Nothing stores the password itself."],
    ],
    ownerWrites: "I created the room, so my browser keeps its owner token. Deleting it when we are done!",
    viewerWrites: "Thanks, Grace. See you at the next workshop!",
  },
};

const PICTURED = [...Object.keys(SCENES), ...Object.keys(DIRECTORIES), ...Object.keys(PROTECTED)].map(Number).sort((a, b) => a - b);

function usage(): string {
  return `Usage: npm run screenshots [-- <stage>... | classroom]

Starts the solutions of stages ${PICTURED.join(", ")} (or only those given) one at a time, plays a short
conversation (stage 08: fills a few rooms; stage 09: a protected room, asked for, owned, deleted) and
writes light and dark, desktop and phone pictures of the chat page to ${relative(REPO_ROOT, OUT_DIR)}/.
Then (or, with "classroom", only) the instructor's classroom dashboard, desktop and phone.
Needs Chromium (Debian/Ubuntu: sudo apt-get install chromium, or set CHROMIUM_PATH).`;
}

async function main(args: string[]): Promise<number> {
  const { positionals } = parseOptions(args, {}, usage());
  const classroom = positionals.length === 0 || positionals.includes("classroom");
  const given = positionals.filter((text) => text !== "classroom");
  const stages = positionals.length === 0 ? PICTURED : given.map((text) => parseStage(text).number);
  const unpictured = stages.filter((stage) => !PICTURED.includes(stage));
  if (unpictured.length > 0) throw new UsageError(`No pictures of stage ${unpictured.join(", ")}: choose among ${PICTURED.join(", ")}.\n\n${usage()}`);
  const missing = chromiumSkipReason();
  if (missing) {
    console.error(missing.replace("browser tests skipped", "cannot take screenshots"));
    return 1;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const stateDir = mkdtempSync(join(tmpdir(), "hello-chat-screenshots-"));
  const browser = await launchChromium();
  try {
    for (const stage of stages) {
      const server = await startDevServer({ kind: "solutions", stage, stateDir });
      try {
        if (DIRECTORIES[stage]) await shootDirectory(browser, server, stage);
        else if (PROTECTED[stage]) await shootProtected(browser, server, stage);
        else await shoot(browser, server, stage);
      } finally {
        await server.stop();
      }
    }
    if (classroom) {
      const server = await startClassroom({ stateDir });
      try {
        await shootClassroom(browser, server);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await browser.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
  return 0;
}

async function shoot(browser: Browser, server: DevServer, stage: number): Promise<void> {
  const scene = SCENES[stage];
  const others = await Promise.all(scene.others.map((name) => joinRoom(server, ROOM, name)));
  try {
    for (const [name, message] of scene.before) {
      const socket = others[scene.others.indexOf(name)];
      await sendAndWait(socket, message);
    }
    const context = await newContext(browser);
    await context.addInitScript((name) => sessionStorage.setItem("hello-chat:name", name), VIEWER);
    const page = await context.newPage();
    await showLocalhost(page, server);
    await page.goto(`${SHOWN_ORIGIN}/?room=${ROOM}`);
    await page.locator("#status[data-state=connected]").waitFor({ timeout: WAIT_MS });
    await waitForMessages(page, scene.before.length);
    const live = scene.live ?? [];
    for (const [index, [name, message, to]] of live.entries()) {
      await sendAndWait(others[scene.others.indexOf(name)], message, to);
      await waitForMessages(page, scene.before.length + index + 1);
    }
    const shown = scene.before.length + live.length;
    for (const [index, text] of scene.after.entries()) {
      await page.locator("#message").fill(text);
      await page.keyboard.press("Enter");
      await waitForMessages(page, shown + index + 1);
    }
    if (stage >= 5) await page.getByText(`${others.length + 1} online`).first().waitFor({ timeout: WAIT_MS });
    if (scene.writingTo) await page.locator("#people-list").getByRole("button", { name: scene.writingTo, exact: true }).click();
    if (scene.refused) await showRateLimited(page, server, scene.refused);
    await page.locator("#message").blur();
    await capture(page, scene.picture ? `${label(stage)}-${scene.picture}` : label(stage));
    await context.close();
  } finally {
    for (const socket of others) socket.close();
  }
}

/**
 * Stage 06's notice: the viewer's bucket is emptied from a second connection of the same name
 * (with frames that are not messages, which cost a token too but show in nobody's page), then the
 * page sends `text` at once and is refused. The page's clock stands still from then on, so the
 * notice, which counts down to the next token (at most 1 s away), stays for every picture.
 */
async function showRateLimited(page: Page, server: DevServer, text: string): Promise<void> {
  await page.locator("#message").fill(text);
  const spender = await joinRoom(server, ROOM, VIEWER);
  try {
    await page.clock.setFixedTime(Date.now());
    for (let frames = 0; ; frames++) {
      if (frames === 20) throw new Error("the server never answered rate_limited");
      const answer = new Promise<{ type?: string; code?: string }>((resolve) =>
        spender.addEventListener("message", (event) => resolve(JSON.parse(String(event.data))), { once: true }),
      );
      spender.send("not json");
      const frame = await answer;
      if (frame.type === "error" && frame.code === "rate_limited") break;
    }
    await page.keyboard.press("Enter");
    await page.locator("#send-error", { hasText: "Slow down" }).waitFor({ timeout: WAIT_MS });
    const sent = await page.locator("#messages > li", { hasText: text }).count();
    if (sent > 0) throw new Error("the message meant to be refused was sent: the bucket refilled first (a slow machine?); run it again");
  } finally {
    spender.close();
  }
}

/** Stage 08: the page without ?room lists the rooms people sit in, with a New room button. */
async function shootDirectory(browser: Browser, server: DevServer, stage: number): Promise<void> {
  const rooms = Object.entries(DIRECTORIES[stage]);
  const people = await Promise.all(rooms.flatMap(([room, names]) => names.map((name) => joinRoom(server, room, name))));
  try {
    // The rooms tell the lobby after a moment: wait until the directory has them all.
    const expected = rooms.map(([name, names]) => ({ name, online: names.length }));
    const deadline = Date.now() + WAIT_MS;
    let listed: unknown;
    while (JSON.stringify(listed) !== JSON.stringify({ rooms: expected })) {
      if (Date.now() > deadline) throw new Error(`/api/rooms answers ${JSON.stringify(listed)}, not ${JSON.stringify({ rooms: expected })}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      listed = await (await fetch(`${server.origin}/api/rooms`)).json();
    }
    const context = await newContext(browser);
    const page = await context.newPage();
    await showLocalhost(page, server);
    await page.goto(`${SHOWN_ORIGIN}/`);
    await page.locator("#room-list > li").nth(rooms.length - 1).waitFor({ timeout: WAIT_MS });
    await capture(page, label(stage));
    await context.close();
  } finally {
    for (const socket of people) socket.close();
  }
}

/** Stage 09: the password prompt, the owner's page, and a member's page once the room is deleted. */
async function shootProtected(browser: Browser, server: DevServer, stage: number): Promise<void> {
  const scene = PROTECTED[stage];
  const created = await api(server, "POST", "/api/rooms", { body: { name: ROOM, password: scene.password } });
  const { ownerToken } = created as { ownerToken: string };
  const others: WebSocket[] = [];
  try {
    for (const name of scene.others) others.push(await joinRoom(server, ROOM, name, await ticketFor(server, scene.password)));
    for (const [name, message] of scene.before) await sendAndWait(others[scene.others.indexOf(name)], message);

    /** A page of the room as `name` remembers it, with the owner token when `owner`. */
    const open = async (name: string, owner = false) => {
      const context = await newContext(browser);
      await context.addInitScript(
        ([remembered, room, token]) => {
          sessionStorage.setItem("hello-chat:name", remembered);
          if (token) localStorage.setItem(`hello-chat:owner:${room}`, token);
        },
        [name, ROOM, owner ? ownerToken : ""],
      );
      const page = await context.newPage();
      await showLocalhost(page, server);
      await page.goto(`${SHOWN_ORIGIN}/?room=${ROOM}`);
      // A remembered name: the page asks for the password alone, its field focused.
      await page.locator("#password-area").waitFor({ timeout: WAIT_MS });
      await page.locator("#app:not(.starting)").waitFor({ timeout: WAIT_MS });
      return { context, page };
    };
    const unlock = async (page: Page) => {
      await page.locator("#password").fill(scene.password);
      await page.keyboard.press("Enter");
      await page.locator("#status[data-state=connected]").waitFor({ timeout: WAIT_MS });
    };
    const write = async (page: Page, text: string, count: number) => {
      await page.locator("#message").fill(text);
      await page.keyboard.press("Enter");
      await waitForMessages(page, count);
      await page.locator("#message").blur();
    };

    const asked = await open(VIEWER);
    await capture(asked.page, `${label(stage)}-password`);
    await asked.context.close();

    const owner = await open(scene.owner, true);
    await unlock(owner.page);
    await waitForMessages(owner.page, scene.before.length);
    await write(owner.page, scene.ownerWrites, scene.before.length + 1);
    await owner.page.getByText(`${scene.others.length + 1} online`).first().waitFor({ timeout: WAIT_MS });
    await owner.page.locator("#delete-room").waitFor({ timeout: WAIT_MS });
    // On a phone the room's details fold away: open them, so the owner's card shows. (The page
    // folds them when the width changes: should that come late, open them again.)
    await capture(owner.page, `${label(stage)}-owner`, async (size) => {
      if (size !== "phone") return;
      for (let tries = 0; !(await owner.page.locator("#delete-room").isVisible()); tries++) {
        if (tries === 20) throw new Error("the owner's Delete room button does not show on a phone");
        await owner.page.evaluate("document.getElementById('info').open = true");
        await owner.page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))");
      }
      await owner.page.locator("#delete-room").scrollIntoViewIfNeeded({ timeout: WAIT_MS });
    });
    await owner.context.close();

    const member = await open(VIEWER);
    await unlock(member.page);
    await waitForMessages(member.page, scene.before.length + 1);
    await write(member.page, scene.viewerWrites, scene.before.length + 2);
    await api(server, "DELETE", `/api/rooms/${ROOM}`, { token: ownerToken });
    await member.page.locator("#ended").waitFor({ timeout: WAIT_MS });
    await capture(member.page, `${label(stage)}-deleted`);
    await member.context.close();
  } finally {
    for (const socket of others) socket.close();
  }
}

/** A request of the room API (stage 09) that must succeed: its JSON, or null (204). */
async function api(server: DevServer, method: string, path: string, { body, token }: { body?: object; token?: string }): Promise<unknown> {
  const response = await fetch(`${server.origin}${path}`, {
    method,
    headers: { ...(body && { "Content-Type": "application/json" }), ...(token && { Authorization: `Bearer ${token}` }) },
    body: body && JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

/** A ticket for one connection to the protected room. */
async function ticketFor(server: DevServer, password: string): Promise<string> {
  const { ticket } = (await api(server, "POST", `/api/rooms/${ROOM}/tickets`, { body: { password } })) as { ticket: string };
  return ticket;
}

/** "01" … "09": how the pictures of a stage begin. */
function label(stage: number): string {
  return String(stage).padStart(2, "0");
}

function newContext(browser: Browser) {
  return browser.newContext({
    viewport: SIZES.desktop,
    deviceScaleFactor: 1,
    colorScheme: "light",
    locale: "en-US",
    timezoneId: "UTC",
    reducedMotion: "reduce",
  });
}

/**
 * Writes the page in both colour schemes, at both sizes, as stage-<name>-<scheme>-<size>.png.
 * `prepare(size)` runs once the page has settled at that size (its own handlers have run).
 */
async function capture(page: Page, name: string, prepare?: (size: string) => Promise<void>): Promise<void> {
  // Layout and the stick-to-bottom scrolling settle within a frame or two.
  // (A string: it runs in the page, and the kit's tsconfig has no DOM types.)
  const settle = () => page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))");
  for (const scheme of SCHEMES) {
    for (const [size, viewport] of Object.entries(SIZES)) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize(viewport);
      await settle();
      if (prepare) {
        await prepare(size);
        await settle();
      }
      const file = join(OUT_DIR, `stage-${name}-${scheme}-${size}.png`);
      await page.screenshot({ path: file, animations: "disabled", caret: "hide" });
      console.log(`wrote ${relative(REPO_ROOT, file)}`);
    }
  }
}

/** Serves the page as http://localhost:8787 (what an attendee sees), whatever port the server got. */
async function showLocalhost(page: Page, server: DevServer): Promise<void> {
  await page.route(`${SHOWN_ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({ url: `${server.origin}${url.pathname}${url.search}` });
    await route.fulfill({ response });
  });
  const clock = new Map<number, number>();
  await page.routeWebSocket(`${SHOWN_ORIGIN.replace("http", "ws")}/ws**`, (route: WebSocketRoute) => {
    const url = new URL(route.url());
    const upstream = new WebSocket(`ws://127.0.0.1:${server.port}${url.pathname}${url.search}`);
    const early: string[] = [];
    upstream.addEventListener("message", (event) => route.send(onFixedClock(String(event.data), clock)));
    upstream.addEventListener("open", () => early.splice(0).forEach((text) => upstream.send(text)));
    // The close code and reason pass on: stage 09's 4004 is how the page knows the room was deleted.
    upstream.addEventListener("close", ({ code, reason }) =>
      route.close(code === 1000 || (code >= 3000 && code <= 4999) ? { code, reason } : undefined),
    );
    route.onMessage((text) => (upstream.readyState === WebSocket.OPEN ? upstream.send(String(text)) : early.push(String(text))));
    route.onClose(() => upstream.close());
  });
}

type Stamped = { timestamp?: number; serverTime?: string };

/**
 * Moves the server times in a frame onto the fixed clock, keeping the order of messages:
 * a message frame's, or those of every message in a history frame (stage 03 on). The
 * runtime's "pong" (the answer to the page's keepalive "ping") is no JSON: it passes as it is.
 */
function onFixedClock(text: string, clock: Map<number, number>): string {
  if (text === "pong") return text;
  const frame = JSON.parse(text) as Stamped & { type?: string; messages?: unknown };
  if (frame.type === "history" && Array.isArray(frame.messages)) {
    return JSON.stringify({ ...frame, messages: frame.messages.map((message: Stamped) => fixTime(message, clock)) });
  }
  return JSON.stringify(fixTime(frame, clock));
}

function fixTime<T extends Stamped>(message: T, clock: Map<number, number>): T {
  if (typeof message.timestamp !== "number" || message.timestamp <= 0) return message;
  if (!clock.has(message.timestamp)) clock.set(message.timestamp, CLOCK_START + clock.size * CLOCK_STEP_MS);
  const fixed = clock.get(message.timestamp)!;
  return { ...message, timestamp: fixed, serverTime: new Date(fixed).toISOString() };
}

/** Someone in `room`, as a plain WebSocket client; a protected room (stage 09) takes a `ticket`. */
async function joinRoom(server: DevServer, room: string, name: string, ticket?: string): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws?room=${room}&name=${name}${ticket ? `&ticket=${ticket}` : ""}`);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", () => reject(new Error(`${name} could not join: ${server.output()}`)), {
      once: true,
    });
  });
  return socket;
}

/**
 * Sends a message (to everyone, or to `to` alone) and waits until the server has sent it back,
 * as it does to the sender of either kind, so the order is fixed.
 */
function sendAndWait(socket: WebSocket, message: string, to?: string): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent) => {
      const frame = JSON.parse(String(event.data)) as { type: string; message?: string };
      if (frame.type === "message" && frame.message === message) {
        socket.removeEventListener("message", onMessage);
        resolve();
      }
    };
    socket.addEventListener("message", onMessage);
    socket.send(JSON.stringify({ message, to }));
  });
}

async function waitForMessages(page: Page, count: number): Promise<void> {
  if (count > 0) await page.locator("#messages > li").nth(count - 1).waitFor({ timeout: WAIT_MS });
}

/** The classroom pictures' "now" (10:32 UTC on the workshop day), and where the dashboard seems to be. */
const CLASSROOM_NOW = Date.UTC(2026, 4, 14, 10, 32, 0);
const CLASSROOM_ORIGIN = "http://localhost:8790";
/** How many checks `npm run check -- <N>` runs (those of stages 1 to N), for N = 1 … 10. */
const CHECKS_UP_TO = [14, 20, 29, 31, 42, 45, 58, 70, 90, 98];
const FAILS = {
  broadcast: { stage: 2, title: "every client sees every message in the same order", hint: "Broadcast from the object, in the order it receives messages: loop over this.ctx.getWebSockets() and send each the same frame." },
  history: { stage: 3, title: "history survives the object's eviction", hint: "Keep messages in this.ctx.storage, not in a field of the object: a field is lost when the runtime evicts the object." },
  presence: { stage: 5, title: "who is here is right after the object hibernates", hint: "Derive the names from this.ctx.getWebSockets() and each socket's attachment, not from a Map that hibernation empties." },
  directory: { stage: 8, title: "a room appears in the directory while someone is in it", hint: "Tell the lobby object when a room's count of people changes, from webSocketMessage's join and from webSocketClose." },
};
/**
 * The room in the pictures: who passed which stages, which stage they fail (how many of its checks
 * pass, and the first failing one), how many minutes ago they last checked, and for how many
 * minutes the same check has failed. Grace is stuck; Edsger left; Hedy has not checked yet.
 */
type Seat = { name: string; passed: number; failing?: { passing: number; check: (typeof FAILS)[keyof typeof FAILS] }; checked?: number; since?: number; left?: true };
const SEATS: Seat[] = [
  { name: "Ada Lovelace", passed: 6, checked: 1 },
  { name: "Grace", passed: 2, failing: { passing: 24, check: FAILS.history }, checked: 1, since: 14 },
  { name: "Linus", passed: 2, failing: { passing: 25, check: FAILS.history }, checked: 2, since: 4 },
  { name: "Margaret", passed: 4, failing: { passing: 38, check: FAILS.presence }, checked: 3, since: 3 },
  { name: "Alan", passed: 2, failing: { passing: 26, check: FAILS.history }, checked: 0, since: 6 },
  { name: "Barbara Liskov", passed: 7, failing: { passing: 64, check: FAILS.directory }, checked: 5, since: 5 },
  { name: "Ken", passed: 1, failing: { passing: 16, check: FAILS.broadcast }, checked: 8, since: 8 },
  { name: "Edsger", passed: 1, checked: 25, left: true },
  { name: "Hedy", passed: 0 },
];

/** A report of `npm run check -- <N>` for each stage a seat checked, as membership.ts builds them. */
function seatReport(seat: Seat): Report {
  const stageOf = (n: number, passing: number, check?: Seat["failing"]): StageReport => {
    const total = CHECKS_UP_TO[n - 1];
    const checks = Array.from({ length: total }, (_, i) => ({
      stage: n,
      title: check && i === passing ? check.check.title : `check ${i + 1} of stage ${label(n)}`,
      passed: i < passing,
    }));
    return check
      ? { stage: n, status: "failing", checks, firstFailing: { stage: check.check.stage, title: check.check.title, hint: check.check.hint } }
      : { stage: n, status: "passed", checks };
  };
  const results = Array.from({ length: seat.passed }, (_, i) => stageOf(i + 1, CHECKS_UP_TO[i]));
  if (seat.failing) results.push(stageOf(seat.passed + 1, seat.failing.passing, seat.failing));
  return { kit: "hello-chat 1.0.0", at: Date.now(), results };
}

/**
 * The instructor's dashboard (classroom-dashboard{,-phone}.png): the seats join and report over HTTP,
 * the page is shown at http://localhost:8790 with its clock fixed (page.clock), and its socket is bridged
 * to the real server with each attendee's times moved back by their seat's minutes, so Grace's
 * 14 minutes on one check are what the page itself finds stuck.
 */
async function shootClassroom(browser: Browser, server: Classroom): Promise<void> {
  for (const seat of SEATS) {
    const { id, secret } = (await api(server, "POST", `/api/sessions/${server.code}/attendees`, { body: { name: seat.name } })) as { id: string; secret: string };
    if (seat.checked !== undefined) await api(server, "POST", `/api/sessions/${server.code}/reports`, { body: seatReport(seat), token: `${id}.${secret}` });
    if (seat.left) await api(server, "DELETE", `/api/sessions/${server.code}/attendees/me`, { token: `${id}.${secret}` });
  }
  const context = await newContext(browser);
  await context.clock.setFixedTime(CLASSROOM_NOW);
  const page = await context.newPage();
  await page.route(`${CLASSROOM_ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    await route.fulfill({ response: await route.fetch({ url: `${server.origin}${url.pathname}${url.search}` }) });
  });
  await page.routeWebSocket(`${CLASSROOM_ORIGIN.replace("http", "ws")}/api/**`, (route: WebSocketRoute) => {
    const url = new URL(route.url());
    // The page sends its key as a subprotocol; so does the bridge.
    const upstream = new WebSocket(`ws://127.0.0.1:${server.port}${url.pathname}${url.search}`, ["classroom", `key.${server.key}`]);
    upstream.addEventListener("message", (event) => route.send(onClassroomClock(String(event.data))));
    upstream.addEventListener("close", () => route.close());
    route.onMessage((text) => upstream.readyState === WebSocket.OPEN && upstream.send(String(text)));
    route.onClose(() => upstream.close());
  });
  await page.goto(`${CLASSROOM_ORIGIN}/c/${server.code}/dashboard#key=${server.key}`);
  await page.locator(`#grid tbody tr`).nth(SEATS.length - 1).waitFor({ timeout: WAIT_MS });
  await page.locator(`#grid td[data-state=stuck]`).waitFor({ timeout: WAIT_MS });
  await page.locator("#most-failed:not([hidden])").waitFor({ timeout: WAIT_MS });
  const settle = () => page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))");
  for (const [size, viewport, file] of [["desktop", { width: 1280, height: 900 }, "classroom-dashboard.png"], ["phone", SIZES.phone, "classroom-dashboard-phone.png"]] as const) {
    await page.setViewportSize(viewport);
    await settle();
    // On a phone the grid scrolls in its box under the names: bring Grace's stuck cell into view.
    if (size === "phone") {
      await page.evaluate("document.querySelector('#grid td[data-state=stuck]').scrollIntoView({ inline: 'center', block: 'nearest' }); scrollTo(0, 0)");
      await settle();
    }
    const path = join(OUT_DIR, file);
    await page.screenshot({ path, animations: "disabled", caret: "hide", fullPage: size === "desktop" });
    console.log(`wrote ${relative(REPO_ROOT, path)}`);
  }
  await context.close();
}

/** A dashboard frame on the pictures' clock: the server's now is CLASSROOM_NOW, each seat's times as long ago as it says. */
function onClassroomClock(text: string): string {
  if (text === "pong") return text;
  const frame = JSON.parse(text) as { now: number; attendees?: AttendeeView[]; attendee?: AttendeeView };
  const shift = CLASSROOM_NOW - frame.now;
  const move = (attendee: AttendeeView): AttendeeView => {
    const seat = SEATS.find((s) => s.name === attendee.name);
    const ago = (time: number | null, minutes = 0) => (time === null ? null : time + shift - minutes * 60_000);
    return {
      ...attendee,
      joinedAt: ago(attendee.joinedAt, 40)!,
      lastReportAt: ago(attendee.lastReportAt, seat?.checked),
      leftAt: ago(attendee.leftAt, seat?.left ? 20 : 0),
      stages: attendee.stages.map((stage) => ({ ...stage, reportedAt: ago(stage.reportedAt, seat?.checked)!, failingSince: ago(stage.failingSince, seat?.since) })),
    };
  };
  return JSON.stringify({
    ...frame,
    now: CLASSROOM_NOW,
    ...(frame.attendees && { attendees: frame.attendees.map(move) }),
    ...(frame.attendee && { attendee: move(frame.attendee) }),
  });
}

await run(main);
