// The classroom's dashboard page (shared/classroom/public/dashboard.*), in real Chromium against a
// real `npm run classroom` server: attendees join and report over HTTP, as `npm run
// classroom:join` and `npm run check` do, and the page shows them live. One server (so one
// session) and one browser for the whole file; each test names its own attendees.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Browser, BrowserContextOptions, Page, WebSocketRoute } from "playwright-core";
import type { Report, StageReport } from "../../classroom/report.ts";
import { chromiumSkipReason, launchChromium } from "../browser/chromium.ts";
import { startClassroom, type Classroom } from "../dev-server.ts";

const WAIT_MS = 10_000;
/** A report must show within this long of its POST returning: the page is pushed to, it does not poll. */
const LIVE_MS = 1_000;

type Attendee = { id: string; token: string; name: string };

/** A stage folder's report: `passing` of `total` checks pass; failing ones name their first failing check. */
function stage(number: number, passing: number, total: number, first?: { title: string; hint?: string }): StageReport {
  const checks = Array.from({ length: total }, (_, i) => ({
    stage: number,
    title: i === passing && first ? first.title : `check ${i + 1}`,
    passed: i < passing,
  }));
  if (passing === total) return { stage: number, status: "passed", checks };
  return { stage: number, status: "failing", checks, firstFailing: { stage: number, title: first?.title ?? `check ${passing + 1}`, ...(first?.hint && { hint: first.hint }) } };
}

