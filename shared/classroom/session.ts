// One class session: its attendees, their latest results per stage, and the dashboards watching.
// Everything is in the object's SQLite, so a session survives restarts and hibernation.
import { DurableObject } from "cloudflare:workers";
import { jsonError, nameProblem } from "../protocol.ts";
import { STAGES } from "../kit/stages.ts";
import {
  MAX_ATTENDEES, REPORT_BURST, REPORT_REFILL_MS, readReport,
  type AttendeeFrame, type AttendeeView, type FirstFailing, type SnapshotFrame, type StageView,
} from "./report.ts";
import { toCsv } from "./export.ts";
import { randomToken, sameHash, sha256 } from "./secrets.ts";

/** At most this many dashboards (projector, phone, a colleague's laptop) watch a session at once. */
const MAX_DASHBOARDS = 20;
const STAGE_NUMBERS = STAGES.map((stage) => stage.number);

type AttendeeRow = {
  id: string; name: string; secret_hash: ArrayBuffer; joined_at: number; last_report_at: number | null;
  left_at: number | null; kit: string | null; tokens: number; tokens_at: number;
};
type ResultRow = {
  attendee: string; stage: number; status: "passed" | "failing"; passed: number; total: number;
  first_stage: number | null; first_title: string | null; first_hint: string | null;
  failing_since: number | null; reported_at: number; checks: string;
};

