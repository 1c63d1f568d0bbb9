// Sessions and attendees: creating a session, joining (names, duplicates, the 200 cap), leaving and
// coming back.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_ATTENDEES } from "../report.ts";
import { call, callHandler, expectError, join, leave, newSession, passing, postJson, report, sendReport, snapshot } from "./helpers.ts";

describe("a new session", () => {
  it("is created with a six-character code nobody misreads and a long instructor key", async () => {
    const response = await call("/api/sessions", { method: "POST" });
    expect(response.status).toBe(201);
    const { code, key } = await response.json<{ code: string; key: string }>();
    // No 0/O, 1/I/L.
    expect(code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$/);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const other = await newSession();
    expect(other.code).not.toBe(code);
    expect(other.key).not.toBe(key);
  });

  it("starts with no attendees and lists the kit's stages", async () => {
    const session = await newSession();
    const view = await snapshot(session);
    expect(view).toMatchObject({ type: "snapshot", code: session.code, attendees: [], stuckAfterMs: 600_000 });
    expect(view.stages.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(view.createdAt).toBeGreaterThan(0);
  });
});

describe("a deployed classroom (npm run classroom:deploy uploads CREATE_KEY)", () => {
  const deployed = { ...env, CREATE_KEY: "the-instructors-create-key" } as Env;
  const create = (authorization?: string) =>
    callHandler(new Request("http://classroom.test/api/sessions", { method: "POST", headers: authorization ? { Authorization: authorization } : {} }), deployed);

  it("opens a session only for whoever holds that key", async () => {
    const refused = "Only the instructor who deployed this classroom opens sessions on it: npm run classroom -- --at <address>.";
    await expectError(await create(), 403, refused);
    await expectError(await create("Bearer not-the-key"), 403, refused);
    const opened = await create("Bearer the-instructors-create-key");
    expect(opened.status).toBe(201);
    expect(await opened.json()).toMatchObject({ code: expect.stringMatching(/^[A-Z2-9]{6}$/) });
  });
});

describe("joining", () => {
  it("gives the attendee an id and a secret, and trims the name", async () => {
    const { code } = await newSession();
    const response = await postJson(`/api/sessions/${code}/attendees`, { name: "  Ada  " });
    expect(response.status).toBe(201);
    const body = await response.json<{ id: string; secret: string; name: string }>();
    expect(body.name).toBe("Ada");
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("works with the code in lower case", async () => {
    const session = await newSession();
    await join(session.code.toLowerCase(), "Ada");
    expect((await snapshot(session)).attendees.map((a) => a.name)).toEqual(["Ada"]);
  });

  it.each([
    ["an empty name", { name: "" }, "Your name is required."],
    ["a name of only spaces", { name: "   " }, "Your name is required."],
    ["no name at all", {}, "Your name is required."],
    ["a name that is not a string", { name: 42 }, "Your name is required."],
    ["a name of 33 characters", { name: "a".repeat(33) }, "Your name must be at most 32 characters (got 33)."],
    ["a name with a control character", { name: "Ada\u0007Lovelace" }, "Your name must not contain control characters."],
    ["a name with a newline inside", { name: "Ada\nLovelace" }, "Your name must not contain control characters."],
  ])("refuses %s with 400 and stores nobody", async (_, body, error) => {
    const session = await newSession();
    await expectError(await postJson(`/api/sessions/${session.code}/attendees`, body), 400, error);
    expect((await snapshot(session)).attendees).toEqual([]);
  });

  it("accepts a name of 32 characters, counting an emoji as one", async () => {
    const { code } = await newSession();
    expect((await join(code, "a".repeat(32))).name).toHaveLength(32);
    expect((await join(code, "😀".repeat(32))).name).toBe("😀".repeat(32));
  });

  it("refuses a body that is not JSON with 400", async () => {
    const { code } = await newSession();
    await expectError(await postJson(`/api/sessions/${code}/attendees`, "{name: Ada"), 400, "The body must be JSON.");
  });

  it("refuses a name already taken, in any case, with 409", async () => {
    const session = await newSession();
    await join(session.code, "Ada");
    await expectError(await postJson(`/api/sessions/${session.code}/attendees`, { name: "ADA" }), 409, /already called "Ada"/);
    expect((await snapshot(session)).attendees).toHaveLength(1);
  });

  it(`stops at ${MAX_ATTENDEES} attendees: the next one gets 409`, async () => {
    const session = await newSession();
    for (let batch = 0; batch < MAX_ATTENDEES / 50; batch++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => join(session.code, `Attendee ${batch * 50 + i}`)));
    }
    await expectError(
      await postJson(`/api/sessions/${session.code}/attendees`, { name: "One too many" }),
      409,
      `This session is full: it has ${MAX_ATTENDEES} attendees.`,
    );
    expect((await snapshot(session)).attendees).toHaveLength(MAX_ATTENDEES);
  });
});

describe("leaving", () => {
  it("marks the attendee as left (204), and their secret stops working", async () => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    const response = await leave(session.code, ada.token);
    expect(response.status).toBe(204);
    const [view] = (await snapshot(session)).attendees;
    expect(view.leftAt).not.toBeNull();
    await expectError(await sendReport(session.code, ada.token, report(passing(1))), 403, /You left this session/);
    await expectError(await leave(session.code, ada.token), 403, /You left this session/);
  });

  it("without a token is 401", async () => {
    const { code } = await newSession();
    await expectError(await call(`/api/sessions/${code}/attendees/me`, { method: "DELETE" }), 401, /Join the session first/);
  });

  it("frees the name: whoever takes it again goes on with that attendee, and the old secret stops working", async () => {
    const session = await newSession();
    const before = await join(session.code, "Ada");
    expect((await sendReport(session.code, before.token, report(passing(1)))).status).toBe(200);
    expect((await leave(session.code, before.token)).status).toBe(204);
    const after = await join(session.code, "ada");
    expect(after.id).toBe(before.id);
    expect(after.name).toBe("ada");
    expect(after.secret).not.toBe(before.secret);
    await expectError(await sendReport(session.code, before.token, report(passing(2))), 403, /has not joined this session/);
    expect((await sendReport(session.code, after.token, report(passing(2)))).status).toBe(200);
    const [view] = (await snapshot(session)).attendees;
    expect(view).toMatchObject({ name: "ada", leftAt: null });
    expect(view.stages.map((s) => s.stage)).toEqual([1, 2]);
  });

  it("lets a left attendee back in even when the session is full", async () => {
    const session = await newSession();
    const first = await join(session.code, "Attendee 0");
    for (let batch = 0; batch < MAX_ATTENDEES / 50; batch++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => (batch === 0 && i === 0 ? undefined : join(session.code, `Attendee ${batch * 50 + i}`))));
    }
    expect((await leave(session.code, first.token)).status).toBe(204);
    expect((await join(session.code, "Attendee 0")).id).toBe(first.id);
    await expectError(await postJson(`/api/sessions/${session.code}/attendees`, { name: "Newcomer" }), 409, /This session is full/);
  });
});
