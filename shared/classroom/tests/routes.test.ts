// The Worker's addresses: unknown sessions, codes that cannot be one, wrong methods, the pages,
// and errors that never show a stack trace.
import { describe, expect, it, vi } from "vitest";
import { STACK_TRACE, call, callHandler, expectError, newSession } from "./helpers.ts";

// A code in the right format that no test creates (codes are random: a clash is one in 887 million).
const UNKNOWN = "ZZZZZZ";

describe("an unknown session", () => {
  it.each([
    ["GET", ""],
    ["GET", "/results.json"],
    ["GET", "/results.csv"],
    ["POST", "/attendees"],
    ["POST", "/reports"],
    ["DELETE", "/attendees/me"],
    ["PUT", "/attendees"],
  ])("is 404 JSON for %s /api/sessions/<code>%s", async (method, rest) => {
    const body = method === "POST" ? JSON.stringify({ name: "Ada" }) : undefined;
    const response = await call(`/api/sessions/${UNKNOWN}${rest}`, { method, body, headers: { Authorization: "Bearer a.b" } });
    await expectError(response, 404, `There is no classroom session ${UNKNOWN}: check the address the instructor gave you.`);
  });

  it("is 404 JSON for its live socket", async () => {
    const response = await call(`/api/sessions/${UNKNOWN}/live`, { headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": "classroom, key.whatever" } });
    await expectError(response, 404, /There is no classroom session ZZZZZZ/);
  });

  it.each(["", "/dashboard"])("is a 404 page for /c/<code>%s, which says so in words", async (rest) => {
    const response = await call(`/c/${UNKNOWN}${rest}`);
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain(`There is no classroom session ${UNKNOWN}: check the address the instructor gave you.`);
  });
});

describe("a code that cannot be a session's", () => {
  it.each(["ABC", "ABCDEFG", "ABCDE0", "ABCDEI", "ABC%20DE"])("is 404 JSON: %s", async (code) => {
    await expectError(await call(`/api/sessions/${code}`), 404, /There is no classroom session ".*": check the code\./);
    await expectError(await call(`/api/sessions/${code}/attendees`, { method: "POST", body: "{}" }), 404, /check the code/);
    const page = await call(`/c/${code}`);
    expect(page.status).toBe(404);
    const html = await page.text();
    expect(html).toContain("There is no classroom session at this address: check the code.");
    // What was typed is not echoed into the page.
    expect(html).not.toContain(code);
  });
});

describe("the pages", () => {
  it.each([["", /<title>[^<]*join/i], ["/dashboard", /<title>[^<]*dashboard/i]])("serve /c/<code>%s as HTML for a session", async (rest, title) => {
    const { code } = await newSession();
    const response = await call(`/c/${code}${rest}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(title);
  });
});

describe("a wrong method", () => {
  it("on /api/sessions is 405 with Allow: POST", async () => {
    const response = await call("/api/sessions");
    expect(response.headers.get("Allow")).toBe("POST");
    await expectError(response, 405, "Create a session with POST /api/sessions.");
  });

  it.each([
    ["POST", "", "GET"],
    ["DELETE", "", "GET"],
    ["POST", "/live", "GET"],
    ["PUT", "/results.json", "GET"],
    ["POST", "/results.csv", "GET"],
    ["GET", "/attendees", "POST"],
    ["GET", "/reports", "POST"],
    ["POST", "/attendees/me", "DELETE"],
  ])("%s /api/sessions/<code>%s is 405 with Allow: %s", async (method, rest, allow) => {
    const { code } = await newSession();
    const response = await call(`/api/sessions/${code}${rest}`, { method });
    expect(response.headers.get("Allow")).toBe(allow);
    await expectError(response, 405, `Use ${allow} here.`);
  });
});

describe("an unknown address", () => {
  it("in a session is 404 JSON", async () => {
    const { code } = await newSession();
    await expectError(await call(`/api/sessions/${code}/secrets`), 404, 'Nothing here: no "secrets" in a session.');
  });

  it("outside sessions is 404 JSON", async () => {
    await expectError(await call("/api/other"), 404, /^Nothing here/);
    await expectError(await call("/"), 404, /^Nothing here/);
  });
});

describe("an unexpected error", () => {
  it("is a 500 JSON without a stack trace, and the log keeps the error", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      // No bindings at all: creating a session throws inside the Worker.
      const broken = {} as Env;
      const response = await callHandler(new Request("http://classroom.test/api/sessions", { method: "POST" }), broken);
      const text = await response.clone().text();
      expect(text).not.toMatch(STACK_TRACE);
      await expectError(response, 500, /^The classroom hit an unexpected problem/);
      expect(log).toHaveBeenCalledWith(expect.any(TypeError));
    } finally {
      log.mockRestore();
    }
  });
});
