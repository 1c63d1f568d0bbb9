// The chat page's security headers (shared/public/_headers), as a real `wrangler dev` serves
// them, and the page still working under its Content-Security-Policy in Chromium; and the
// WebSocket upgrade's Origin check (shared/protocol.ts readJoin) over real HTTP.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { chromiumSkipReason, launchChromium } from "../browser/chromium.ts";
import { serverForTests } from "./test-server.ts";

const WAIT_MS = 20_000;

/** Each directive of a Content-Security-Policy header, by name. */
function directives(policy: string): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const part of policy.split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) parsed.set(name.toLowerCase(), values);
  }
  return parsed;
}

describe("security headers from `wrangler dev`", () => {
  const server = serverForTests("solutions", 6, "headers");

  for (const path of ["/", "/?room=some-room", "/chat.js", "/vendor/uqr.mjs", "/chat.css"]) {
    test(`${path} has a same-origin CSP, nosniff and a Referrer-Policy`, async () => {
      const response = await fetch(`${server().origin}${path}`);
      assert.equal(response.status, 200);
      const policy = response.headers.get("content-security-policy");
      assert.ok(policy, `${path} has no Content-Security-Policy`);
      const csp = directives(policy);
      assert.deepEqual(csp.get("default-src"), ["'self'"]);
      assert.deepEqual(csp.get("connect-src"), ["'self'"]);
      assert.deepEqual(csp.get("frame-ancestors"), ["'none'"]);
      assert.deepEqual(csp.get("base-uri"), ["'none'"]);
      for (const [name, values] of csp) {
        for (const value of values) {
          assert.doesNotMatch(value, /unsafe|^\*$|^https?:$|^data:$|^blob:$/, `${name} allows ${value}`);
        }
      }
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    });
  }

  test("the JS modules are served as JavaScript, which nosniff requires", async () => {
    for (const path of ["/chat.js", "/vendor/uqr.mjs"]) {
      const response = await fetch(`${server().origin}${path}`);
      assert.match(response.headers.get("content-type") ?? "", /^text\/javascript/, path);
    }
  });

  describe("WebSocket upgrades check Origin", () => {
    /** Sends an upgrade request as a page at `origin` would (none: a command-line client) and resolves with its status and body. */
    function upgrade(headers: Record<string, string>): Promise<{ status: number; body: string }> {
      const { port } = server();
      return new Promise((resolve, reject) => {
        const sent = request({
          host: "127.0.0.1",
          port,
          path: "/ws?room=origin-check&name=ada",
          headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", ...headers },
        });
        sent.on("upgrade", (response, socket) => {
          socket.destroy();
          resolve({ status: response.statusCode ?? 0, body: "" });
        });
        sent.on("response", (response) => {
          let body = "";
          response.on("data", (chunk) => (body += chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        });
        sent.on("error", reject);
        sent.end();
      });
    }

    test("the chat's own page may open a socket", async () => {
      assert.equal((await upgrade({ Origin: server().origin })).status, 101);
    });

    test("so may a client that sends no Origin (a command-line client)", async () => {
      assert.equal((await upgrade({})).status, 101);
    });

    test("the page opened on a network address (--lan) may too: the host it was opened on counts", async () => {
      const lan = `192.168.1.23:${server().port}`;
      assert.equal((await upgrade({ Host: lan, Origin: `http://${lan}` })).status, 101);
    });

    for (const origin of ["https://elsewhere.example", "http://127.0.0.1.elsewhere.example", "null"]) {
      test(`a page at ${origin} gets 403 with a JSON error`, async () => {
        const { status, body } = await upgrade({ Origin: origin });
        assert.equal(status, 403);
        assert.match(JSON.parse(body).error, /other sites/);
      });
    }
  });

  test("the _headers file itself is not served", async () => {
    const response = await fetch(`${server().origin}/_headers`);
    assert.equal(response.status, 404);
    assert.doesNotMatch(await response.text(), /Content-Security-Policy/i);
  });

  describe("the page under its policy, in Chromium", { skip: chromiumSkipReason() }, () => {
    let browser: Browser;
    before(async () => {
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
    });

    test("it joins, sends and shows a message, with no CSP violation", async () => {
      const context = await browser.newContext();
      try {
        // Every violation, whether Chromium reports it as an event or as a console line.
        // (Strings, not functions: these run in the page, whose DOM types the kit does not load.)
        await context.addInitScript(`
          globalThis.__violations = [];
          document.addEventListener("securitypolicyviolation", (event) =>
            globalThis.__violations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline")));
        `);
        const page = await context.newPage();
        const console: string[] = [];
        const errors: string[] = [];
        page.on("console", (message) => {
          if (message.type() === "error" || /Content Security Policy/i.test(message.text())) {
            console.push(message.text());
          }
        });
        page.on("pageerror", (error) => errors.push(error.message));
        const violations = () => page.evaluate("globalThis.__violations") as Promise<string[]>;

        const response = await page.goto(`${server().origin}/`);
        assert.ok(response?.headers()["content-security-policy"], "the page was served without its policy");
        // With no ?room=, the page joins the default room.
        assert.equal(await page.locator("#room-name").textContent(), "default");

        await page.getByLabel("Your name").fill("ada");
        await page.getByLabel("Your name").press("Enter");
        await page.locator("#status[data-state=connected]").waitFor({ timeout: WAIT_MS });
        await page.getByLabel("Message", { exact: true }).fill("hello under CSP");
        await page.getByLabel("Message", { exact: true }).press("Enter");
        await page.locator("#messages li", { hasText: "hello under CSP" }).waitFor({ timeout: WAIT_MS });
        // The QR code (inline SVG built in the page, no data: URL) is drawn too.
        assert.equal(await page.locator("#qr svg").count(), 1);

        assert.deepEqual(await violations(), []);
        assert.deepEqual(console, []);
        assert.deepEqual(errors, []);

        // And the policy is really enforced: an injected inline script is refused and reported.
        await page.evaluate(`
          const script = document.createElement("script");
          script.textContent = "globalThis.__inlineRan = true";
          document.body.append(script);
        `);
        await page.waitForFunction("globalThis.__violations.length > 0", undefined, { timeout: WAIT_MS });
        assert.equal(await page.evaluate('"__inlineRan" in globalThis'), false);
        assert.match((await violations()).join("\n"), /script-src/);
      } finally {
        await context.close();
      }
    });
  });
});
