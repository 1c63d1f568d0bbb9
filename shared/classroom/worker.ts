// The classroom: a Worker with one Durable Object per class session, where joined checkouts
// report their checks and the instructor's dashboard watches them live.
//
//   POST   /api/sessions                         a new session: 201 { code, key }
//   POST   /api/sessions/<code>/attendees        { name } → 201 { id, secret, name }
//   POST   /api/sessions/<code>/reports          a Report (report.ts), Authorization: Bearer <id>.<secret>
//   DELETE /api/sessions/<code>/attendees/me     leave, Authorization: Bearer <id>.<secret> → 204
//   GET    /api/sessions/<code>                  the dashboard's snapshot as JSON
//   GET    /api/sessions/<code>/live             the dashboard's WebSocket: a snapshot, then a frame per change
//   GET    /api/sessions/<code>/results.json, …/results.csv   the export
//   GET    /c/<code>                             a page that tells attendees the command to join
//   GET    /c/<code>/dashboard#key=…             the dashboard (the key stays in the fragment: never sent in a page request)
// The instructor key comes as Authorization: Bearer <key> or, for the socket, the subprotocol
// key.<key>; never in an address, which logs keep. Every error is 4xx JSON `{ "error": … }`.
import { jsonError } from "../protocol.ts";
import { CODE_ALPHABET, CODE_PATTERN, MAX_REPORT_BYTES } from "./report.ts";
import { randomToken, sameHash, sha256 } from "./secrets.ts";

export { Session } from "./session.ts";

export default {
  async fetch(request, env) {
    try {
      return await route(request, env);
    } catch (error) {
      // Never a stack trace to a client: the log keeps it.
      console.error(error);
      return jsonError(500, "The classroom hit an unexpected problem. Try again; the instructor's terminal shows the details.");
    }
  },
} satisfies ExportedHandler<Env>;

async function route(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const page = url.pathname.match(/^\/c\/([^/]+)(\/dashboard)?\/?$/);
  if (page) {
    const code = page[1].toUpperCase();
    // A page for a session that does not exist would tell attendees to join nothing. These are
    // pages a person opens, so the answer is a page too (the code is shown only once it is known
    // to be six plain characters).
    if (!CODE_PATTERN.test(code)) return notFoundPage("There is no classroom session at this address: check the code.");
    if (!(await env.SESSIONS.getByName(code).exists())) return notFoundPage(`There is no classroom session ${code}: check the address the instructor gave you.`);
    return env.ASSETS.fetch(new URL(page[2] ? "/dashboard" : "/join", url));
  }
  if (url.pathname === "/api/sessions") {
    if (request.method !== "POST") return jsonError(405, "Create a session with POST /api/sessions.", { Allow: "POST" });
    // Deployed, only the instructor's `npm run classroom -- --at` may open sessions: it holds the
    // CREATE_KEY secret that `npm run classroom:deploy` uploaded. wrangler dev has none: open to all.
    const createKey = (env as Env & { CREATE_KEY?: string }).CREATE_KEY;
    if (createKey && !sameHash(await sha256(bearer(request) ?? ""), await sha256(createKey))) {
      return jsonError(403, "Only the instructor who deployed this classroom opens sessions on it: npm run classroom -- --at <address>.");
    }
    return createSession(env);
  }
  const api = url.pathname.match(/^\/api\/sessions\/([^/]+)(?:\/([a-z.]+(?:\/me)?))?$/);
  if (!api) return jsonError(404, "Nothing here: the classroom's addresses start with /c/<code>.");
  const code = api[1].toUpperCase();
  const action = api[2] ?? "";
  if (!CODE_PATTERN.test(code)) return jsonError(404, `There is no classroom session "${api[1]}": check the code.`);
  const session = env.SESSIONS.getByName(code);
  if (!(await session.exists())) return jsonError(404, `There is no classroom session ${code}: check the address the instructor gave you.`);

  const allowed: Record<string, string> = {
    "": "GET", live: "GET", "results.json": "GET", "results.csv": "GET",
    attendees: "POST", reports: "POST", "attendees/me": "DELETE",
  };
  if (!(action in allowed)) return jsonError(404, `Nothing here: no "${action}" in a session.`);
  if (request.method !== allowed[action]) return jsonError(405, `Use ${allowed[action]} here.`, { Allow: allowed[action] });

  if (action === "attendees") {
    const body = await readJson(request);
    if (body instanceof Response) return body;
    return session.join(body);
  }
  if (action === "reports" || action === "attendees/me") {
    const token = bearer(request);
    if (!token) return jsonError(401, "Join the session first: npm run classroom:join -- <address> --as <your name>.");
    if (action === "attendees/me") return session.leave(token);
    const body = await readJson(request);
    if (body instanceof Response) return body;
    return session.report(token, body);
  }
  // Everything else is the instructor's: the key, by hash (the object keeps only the hash).
  const key = instructorKey(request);
  if (!key) return jsonError(401, "The dashboard needs the instructor key: open the Dashboard address npm run classroom printed.");
  if (!(await session.isInstructor(await sha256(key)))) return jsonError(403, "That is not this session's instructor key.");
  if (action === "live") {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return jsonError(426, "This address only speaks WebSocket.");
    return session.fetch(request);
  }
  if (action === "") return Response.json(await session.snapshot());
  return session.exportResults(action === "results.csv" ? "csv" : "json");
}

async function createSession(env: Env): Promise<Response> {
  const key = randomToken();
  // A code is 6 of 31 characters: a new one is almost always free, but never reuse one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = Array.from(crypto.getRandomValues(new Uint8Array(6)), (byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]).join("");
    if (await env.SESSIONS.getByName(code).create(await sha256(key))) {
      return Response.json({ code, key }, { status: 201 });
    }
  }
  return jsonError(503, "Could not find a free session code: try again.");
}

/** The body as JSON, refusing anything over MAX_REPORT_BYTES before reading it all. */
async function readJson(request: Request): Promise<unknown | Response> {
  const length = Number(request.headers.get("Content-Length") ?? 0);
  if (length > MAX_REPORT_BYTES) return tooLarge();
  const text = await request.text();
  if (new TextEncoder().encode(text).length > MAX_REPORT_BYTES) return tooLarge();
  try {
    return JSON.parse(text);
  } catch {
    return jsonError(400, "The body must be JSON.");
  }
}

function tooLarge(): Response {
  return jsonError(413, `A request body may be at most ${MAX_REPORT_BYTES / 1024} KiB.`);
}

function bearer(request: Request): string | undefined {
  return request.headers.get("Authorization")?.match(/^Bearer (\S+)$/)?.[1];
}

/**
 * The instructor key: `Authorization: Bearer <key>`, or, for the dashboard's socket (a browser
 * cannot set headers on one), the subprotocol `key.<key>`. Not in the address, where logs keep it.
 */
function instructorKey(request: Request): string | undefined {
  const protocols = request.headers.get("Sec-WebSocket-Protocol")?.split(",").map((p) => p.trim()) ?? [];
  return bearer(request) ?? protocols.find((p) => p.startsWith("key."))?.slice(4);
}

function notFoundPage(message: string): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>No such classroom</title><link rel="stylesheet" href="/dashboard.css"></head>
<body class="join-page"><main class="join-card"><p class="eyebrow">hello-chat workshop</p>
<h1>No classroom here</h1><p>${message}</p></main></body></html>
`;
  return new Response(html, { status: 404, headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'none'; style-src 'self'" } });
}