export class Session extends DurableObject<Env> {
  private sql = this.ctx.storage.sql;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS session (created_at INTEGER NOT NULL, key_hash BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS attendees (
        id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, secret_hash BLOB NOT NULL,
        joined_at INTEGER NOT NULL, last_report_at INTEGER, left_at INTEGER, kit TEXT,
        tokens REAL NOT NULL, tokens_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS results (
        attendee TEXT NOT NULL, stage INTEGER NOT NULL, status TEXT NOT NULL, passed INTEGER NOT NULL,
        total INTEGER NOT NULL, first_stage INTEGER, first_title TEXT, first_hint TEXT,
        failing_since INTEGER, reported_at INTEGER NOT NULL, checks TEXT NOT NULL,
        PRIMARY KEY (attendee, stage));
    `);
    // The runtime answers a dashboard's keep-alive without waking the object.
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** Makes this the session of a new code; false when the code is already taken. */
  create(keyHash: ArrayBuffer): boolean {
    if (this.exists()) return false;
    this.sql.exec("INSERT INTO session (created_at, key_hash) VALUES (?, ?)", Date.now(), keyHash);
    return true;
  }

  exists(): boolean {
    return this.sql.exec("SELECT 1 FROM session").toArray().length > 0;
  }

  isInstructor(keyHash: ArrayBuffer): boolean {
    const [row] = this.sql.exec<{ key_hash: ArrayBuffer }>("SELECT key_hash FROM session").toArray();
    return row !== undefined && sameHash(row.key_hash, keyHash);
  }

  async join(body: unknown): Promise<Response> {
    const name = typeof body === "object" && body !== null && "name" in body && typeof body.name === "string" ? body.name.trim() : "";
    const problem = nameProblem(name);
    if (problem) return jsonError(400, `Your name ${problem}.`);
    const secret = randomToken();
    const secretHash = await sha256(secret);
    const now = Date.now();
    const [taken] = this.sql.exec<AttendeeRow>("SELECT * FROM attendees WHERE name = ?", name).toArray();
    let id: string;
    if (taken && taken.left_at === null) {
      return jsonError(409, `Someone in this session is already called "${taken.name}": join with another name.`);
    } else if (taken) {
      // A name whose attendee left is free again: whoever takes it goes on with that row (most likely the same
      // person, back); the old checkout's secret stops working.
      id = taken.id;
      this.sql.exec("UPDATE attendees SET secret_hash = ?, left_at = NULL, name = ? WHERE id = ?", secretHash, name, id);
    } else {
      const count = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM attendees").one().n;
      if (count >= MAX_ATTENDEES) return jsonError(409, `This session is full: it has ${MAX_ATTENDEES} attendees.`);
      id = crypto.randomUUID();
      this.sql.exec(
        "INSERT INTO attendees (id, name, secret_hash, joined_at, tokens, tokens_at) VALUES (?, ?, ?, ?, ?, ?)",
        id, name, secretHash, now, REPORT_BURST, now,
      );
    }
    this.broadcast(id);
    return Response.json({ id, secret, name }, { status: 201 });
  }

  async report(token: string, body: unknown): Promise<Response> {
    const attendee = await this.attendeeOf(token);
    if (attendee instanceof Response) return attendee;
    const report = readReport(body, STAGE_NUMBERS);
    if (typeof report === "string") return jsonError(400, `The report is not valid: ${report}.`);
    const now = Date.now();
    // A token bucket per attendee, refilled from the time passed: no timer keeps the object awake.
    const tokens = Math.min(REPORT_BURST, attendee.tokens + (now - attendee.tokens_at) / REPORT_REFILL_MS);
    if (tokens < 1) {
      const wait = Math.ceil(((1 - tokens) * REPORT_REFILL_MS) / 1000);
      return jsonError(429, `Too many reports: wait ${wait} s.`, { "Retry-After": String(wait) });
    }
    this.sql.exec("UPDATE attendees SET tokens = ?, tokens_at = ?, last_report_at = ?, kit = ? WHERE id = ?", tokens - 1, now, now, report.kit, attendee.id);
    for (const result of report.results) {
      const [before] = this.sql.exec<ResultRow>("SELECT * FROM results WHERE attendee = ? AND stage = ?", attendee.id, result.stage).toArray();
      const first = result.status === "failing" ? (result.firstFailing ?? null) : null;
      // "Stuck" is the same first failing check for a while: keep the time it became the first.
      const sameFirst = first !== null && before?.first_title === first.title && before.first_stage === first.stage;
      const failingSince = result.status === "passed" ? null : sameFirst && before.failing_since !== null ? before.failing_since : now;
      this.sql.exec(
        `INSERT OR REPLACE INTO results (attendee, stage, status, passed, total, first_stage, first_title, first_hint, failing_since, reported_at, checks)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        attendee.id, result.stage, result.status, result.checks.filter((c) => c.passed).length, result.checks.length,
        first?.stage ?? null, first?.title ?? null, first?.hint ?? null, failingSince, now, JSON.stringify(result.checks),
      );
    }
    this.broadcast(attendee.id);
    return Response.json({ name: attendee.name, stages: report.results.map((r) => r.stage) });
  }

  async leave(token: string): Promise<Response> {
    const attendee = await this.attendeeOf(token);
    if (attendee instanceof Response) return attendee;
    this.sql.exec("UPDATE attendees SET left_at = ? WHERE id = ?", Date.now(), attendee.id);
    this.broadcast(attendee.id);
    return new Response(null, { status: 204 });
  }

  snapshot(): SnapshotFrame {
    const [session] = this.sql.exec<{ created_at: number }>("SELECT created_at FROM session").toArray();
    const attendees = this.sql.exec<AttendeeRow>("SELECT * FROM attendees ORDER BY joined_at, id").toArray();
    return {
      type: "snapshot",
      code: this.ctx.id.name ?? "",
      createdAt: session?.created_at ?? 0,
      now: Date.now(),
      stuckAfterMs: (Number(this.env.STUCK_AFTER_SECONDS) || 600) * 1000,
      stages: STAGES.map(({ number, title, optional }) => ({ number, title, ...(optional ? { optional } : {}) })),
      attendees: attendees.map((row) => this.view(row)),
    };
  }

  exportResults(format: "json" | "csv"): Response {
    const snapshot = this.snapshot();
    const checks = new Map(
      this.sql.exec<ResultRow>("SELECT attendee, stage, checks FROM results").toArray().map((r) => [`${r.attendee}/${r.stage}`, JSON.parse(r.checks)]),
    );
    const disposition = (file: string) => ({ "Content-Disposition": `attachment; filename="${file}"` });
    if (format === "csv") {
      return new Response(toCsv(snapshot), { headers: { "Content-Type": "text/csv; charset=utf-8", ...disposition("results.csv") } });
    }
    const body = {
      session: snapshot.code,
      createdAt: new Date(snapshot.createdAt).toISOString(),
      exportedAt: new Date(snapshot.now).toISOString(),
      stages: snapshot.stages,
      attendees: snapshot.attendees.map(({ id, ...attendee }) => ({
        ...attendee,
        stages: attendee.stages.map((stage) => ({ ...stage, checks: checks.get(`${id}/${stage.stage}`) ?? [] })),
      })),
    };
    return new Response(JSON.stringify(body, null, 2), { headers: { "Content-Type": "application/json", ...disposition("results.json") } });
  }

  async fetch(request: Request): Promise<Response> {
    // Only the Worker calls this, for the dashboard's socket, after checking the key.
    if (this.ctx.getWebSockets("dashboard").length >= MAX_DASHBOARDS) {
      return jsonError(429, `At most ${MAX_DASHBOARDS} dashboards may watch a session at once: close one.`);
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, ["dashboard"]);
    server.send(JSON.stringify(this.snapshot()));
    // A page that sent its key as a subprotocol must hear one back, or the browser drops the socket.
    const asked = request.headers.get("Sec-WebSocket-Protocol")?.split(",").some((p) => p.trim() === "classroom");
    return new Response(null, { status: 101, webSocket: client, headers: asked ? { "Sec-WebSocket-Protocol": "classroom" } : {} });
  }

  webSocketMessage(ws: WebSocket): void {
    // The dashboard only listens (its keep-alive "ping" is answered by the runtime).
    ws.send(JSON.stringify({ type: "error", error: "The dashboard socket only sends; it reads nothing." }));
  }

  /** The attendee a token belongs to, or 401/403 JSON. Tokens are "<id>.<secret>". */
  private async attendeeOf(token: string): Promise<AttendeeRow | Response> {
    const [id, secret] = token.split(".");
    const hash = secret ? await sha256(secret) : undefined;
    // The row is read after the await, so a report, a leave or a new join that came in meanwhile counts.
    const [row] = this.sql.exec<AttendeeRow>("SELECT * FROM attendees WHERE id = ?", id ?? "").toArray();
    if (!row || !hash || !sameHash(row.secret_hash, hash)) {
      return jsonError(403, "This checkout has not joined this session (or left it): npm run classroom:join -- <address> --as <your name>.");
    }
    if (row.left_at !== null) return jsonError(403, "You left this session: npm run classroom:join to join again.");
    return row;
  }

  private view(row: AttendeeRow): AttendeeView {
    const stages = this.sql.exec<ResultRow>("SELECT * FROM results WHERE attendee = ? ORDER BY stage", row.id).toArray().map((r): StageView => ({
      stage: r.stage,
      status: r.status,
      passed: r.passed,
      total: r.total,
      firstFailing: r.first_title === null ? null : ({ stage: r.first_stage!, title: r.first_title, ...(r.first_hint ? { hint: r.first_hint } : {}) } satisfies FirstFailing),
      failingSince: r.failing_since,
      reportedAt: r.reported_at,
    }));
    return { id: row.id, name: row.name, joinedAt: row.joined_at, lastReportAt: row.last_report_at, leftAt: row.left_at, kit: row.kit, stages };
  }

  /** One serialised frame, sent to every dashboard. */
  private broadcast(attendeeId: string): void {
    const dashboards = this.ctx.getWebSockets("dashboard");
    if (dashboards.length === 0) return;
    const row = this.sql.exec<AttendeeRow>("SELECT * FROM attendees WHERE id = ?", attendeeId).one();
    const frame: AttendeeFrame = { type: "attendee", now: Date.now(), attendee: this.view(row) };
    const text = JSON.stringify(frame);
    for (const ws of dashboards) {
      try {
        ws.send(text);
      } catch {
        // A dashboard that is closing: it gets a snapshot when it reconnects.
      }
    }
  }
}