describe("the classroom dashboard, in Chromium", { skip: chromiumSkipReason() }, () => {
  let stateDir: string;
  let server: Classroom;
  let browser: Browser;

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "hello-chat-classroom-page-"));
    [server, browser] = await Promise.all([startClassroom({ stateDir }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function joinAs(name: string): Promise<Attendee> {
    const response = await fetch(`${server.origin}/api/sessions/${server.code}/attendees`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    const { id, secret } = (await response.json()) as { id: string; secret: string };
    return { id, token: `${id}.${secret}`, name };
  }

  async function report(attendee: Attendee, results: StageReport[]): Promise<void> {
    const body: Report = { kit: "hello-chat test", at: Date.now(), results };
    const response = await fetch(`${server.origin}/api/sessions/${server.code}/reports`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${attendee.token}` },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200, await response.text());
  }

  /**
   * A fresh page of the dashboard (`hash` replaces #key=…), recording errors, dialogs and CSP
   * violations; with `clock`, Playwright's clock is installed before the page loads (a number: at that time).
   */
  async function openDashboard({ hash = `#key=${server.key}`, clock = false, beforeLoad, ...options }: BrowserContextOptions & { hash?: string; clock?: boolean | number; beforeLoad?: (page: Page) => Promise<void> } = {}) {
    const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC", viewport: { width: 1280, height: 800 }, ...options });
    if (clock !== false) await context.clock.install(typeof clock === "number" ? { time: clock } : {});
    // (A string: it runs in the page, and the kit's tsconfig has no DOM types.)
    await context.addInitScript(`
      globalThis.__violations = [];
      document.addEventListener("securitypolicyviolation", (event) => globalThis.__violations.push(event.violatedDirective + " " + event.blockedURI));
    `);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`error: ${error.message}`));
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    await beforeLoad?.(page);
    const response = await page.goto(`${server.origin}/c/${server.code}/dashboard${hash}`);
    assert.match(response?.headers()["content-security-policy"] ?? "", /default-src 'self'/, "the dashboard is served with its policy");
    /** What went wrong in the page so far: errors, dialogs, console errors, CSP violations. */
    const troubles = async () => [...problems, ...((await page.evaluate("globalThis.__violations")) as string[])];
    return { page, troubles };
  }

  const row = (page: Page, attendee: Attendee) => page.locator(`#grid tbody tr[data-id="${attendee.id}"]`);
  const cell = (page: Page, attendee: Attendee, number: number) => row(page, attendee).locator(`td[data-stage="${number}"]`);
  /** Waits until a cell is in `state` and reads `text` (a tile's text: "✓", "3 of 5", …). */
  async function waitForCell(page: Page, attendee: Attendee, number: number, state: string, text: RegExp, timeout = WAIT_MS): Promise<void> {
    try {
      await page.locator(`#grid tbody tr[data-id="${attendee.id}"] td[data-stage="${number}"][data-state="${state}"]`).filter({ hasText: text }).waitFor({ timeout });
    } catch (error) {
      const seen = await cell(page, attendee, number).evaluate((td) => `${td.getAttribute("data-state")} "${td.textContent}"`).catch(() => "no such cell");
      throw new Error(`${attendee.name}'s stage ${number} should be ${state} ${text} within ${timeout} ms; it is ${seen}`, { cause: error });
    }
  }

  test("the snapshot, then each report live: k of m, the most failed check, its hint, then ✓ and the done count", async () => {
    const ada = await joinAs("Ada");
    const grace = await joinAs("Grace");
    const linus = await joinAs("Linus");
    await report(ada, [stage(1, 5, 5)]);
    const { page, troubles } = await openDashboard();

    // (a) The snapshot: everyone who joined, Ada's passed stage, the others not started.
    // (Breaks if the page does not render the snapshot, or mixes up rows and columns.)
    await waitForCell(page, ada, 1, "passed", /^✓$/);
    assert.equal(await page.locator("#code").textContent(), server.code);
    assert.deepEqual(await page.locator("#grid tbody tr .name").allTextContents(), ["Ada", "Grace", "Linus"]);
    assert.equal(await cell(page, grace, 1).getAttribute("data-state"), "none");
    assert.equal(await page.locator("#grid thead th[data-stage]").count(), 10, "one column per stage");
    assert.equal(await page.locator('#grid thead th[data-stage="1"] .stage-done').textContent(), "1/3 done");
    assert.equal(await page.locator("#grid thead th.first-optional[data-stage]").getAttribute("data-stage"), "7", "the optional stages start after a separator");
    assert.equal(await row(page, grace).locator(".ago").textContent(), "—", "Grace never checked");
    assert.equal(await row(page, ada).locator(".ago").textContent(), "just now");
    assert.equal(await page.locator("#most-failed").isVisible(), false, "nobody fails yet");
    // Large type for a projector: at least 20 px on a 1280 px screen. (Breaks with the browser's 16 px.)
    assert.ok(Number.parseFloat(String(await page.evaluate("getComputedStyle(document.body).fontSize"))) >= 20);

    // (b) A failing report shows within a second of its POST: "3 of 5".
    // (Breaks if the page polled, or did not apply `attendee` frames.)
    const historyCheck = { title: "history survives the object's eviction", hint: "Keep messages in <b>this.ctx.storage</b>, not in a field." };
    await report(grace, [stage(1, 3, 5, historyCheck)]);
    await waitForCell(page, grace, 1, "failing", /^3 of 5$/, LIVE_MS);

    // (d) The most failed check counts each attendee's highest stage only: Linus fails stage 1 with
    // the history check too, but his stage 2 (the one he is on) fails on another check, as Ada's does.
    // (Breaks if every failing cell counted: the history check would have 2 too, and win on its lower stage.)
    const orderCheck = { title: "every client sees every message in the same order" };
    await report(linus, [stage(1, 3, 5, historyCheck), stage(2, 6, 8, orderCheck)]);
    await report(ada, [stage(2, 7, 8, orderCheck)]);
    await waitForCell(page, ada, 2, "failing", /^7 of 8$/, LIVE_MS);
    await page.locator("#most-failed", { hasText: "2 people: 02 · every client sees every message in the same order" }).waitFor({ timeout: LIVE_MS });

    // (e) Clicking (tapping) a failing cell shows its first failing check and hint, as text, at once.
    // (Breaks if the details only lived in a title attribute, or were written as HTML, or if the
    // hover's preview covered the cell and flickered the click away.)
    assert.equal(await page.locator("#details").isVisible(), false);
    // A mouse resting on the cell previews the same details; leaving the grid hides them.
    await cell(page, grace, 1).getByRole("button").hover();
    await page.locator("#details").waitFor({ state: "visible", timeout: LIVE_MS });
    assert.equal(await page.locator("#details-title").textContent(), "First failing: 01 · history survives the object's eviction");
    await page.mouse.move(0, 0);
    await page.locator("#details").waitFor({ state: "hidden", timeout: LIVE_MS });
    await cell(page, grace, 1).getByRole("button").click();
    await page.locator("#details").waitFor({ state: "visible", timeout: LIVE_MS });
    assert.equal(await page.locator("#details-title").textContent(), "First failing: 01 · history survives the object's eviction");
    assert.equal(await page.locator("#details-hint").textContent(), "Hint: Keep messages in <b>this.ctx.storage</b>, not in a field.");
    assert.equal(await cell(page, grace, 1).getByRole("button").getAttribute("aria-expanded"), "true");
    // The keyboard closes it, and focus goes back to the cell.
    await page.keyboard.press("Escape");
    await page.locator("#details").waitFor({ state: "hidden", timeout: WAIT_MS });
    assert.equal(await page.evaluate("document.activeElement?.closest('td')?.dataset.stage"), "1");
    // …and opens it again: the cell is a button, so Enter works as a tap does.
    await page.keyboard.press("Enter");
    await page.locator("#details").waitFor({ state: "visible", timeout: WAIT_MS });

    // (b) Grace passes stage 1: ✓, and stage 1's done count goes from 1/3 to 2/3, within a second.
    // (Breaks if the row were added again instead of replaced, or the header kept its count.)
    await report(grace, [stage(1, 5, 5)]);
    await waitForCell(page, grace, 1, "passed", /^✓$/, LIVE_MS);
    await page.locator('#grid thead th[data-stage="1"] .stage-done', { hasText: "2/3 done" }).waitFor({ timeout: LIVE_MS });
    assert.equal(await page.locator("#grid tbody tr").count(), 3, "Grace's row was replaced, not added");
    assert.equal(await page.locator("#details-title").textContent(), "This stage passes now.", "the open details follow the cell");
    assert.equal(await page.locator("#status").getAttribute("data-state"), "live");

    // The exports download as results.json and results.csv, the key in a header, never in an address.
    // (Breaks if the buttons linked to ?key=…, which the Worker no longer reads, or sent no key.)
    const addresses: string[] = [];
    page.on("request", (request) => addresses.push(request.url()));
    for (const format of ["json", "csv"]) {
      const [download] = await Promise.all([page.waitForEvent("download", { timeout: WAIT_MS }), page.locator(`#export-${format}`).click()]);
      assert.equal(download.suggestedFilename(), `results.${format}`);
      const text = readFileSync((await download.path())!, "utf8");
      assert.match(text, format === "json" ? /"name": "Grace/ : /^name,stage,status,/);
    }
    assert.ok(addresses.some((url) => url.endsWith("/results.csv")), addresses.join("\n"));
    assert.deepEqual(addresses.filter((url) => url.includes(server.key)), [], "no address holds the key");
    assert.deepEqual(await troubles(), []);
  });

  test("a failing cell is stuck once its check has failed for stuckAfterMs, on the server's clock", async () => {
    const sam = await joinAs("Stuck Sam");
    await report(sam, [stage(1, 5, 5), stage(2, 4, 8, { title: "the sender receives its own message too" })]);
    // This computer's clock is an hour behind the server's: the page goes by the server's (each frame's `now`).
    // (Breaks if it compared the server's failingSince with its own clock: Sam would be stuck 49 minutes late.)
    const { page, troubles } = await openDashboard({ clock: Date.now() - 3_600_000 });
    await waitForCell(page, sam, 2, "failing", /^4 of 8$/);
    // (Breaks if the page marked any failing cell stuck.)
    assert.equal(await page.locator("#grid td[data-state=stuck]").count(), 0, "nobody is stuck before 10 minutes");
    assert.doesNotMatch(await page.locator("#counts").textContent() ?? "", /stuck/);

    await page.clock.fastForward("11:00");
    // (Breaks if the page did not re-render on a timer, or showed stuck by colour alone.)
    await waitForCell(page, sam, 2, "stuck", /^4 of 8⚠ stuck 11 min$/);
    assert.equal(await cell(page, sam, 2).locator(".stuck-tag").isVisible(), true);
    // Everyone still failing from the other tests is as stuck as Sam: the count says how many rows are.
    const stuckRows = await page.locator("#grid tbody tr:has(td[data-state=stuck])").count();
    assert.ok(stuckRows >= 1);
    assert.match(await page.locator("#counts").textContent() ?? "", new RegExp(`· ${stuckRows} stuck`));
    const background = (selector: string) => page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).backgroundColor`);
    assert.notEqual(await background(`tr[data-id="${sam.id}"] td[data-stage="2"] .cell-button`), await background(".legend .swatch.failing"), "a colour of its own, besides the words");
    assert.match(await row(page, sam).locator(".ago").textContent() ?? "", /^11 min ago$/, "the last check's age follows the clock too");
    assert.deepEqual(await troubles(), []);
  });

  test("a closed socket shows reconnecting…, then comes back live; it pings every 30 s", async () => {
    const routes: WebSocketRoute[] = [];
    const pings: string[] = [];
    const { page, troubles } = await openDashboard({
      clock: true,
      beforeLoad: (page) =>
        page.routeWebSocket(/\/live$/, (route) => {
          routes.push(route);
          const upstream = route.connectToServer();
          route.onMessage((message) => {
            pings.push(String(message));
            upstream.send(message);
          });
        }),
    });
    await page.locator("#status[data-state=live]").waitFor({ timeout: WAIT_MS });
    // (Breaks without the keep-alive timer.)
    assert.deepEqual(pings, []);
    await page.clock.runFor(30_000);
    for (let tries = 0; pings.length === 0 && tries < 100; tries++) await sleep(10);
    assert.deepEqual(pings, ["ping"]);

    // The socket drops: the page says so, then reconnects by itself (its backoff's first wait is about 1 s).
    // (Breaks if the page gave up, or reconnected without saying so.)
    await routes[0].close({ code: 4000, reason: "gone" });
    await page.locator("#status[data-state=reconnecting]", { hasText: "reconnecting…" }).waitFor({ timeout: WAIT_MS });
    await page.clock.fastForward(2_000);
    await page.locator("#status[data-state=live]").waitFor({ timeout: WAIT_MS });
    assert.equal(routes.length, 2);
    const kim = await joinAs("Kim");
    await report(kim, [stage(1, 1, 5)]);
    await waitForCell(page, kim, 1, "failing", /^1 of 5$/, LIVE_MS);
    assert.deepEqual(await troubles(), []);
  });

  test("the pages and their files carry a same-origin policy (shared/classroom/public/_headers)", async () => {
    for (const path of [`/c/${server.code}/dashboard`, `/c/${server.code}`, "/dashboard.js", "/live.js", "/grid.js", "/join.js", "/dashboard.css"]) {
      const response = await fetch(`${server.origin}${path}`);
      assert.equal(response.status, 200, path);
      // (Breaks if the _headers file were missing, or allowed inline scripts or other origins.)
      const policy = response.headers.get("content-security-policy") ?? "";
      assert.match(policy, /(^|; )default-src 'self'(;|$)/, path);
      assert.match(policy, /(^|; )connect-src 'self'(;|$)/, path);
      assert.doesNotMatch(policy, /unsafe|\*|https?:|data:|blob:|ws:/, path);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
      if (path.endsWith(".js")) assert.match(response.headers.get("content-type") ?? "", /^text\/javascript/, path);
    }
  });

  test("the join page (/c/<code>) says what to type, with its own address", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/c/${server.code.toLowerCase()}`);
    // (Breaks if the page did not fill in the code and address, or took them from elsewhere.)
    await page.locator("#code", { hasText: server.code }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator("#join-command").textContent(), `npm run classroom:join -- ${server.origin}/c/${server.code} --as "<your name>"`);
    assert.match(await page.locator("main").textContent() ?? "", /Never your code, its output, or file paths/);
    await context.close();
  });

  test("no key, or a wrong one: a clear message, and no grid", async () => {
    // (Breaks if the page tried to connect without a key and showed "reconnecting…" for ever.)
    const none = await openDashboard({ hash: "" });
    await none.page.locator("#problem").waitFor({ timeout: WAIT_MS });
    assert.equal(await none.page.locator("#problem").textContent(), "This address has no instructor key: open the Dashboard address npm run classroom printed.");
    assert.equal(await none.page.locator("#board").isVisible(), false);
    assert.equal(await none.page.locator("#exports").isVisible(), false);

    // A wrong key: the socket is refused (403), and the page finds out why.
    // (Breaks if a refused socket were retried for ever instead.)
    const wrong = await openDashboard({ hash: "#key=not-the-key" });
    await wrong.page.locator("#problem").waitFor({ timeout: WAIT_MS });
    assert.match(await wrong.page.locator("#problem").textContent() ?? "", /^The instructor key in this address is not this session's/);
    assert.equal(await wrong.page.locator("#board").isVisible(), false);
  });

  test("on a 390 px phone the page does not scroll sideways; a name with HTML is shown as text", async () => {
    // (Breaks if the name went through innerHTML: an <img> in the grid, and its onerror's dialog.)
    const html = await joinAs("<img src=x onerror=alert(1)>");
    assert.ok(html.name.length <= 32);
    await report(html, [stage(1, 2, 5, { title: "<script>alert(2)</script>", hint: "<i>hint</i>" })]);
    const { page, troubles } = await openDashboard({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await waitForCell(page, html, 1, "failing", /^2 of 5$/);
    assert.equal(await row(page, html).locator(".name").textContent(), "<img src=x onerror=alert(1)>");
    assert.equal(await page.locator("#grid img, #grid script, #most-failed img, #most-failed script").count(), 0);
    await cell(page, html, 1).getByRole("button").tap();
    await page.locator("#details").waitFor({ state: "visible", timeout: WAIT_MS });
    assert.equal(await page.locator("#details-hint").textContent(), "Hint: <i>hint</i>");

    // (g) Breaks if anything (the join line, the grid, the details) widened the page; the grid
    // itself is wider than the phone and scrolls in its own box, its names' column sticky.
    const widths = (await page.evaluate(`({
      page: document.documentElement.scrollWidth,
      viewport: innerWidth,
      grid: document.getElementById("grid-scroll").scrollWidth,
      box: document.getElementById("grid-scroll").clientWidth,
      sticky: getComputedStyle(document.querySelector("#grid tbody th.who")).position,
    })`)) as { page: number; viewport: number; grid: number; box: number; sticky: string };
    assert.equal(widths.viewport, 390);
    assert.ok(widths.page <= widths.viewport, `the page is ${widths.page} px wide in a ${widths.viewport} px window`);
    assert.ok(widths.grid > widths.box, `the grid (${widths.grid} px) should scroll in its ${widths.box} px box`);
    assert.equal(widths.sticky, "sticky");
    assert.deepEqual(await troubles(), []);
  });
});
