// Kit check for every solution (01 on): each bad input gets the answer the protocol defines,
// and leaves nothing behind. One row per input; each row has its own room and sockets, so
// rows never see each other's frames and stage 06's rate limit never sees more than 2 messages.
//
// Every frame row ends with a valid message on the same socket. The object handles a socket's
// frames in order and fans out in one order, so by the time that message arrives anything the
// bad frame caused would have arrived first: no sleeps are needed to prove "nothing happened".
import { expect, test } from "vitest";
import { target } from "../helpers/target.ts";
import type { ServerFrame } from "../../protocol.ts";
import { ChatClient, join, newRoom, request } from "../helpers/chat-client.ts";

const STAGE = target().stage;
const broadcasts = STAGE >= 2;
const stores = STAGE >= 3;
const stamps = STAGE >= 4;
const privately = STAGE >= 7;

/** What a stack trace or an internal error looks like, in a response body or a frame. */
const INTERNALS = [/^\s*at\s/m, /\bat \S+ \(/, /\.[cm]?[jt]s:\d+/, /\bError:/, /\bTypeError\b/, /\bSyntaxError\b/];

function expectNoInternals(text: string, where: string) {
  for (const pattern of INTERNALS) expect(text, `${where} shows internals (${pattern})`).not.toMatch(pattern);
}

// ---- HTTP: the Worker turns away bad requests with a JSON error -------------------------------

const upgrade = { headers: { Upgrade: "websocket" } };
const ws = (query: Record<string, string>) => `/ws?${new URLSearchParams(query)}`;
const emoji = (count: number) => "😀".repeat(count);

const httpRejections: [label: string, path: string, init: RequestInit, status: number][] = [
  ["/ws without a name", ws({ room: "lobby" }), upgrade, 400],
  ["an empty name", ws({ name: "" }), upgrade, 400],
  ["a name of 33 characters", ws({ name: "a".repeat(33) }), upgrade, 400],
  ["a name of 33 emoji (characters, not bytes)", ws({ name: emoji(33) }), upgrade, 400],
  ["a name with a control character (BEL)", ws({ name: "al\u0007ice" }), upgrade, 400],
  ["a name with a newline inside", ws({ name: "al\nice" }), upgrade, 400],
  ["a name with a NUL", ws({ name: "alice\u0000" }), upgrade, 400],
  ["a name of only spaces", ws({ name: "     " }), upgrade, 400],
  ["a room with a /", ws({ room: "a/b", name: "alice" }), upgrade, 400],
  ["a room of ..", ws({ room: "..", name: "alice" }), upgrade, 400],
  ["a room with ../ (path traversal)", ws({ room: "../etc", name: "alice" }), upgrade, 400],
  ["a room with a space", ws({ room: "no spaces", name: "alice" }), upgrade, 400],
  ["a room of 65 characters", ws({ room: "r".repeat(65), name: "alice" }), upgrade, 400],
  ["an empty room", ws({ room: "", name: "alice" }), upgrade, 400],
  // `after` (the id of the last message a reconnecting client has) is a whole number, 0 or more, at every stage.
  ["after=-1", ws({ name: "alice", after: "-1" }), upgrade, 400],
  ["after=abc", ws({ name: "alice", after: "abc" }), upgrade, 400],
  ["after=1.5", ws({ name: "alice", after: "1.5" }), upgrade, 400],
  ["after=1e3", ws({ name: "alice", after: "1e3" }), upgrade, 400],
  ["an empty after", ws({ name: "alice", after: "" }), upgrade, 400],
  ["after with a space", ws({ name: "alice", after: " 1" }), upgrade, 400],
  ["after of 16 digits (past the largest safe integer)", ws({ name: "alice", after: "9".repeat(16) }), upgrade, 400],
  ["/ws without the Upgrade header", ws({ name: "alice" }), {}, 426],
  // Not with an Upgrade header: workerd turns a Fetcher request carrying one into a GET upgrade, so from
  // inside workerd that case cannot be made (shared/kit/tests/load.test.ts sends it over real HTTP).
  ["an upgrade from another site's page", ws({ name: "alice" }), { headers: { Upgrade: "websocket", Origin: "https://elsewhere.example" } }, 403],
  ["an upgrade from a page with Origin null (a sandboxed frame, a file)", ws({ name: "alice" }), { headers: { Upgrade: "websocket", Origin: "null" } }, 403],
  ["an upgrade from this host on another port", ws({ name: "alice" }), { headers: { Upgrade: "websocket", Origin: "http://chat.test:8080" } }, 403],
  ["POST /ws", ws({ name: "alice" }), { method: "POST", body: "{}" }, 405],
  ["PUT /ws", ws({ name: "alice" }), { method: "PUT", body: "{}" }, 405],
];

for (const [label, path, init, status] of httpRejections) {
  test.concurrent(`${label}: ${status} with a JSON error`, async () => {
    const response = await request(path, init);
    const body = await response.text();
    expect(response.status, body).toBe(status);
    expect(response.webSocket).toBeNull();
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    const parsed = JSON.parse(body);
    expect(typeof parsed.error === "string" && parsed.error.length > 0, body).toBe(true);
    expectNoInternals(body, "the response body");
  });
}

// The limits are inclusive, and count characters (code points), not bytes or UTF-16 units.
// `after` may be any whole number, also one past the room's last message (stages 01-02 ignore it).
const httpAccepted: [label: string, room: string, name: string, after?: string][] = [
  ["a name of 32 characters", newRoom(), "n".repeat(32)],
  ["a name of 32 emoji", newRoom(), emoji(32)],
  ["a name padded with spaces (trimmed)", newRoom(), "  padded  "],
  ["a room of 64 characters", "r".repeat(56) + crypto.randomUUID().slice(0, 8), "alice"],
  ["after=0", newRoom(), "alice", "0"],
  ["after of 15 digits, past the last message", newRoom(), "alice", "9".repeat(15)],
];

for (const [label, room, name, after] of httpAccepted) {
  test.concurrent(`${label}: the socket opens and messages carry the name`, async () => {
    const response = await request(ws(after === undefined ? { room, name } : { room, name, after }), upgrade);
    expect(response.status, "the socket opens").toBe(101);
    const client = new ChatClient(name, response.webSocket!);
    // The new room has nothing stored, whatever `after` says.
    if (stores) expect(await client.next("history", "the history frame")).toEqual({ type: "history", messages: [] });
    client.say("hi");
    expect(await client.nextMessage("the echo")).toMatchObject({ name: name.trim(), message: "hi" });
    if (!stores) expect(client.all("history"), "no history frame before stage 03").toEqual([]);
    await client.close();
  });
}

// ---- Frames: an error frame, or the message as the server stores it ---------------------------

type Outcome = { error: "bad_message" | "too_long" | "unknown_user" } | { accepted: string; check?: (frame: ServerFrame) => void };

const json = (value: unknown) => JSON.stringify(value);
const MIB = 1024 * 1024;
/** A frame of exactly `bytes` bytes: {"message":"aaa…"}. */
const frameOfBytes = (bytes: number) => `{"message":"${"a".repeat(bytes - '{"message":""}'.length)}"}`;

const frameRows: [label: string, frame: string | ArrayBuffer, outcome: Outcome][] = [
  ["a binary frame", new TextEncoder().encode(json({ message: "hi" })).buffer as ArrayBuffer, { error: "bad_message" }],
  ["a frame that is not JSON", "hello", { error: "bad_message" }],
  ["truncated JSON", '{"message": "hi"', { error: "bad_message" }],
  ["a JSON array", json(["hi"]), { error: "bad_message" }],
  ["a JSON number", "42", { error: "bad_message" }],
  ["JSON null", "null", { error: "bad_message" }],
  ["a JSON string", json("hi"), { error: "bad_message" }],
  ["an empty frame", "", { error: "bad_message" }],
  ["an object without message", json({ text: "hi" }), { error: "bad_message" }],
  ["message as a number", json({ message: 42 }), { error: "bad_message" }],
  ["message as an object", json({ message: { text: "hi" } }), { error: "bad_message" }],
  ["message as an array", json({ message: ["hi"] }), { error: "bad_message" }],
  ["message null", json({ message: null }), { error: "bad_message" }],
  ["an empty message", json({ message: "" }), { error: "bad_message" }],
  ["a whitespace-only message", json({ message: " \t\n\u00a0 " }), { error: "bad_message" }],
  ["a message of 1001 characters", json({ message: "x".repeat(1001) }), { error: "too_long" }],
  ["a message of 1001 emoji", json({ message: emoji(1001) }), { error: "too_long" }],
  // From stage 06 a frame this large closes the socket (1009) instead: see the test after this table.
  ...(STAGE < 6 ? [["a 1 MiB frame", frameOfBytes(MIB), { error: "too_long" }] satisfies [string, string, Outcome]] : []),
  ["a message of 1000 characters", json({ message: "x".repeat(1000) }), { accepted: "x".repeat(1000) }],
  ["a message of 1000 emoji (2000 UTF-16 units)", json({ message: emoji(1000) }), { accepted: emoji(1000) }],
  ["1000 characters once trimmed", json({ message: `  ${"y".repeat(1000)}  ` }), { accepted: "y".repeat(1000) }],
  // Before stage 07 a frame naming a recipient is refused, never shown to the whole room; from
  // 07 a recipient must be a name, and one who is here.
  ...(privately ? [] : [["a private message before stage 07", json({ message: "hi", to: "watcher" }), { error: "bad_message" }] satisfies [string, string, Outcome]]),
  ["a private message to nobody in the room", json({ message: "hi", to: "nobody" }), { error: privately ? "unknown_user" : "bad_message" }],
  ["to null", json({ message: "hi", to: null }), { error: "bad_message" }],
  ["to as a number", json({ message: "hi", to: 42 }), { error: "bad_message" }],
  ["to as an array of names", json({ message: "hi", to: ["watcher"] }), { error: "bad_message" }],
  ["an empty to", json({ message: "hi", to: "" }), { error: "bad_message" }],
  ["a to of 33 characters", json({ message: "hi", to: "w".repeat(33) }), { error: "bad_message" }],
  ["a to with a control character", json({ message: "hi", to: "watch\u0000er" }), { error: "bad_message" }],
  ["extra fields (they are ignored, and cannot pose as someone else)",
    json({ message: "hi", id: 7, type: "error", name: "mallory", timestamp: 1 }),
    { accepted: "hi", check: (frame) => {
      expect(frame).toMatchObject({ type: "message", name: "sender", message: "hi" });
      // The id is the stored row's: the room's first.
      if (stores) expect((frame as { id: number }).id).toBe(1);
      if (stamps) expect((frame as { timestamp: number }).timestamp).toBeGreaterThan(1_700_000_000_000);
    } }],
];

/** The `message` texts a client received, in order. */
const texts = (client: ChatClient) => client.all("message").map((frame) => frame.message);

for (const [label, frame, outcome] of frameRows) {
  const answer = "error" in outcome ? `a ${outcome.error} error` : "accepted";
  test.concurrent(`${label}: ${answer}; the socket stays usable; only valid messages are kept`, async () => {
    const room = newRoom("abuse");
    const sender = await join(room, "sender");
    const watcher = await join(room, "watcher");
    sender.sendRaw(frame);
    sender.say("still here");

    const expected = "error" in outcome ? ["still here"] : [outcome.accepted, "still here"];
    if ("error" in outcome) {
      const error = await sender.nextError(`a ${outcome.error} error`);
      expect(error.code).toBe(outcome.error);
      expect(typeof error.message === "string" && error.message.length > 0).toBe(true);
    }
    for (const _ of expected) await sender.nextMessage("the sender's messages");
    if ("accepted" in outcome) outcome.check?.(sender.all("message")[0]);
    expect(sender.isOpen, "the socket stays open").toBe(true);
    expect(texts(sender)).toEqual(expected);
    expect(sender.all("error")).toHaveLength("error" in outcome ? 1 : 0);

    if (broadcasts) {
      for (const _ of expected) await watcher.nextMessage("the watcher's messages");
      expect(texts(watcher), "what another client in the room sees").toEqual(expected);
      expect(watcher.all("error"), "errors go to the sender only").toHaveLength(0);
    }
    if (stores) {
      const newcomer = await join(room, "newcomer");
      const history = await newcomer.next("history", "the history frame");
      expect(history.messages.map((frame) => frame.message), "history a newcomer receives").toEqual(expected);
      expect(history.messages, "history holds the frames as they were sent").toEqual(sender.all("message"));
    }
    for (const client of [sender, watcher]) {
      expectNoInternals(JSON.stringify(client.all("error")), `${client.name}'s error frames`);
      expectNoInternals(JSON.stringify(client.all("message").map((f) => f.name)), `${client.name}'s frames`);
    }
  });
}

if (STAGE >= 6) {
  test("a 1 MiB frame closes the sender's socket with 1009, before parsing; nothing is stored or sent on", async () => {
    const room = newRoom("abuse");
    const sender = await join(room, "sender");
    const watcher = await join(room, "watcher");
    sender.sendRaw(frameOfBytes(MIB));
    expect((await sender.closed())?.code).toBe(1009);
    expect(sender.all("error")).toEqual([]);
    await watcher.expectNoMore("message", "the watcher receives nothing");
    const newcomer = await join(room, "newcomer");
    expect((await newcomer.next("history", "the history frame")).messages).toEqual([]);
  });
}
