// The instructor's side: the key, the live socket, the export, and a session that outlives its
// object's restart.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SnapshotFrame } from "../report.ts";
import { sha256 } from "../secrets.ts";
import {
  asInstructor, attendeeFrames, call, expectError, failing, join, leave, newSession, openDashboard, passing, socketAs, report, sendReport, snapshot,
  type Dashboard,
} from "./helpers.ts";

describe("the dashboard's snapshot", () => {
  it("without the key: 401", async () => {
    const { code } = await newSession();
    await expectError(await call(`/api/sessions/${code}`), 401, /^The dashboard needs the instructor key/);
  });

  it("with a wrong key, or another session's: 403", async () => {
    const { code, key } = await newSession();
    const other = await newSession();
    await expectError(await call(`/api/sessions/${code}`, asInstructor(`${key}x`)), 403, "That is not this session's instructor key.");
    await expectError(await call(`/api/sessions/${code}`, asInstructor(other.key)), 403, "That is not this session's instructor key.");
    await expectError(await call(`/api/sessions/${code}/results.json`, asInstructor(other.key)), 403, /not this session's instructor key/);
    await expectError(await call(`/api/sessions/${code}/results.csv`), 401, /needs the instructor key/);
  });

  it("with an attendee's token instead of the key: 403", async () => {
    const { code } = await newSession();
    const ada = await join(code, "Ada");
    await expectError(await call(`/api/sessions/${code}`, { headers: { Authorization: `Bearer ${ada.token}` } }), 403, /not this session's instructor key/);
  });

  it("with the key in Authorization: Bearer, lists the attendees", async () => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    await sendReport(session.code, ada.token, report(failing(3, "keeps history")));
    const view = await snapshot(session);
    expect(view.attendees).toMatchObject([{ id: ada.id, name: "Ada", leftAt: null, kit: "1.0.0", stages: [{ stage: 3, status: "failing" }] }]);
    // Never in the address, where logs would keep it: a ?key= is not read at all.
    await expectError(await call(`/api/sessions/${session.code}?key=${session.key}`), 401, /needs the instructor key/);
    await expectError(await call(`/api/sessions/${session.code}/results.csv?key=${session.key}`), 401, /needs the instructor key/);
    await expectError(await call(`/api/sessions/${session.code}/live?key=${session.key}`, { headers: { Upgrade: "websocket" } }), 401, /needs the instructor key/);
  });
});

describe("the live socket", () => {
  it("needs the key: 401 without it, 403 with a wrong one", async () => {
    const { code, key } = await newSession();
    await expectError(await call(`/api/sessions/${code}/live`, { headers: { Upgrade: "websocket" } }), 401, /needs the instructor key/);
    await expectError(await call(`/api/sessions/${code}/live`, socketAs(key.slice(1))), 403, /not this session's instructor key/);
  });

  it("without an Upgrade header is 426", async () => {
    const { code, key } = await newSession();
    await expectError(await call(`/api/sessions/${code}/live`, asInstructor(key)), 426, "This address only speaks WebSocket.");
  });

  it("sends the snapshot first", async () => {
    const session = await newSession();
    await join(session.code, "Ada");
    const dashboard = await openDashboard(session);
    const first = (await dashboard.next()) as SnapshotFrame;
    expect(first).toMatchObject({ type: "snapshot", code: session.code, stuckAfterMs: 600_000 });
    expect(first.attendees.map((a) => a.name)).toEqual(["Ada"]);
    dashboard.socket.close();
  });

  it("sends one attendee frame to every dashboard for each join, report and leave", async () => {
    const session = await newSession();
    const dashboards = [await openDashboard(session), await openDashboard(session)];
    const settle = () => Promise.all(dashboards.map((d) => d.settle()));
    const ada = await join(session.code, "Ada");
    await settle();
    await sendReport(session.code, ada.token, report(passing(1), failing(2, "broadcasts")));
    await settle();
    expect((await leave(session.code, ada.token)).status).toBe(204);
    await settle();
    for (const dashboard of dashboards) {
      expect(dashboard.frames.map((f) => f.type)).toEqual(["snapshot", "attendee", "attendee", "attendee"]);
      const [joined, reported, left] = attendeeFrames(dashboard).map((f) => f.attendee);
      expect(joined).toMatchObject({ id: ada.id, name: "Ada", stages: [], leftAt: null });
      expect(reported.stages.map((s) => [s.stage, s.status])).toEqual([[1, "passed"], [2, "failing"]]);
      expect(left.leftAt).not.toBeNull();
      dashboard.socket.close();
    }
  });

  it("sends nothing for a refused join or report", async () => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    const dashboard = await openDashboard(session);
    await call(`/api/sessions/${session.code}/attendees`, { method: "POST", body: JSON.stringify({ name: "ada" }) });
    await sendReport(session.code, ada.token, { kit: "" });
    await sendReport(session.code, `${ada.id}.wrong`, report(passing(1)));
    await dashboard.settle();
    expect(dashboard.frames.map((f) => f.type)).toEqual(["snapshot"]);
    dashboard.socket.close();
  });

  it(`allows 20 dashboards at once: the 21st gets 429, and a closed one frees its place`, async () => {
    const session = await newSession();
    const dashboards: Dashboard[] = [];
    for (let i = 0; i < 20; i++) dashboards.push(await openDashboard(session));
    const refused = await call(`/api/sessions/${session.code}/live`, socketAs(session.key));
    await expectError(refused, 429, "At most 20 dashboards may watch a session at once: close one.");
    dashboards.pop()!.socket.close(1000, "done");
    // The close reaches the object a moment later.
    let reopened: Response | undefined;
    for (let attempt = 0; attempt < 40 && reopened?.status !== 101; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      reopened = await call(`/api/sessions/${session.code}/live`, socketAs(session.key));
    }
    expect(reopened?.status).toBe(101);
    reopened!.webSocket!.accept();
    reopened!.webSocket!.close();
    for (const dashboard of dashboards) dashboard.socket.close();
  });

  it("answers a message from the dashboard with an error frame, and keeps working", async () => {
    const session = await newSession();
    const dashboard = await openDashboard(session);
    await dashboard.next();
    dashboard.socket.send(JSON.stringify({ type: "kick", name: "Ada" }));
    expect(await dashboard.next()).toEqual({ type: "error", error: "The dashboard socket only sends; it reads nothing." });
    await join(session.code, "Ada");
    expect(await dashboard.next()).toMatchObject({ type: "attendee", attendee: { name: "Ada" } });
    expect(dashboard.socket.readyState).toBe(WebSocket.OPEN);
    dashboard.socket.close();
  });

  it("gets pong for ping", async () => {
    const session = await newSession();
    const dashboard = await openDashboard(session);
    await dashboard.next();
    const pong = new Promise((resolve) => dashboard.socket.addEventListener("message", (event) => resolve(event.data)));
    dashboard.socket.send("ping");
    expect(await pong).toBe("pong");
    dashboard.socket.close();
  });
});

describe("the export", () => {
  async function classWithResults() {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    const bob = await join(session.code, "=HYPERLINK(\"http://evil\")");
    await join(session.code, "Not started");
    await sendReport(session.code, ada.token, report(passing(1), failing(2, "broadcasts, to everyone", 'Say "hi".')));
    await sendReport(session.code, bob.token, report(passing(1)));
    return { session, ada, bob };
  }

  it("as results.json has each stage's checks, and no ids, secrets or hashes", async () => {
    const { session, ada, bob } = await classWithResults();
    const response = await call(`/api/sessions/${session.code}/results.json`, asInstructor(session.key));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(response.headers.get("Content-Disposition")).toBe('attachment; filename="results.json"');
    const text = await response.text();
    const body = JSON.parse(text) as { session: string; attendees: { name: string; stages: { stage: number; checks: unknown[] }[] }[] };
    expect(body.session).toBe(session.code);
    expect(body.attendees.map((a) => a.name)).toEqual(["Ada", '=HYPERLINK("http://evil")', "Not started"]);
    expect(body.attendees[0].stages.map((s) => [s.stage, s.checks])).toEqual([
      [1, passing(1).checks],
      [2, failing(2, "broadcasts, to everyone").checks],
    ]);
    expect(body.attendees[2].stages).toEqual([]);
    for (const attendee of body.attendees) expect(Object.keys(attendee)).not.toContain("id");
    for (const secret of [ada.secret, bob.secret, session.key]) {
      const hash = new Uint8Array(await sha256(secret));
      const hex = Array.from(hash, (byte) => byte.toString(16).padStart(2, "0")).join("");
      const base64 = btoa(String.fromCharCode(...hash));
      for (const forbidden of [secret, hex, base64, base64.replace(/=+$/, "")]) expect(text).not.toContain(forbidden);
    }
    for (const id of [ada.id, bob.id]) expect(text).not.toContain(id);
    expect(text).not.toMatch(/secret|key_hash/i);
  });

  it("as results.csv has a header and a row per attendee and stage, a not-started attendee included", async () => {
    const { session, ada } = await classWithResults();
    const response = await call(`/api/sessions/${session.code}/results.csv`, asInstructor(session.key));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe('attachment; filename="results.csv"');
    const text = await response.text();
    expect(text).not.toContain(ada.secret);
    expect(text).not.toContain(ada.id);
    const lines = text.split("\r\n");
    expect(lines.pop()).toBe("");
    expect(lines[0]).toBe("name,stage,status,passed,total,first_failing_check,failing_since,reported_at,joined_at,left_at,kit");
    expect(lines).toHaveLength(1 + 2 + 1 + 1);
    expect(lines[1]).toMatch(/^Ada,1,passed,1,1,,,\d{4}-.*Z,\d{4}-.*Z,,1\.0\.0$/);
    expect(lines[2]).toMatch(/^Ada,2,failing,1,2,"broadcasts, to everyone",\d{4}-.*Z,/);
    // A name a spreadsheet would run as a formula is kept as text.
    expect(lines[3]).toMatch(/^"'=HYPERLINK\(""http:\/\/evil""\)",1,passed,/);
    expect(lines[4]).toMatch(/^Not started,,not started,,,,,,\d{4}-.*Z,,$/);
  });
});

describe("a session's data", () => {
  it("survives its object being evicted: attendees, results, secrets, the key, and a hibernated dashboard", async () => {
    const session = await newSession();
    const ada = await join(session.code, "Ada");
    await sendReport(session.code, ada.token, report(failing(2, "broadcasts")));
    const before = await snapshot(session);
    const dashboard = await openDashboard(session);
    await dashboard.next();

    const stub = env.SESSIONS.getByName(session.code);
    // Something only memory would hold: gone after the eviction if the object was torn down.
    await runInDurableObject(stub, (instance) => {
      (instance as unknown as { marker?: number }).marker = 1;
    });
    await evictDurableObject(stub);
    expect(await runInDurableObject(stub, (instance) => (instance as unknown as { marker?: number }).marker)).toBeUndefined();

    const after = await snapshot(session);
    expect({ ...after, now: 0 }).toEqual({ ...before, now: 0 });
    expect((await sendReport(session.code, ada.token, report(passing(2)))).status).toBe(200);
    await expectError(await call(`/api/sessions/${session.code}`, asInstructor("wrong")), 403, /not this session's instructor key/);
    // The dashboard's socket hibernated with the object, and still hears about changes.
    expect(await dashboard.next()).toMatchObject({ type: "attendee", attendee: { name: "Ada", stages: [{ stage: 2, status: "passed" }] } });
    const rows = await runInDurableObject(stub, (_, state) => state.storage.sql.exec("SELECT count(*) AS n FROM results").one().n);
    expect(rows).toBe(1);
    dashboard.socket.close();
  });
});
