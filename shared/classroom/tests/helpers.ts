// What the classroom's tests share: requests to the Worker (each checked for a stack trace),
// sessions and attendees, reports, and dashboards on real WebSockets.
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { AttendeeFrame, DashboardFrame, Report, SnapshotFrame, StageReport } from "../report.ts";
import worker from "../worker.ts";

const ORIGIN = "http://classroom.test";
/** What a stack trace line looks like ("at route (worker.ts:12:5)"): never in a response. */
export const STACK_TRACE = /at .*:\d+:\d+/;

/** A request to the classroom Worker, through its default export as the runtime would call it. */
export async function call(path: string, init?: RequestInit): Promise<Response> {
  const response = await exports.default.fetch(new Request(ORIGIN + path, init));
  if (response.status !== 101) expect(await response.clone().text()).not.toMatch(STACK_TRACE);
  return response;
}

/** The Worker's handler called directly, with the Request exactly as built (a Content-Length that lies, say). */
export function callHandler(request: Request, bindings: Env = env): Promise<Response> {
  return worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, bindings);
}

export function postJson(path: string, body: unknown, token?: string): Promise<Response> {
  return call(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Asserts a JSON error: its status and its words. */
export async function expectError(response: Response, status: number, error: string | RegExp): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: string };
  if (typeof error === "string") expect(body.error).toBe(error);
  else expect(body.error).toMatch(error);
}

export type NewSession = { code: string; key: string };
export type Joined = { id: string; secret: string; name: string; token: string };

export async function newSession(): Promise<NewSession> {
  const response = await call("/api/sessions", { method: "POST" });
  expect(response.status).toBe(201);
  return response.json<NewSession>();
}

export async function join(code: string, name: string): Promise<Joined> {
  const response = await postJson(`/api/sessions/${code}/attendees`, { name });
  const text = await response.text();
  expect(response.status, text).toBe(201);
  const body = JSON.parse(text) as Omit<Joined, "token">;
  return { ...body, token: `${body.id}.${body.secret}` };
}

export function sendReport(code: string, token: string, report: unknown): Promise<Response> {
  return postJson(`/api/sessions/${code}/reports`, report, token);
}

export function leave(code: string, token: string): Promise<Response> {
  return call(`/api/sessions/${code}/attendees/me`, { method: "DELETE", headers: { Authorization: `Bearer ${token}` } });
}

/** A request as the instructor's dashboard makes it: the key in a header, never in the address. */
export function asInstructor(key: string, headers: Record<string, string> = {}): RequestInit {
  return { headers: { ...headers, Authorization: `Bearer ${key}` } };
}

/** The dashboard socket's upgrade request: a browser cannot set headers on a socket, so the key is a subprotocol. */
export function socketAs(key: string): RequestInit {
  return { headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `classroom, key.${key}` } };
}

export async function snapshot({ code, key }: NewSession): Promise<SnapshotFrame> {
  const response = await call(`/api/sessions/${code}`, asInstructor(key));
  expect(response.status).toBe(200);
  return response.json<SnapshotFrame>();
}

/** The snapshot without its clock, to compare before and after a request that must change nothing. */
export async function state(session: NewSession): Promise<Omit<SnapshotFrame, "now">> {
  const { now: _, ...rest } = await snapshot(session);
  return rest;
}

/** A stage whose checks (one per stage 1..stage) all passed. */
export function passing(stage: number): StageReport {
  return { stage, status: "passed", checks: Array.from({ length: stage }, (_, i) => ({ stage: i + 1, title: `check ${i + 1}`, passed: true })) };
}

/** A stage that fails at `title` (a check of `stage`), with a hint. */
export function failing(stage: number, title: string, hint = "Look at the TODO."): StageReport {
  return {
    stage,
    status: "failing",
    checks: [{ stage, title, passed: false }, { stage, title: "another check", passed: true }],
    firstFailing: { stage, title, hint },
  };
}

export function report(...results: StageReport[]): Report {
  return { kit: "1.0.0", at: 1_700_000_000_000, results };
}

/** A dashboard on a real WebSocket, with its frames in order. */
export type Dashboard = {
  frames: DashboardFrame[];
  /** The next frame not yet read (waits for it, at most a second). */
  next(): Promise<unknown>;
  /** Waits until every frame the object sent before now has arrived (an echo round trip). */
  settle(): Promise<void>;
  socket: WebSocket;
};

export async function openDashboard({ code, key }: NewSession): Promise<Dashboard> {
  const response = await call(`/api/sessions/${code}/live`, socketAs(key));
  expect(response.status).toBe(101);
  // The runtime completes the handshake only with a subprotocol the client offered.
  expect(response.headers.get("Sec-WebSocket-Protocol")).toBe("classroom");
  const socket = response.webSocket!;
  const received: unknown[] = [];
  let read = 0;
  let wake = () => {};
  socket.addEventListener("message", (event) => {
    // The runtime's answer to a keep-alive "ping" is not JSON.
    if (event.data === "pong") return;
    received.push(JSON.parse(event.data as string));
    wake();
  });
  socket.accept();
  const next = async (): Promise<unknown> => {
    const deadline = Date.now() + 1_000;
    while (received.length <= read) {
      if (Date.now() > deadline) throw new Error(`no frame after ${read} frame(s)`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return received[read++];
  };
  return {
    get frames() {
      return received.filter((frame) => (frame as { type: string }).type !== "error") as DashboardFrame[];
    },
    next,
    socket,
    async settle() {
      // The object answers any message with an error frame, in order after what it sent before.
      const before = received.length;
      socket.send("settle");
      const deadline = Date.now() + 1_000;
      while (!received.slice(before).some((frame) => (frame as { type: string }).type === "error")) {
        if (Date.now() > deadline) throw new Error("the dashboard socket did not answer");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}

export function attendeeFrames(dashboard: Dashboard): AttendeeFrame[] {
  return dashboard.frames.filter((frame): frame is AttendeeFrame => frame.type === "attendee");
}
