// The chat page repeats the server's rules (shared/public/rules.js beside shared/protocol.ts), so
// it can explain a problem before the server refuses it. Two copies can drift: this fails when
// they disagree, on the limits themselves and on the names each would accept.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import * as protocol from "../../protocol.ts";
import { REPO_ROOT } from "../paths.ts";

const page: {
  ROOM_PATTERN: RegExp;
  DEFAULT_ROOM: string;
  MAX_NAME_LENGTH: number;
  MAX_MESSAGE_LENGTH: number;
  MIN_PASSWORD_LENGTH: number;
  MAX_PASSWORD_LENGTH: number;
  characterCount(text: string): number;
  checkName(raw: string): { name?: string; error?: string };
  checkRoomName(raw: string): { name?: string; error?: string };
  checkPassword(raw: string): { password?: string; error?: string };
  WHOLE_ROOM_ONLY: string;
} = await import(pathToFileURL(join(REPO_ROOT, "shared/public/rules.js")).href);

test("the page's limits are the server's", () => {
  assert.equal(page.ROOM_PATTERN.source, protocol.ROOM_PATTERN.source);
  assert.equal(page.ROOM_PATTERN.flags, protocol.ROOM_PATTERN.flags);
  assert.equal(page.DEFAULT_ROOM, protocol.DEFAULT_ROOM);
  assert.equal(page.MAX_NAME_LENGTH, protocol.MAX_NAME_LENGTH);
  assert.equal(page.MAX_MESSAGE_LENGTH, protocol.MAX_MESSAGE_LENGTH);
  assert.equal(page.MIN_PASSWORD_LENGTH, protocol.MIN_PASSWORD_LENGTH);
  assert.equal(page.MAX_PASSWORD_LENGTH, protocol.MAX_PASSWORD_LENGTH);
});

/** What POST /api/rooms (stage 09) answers to `body`: the room it would create, or the refusal's status. */
async function serverReads(body: object): Promise<protocol.NewRoom | number> {
  const request = new Request("http://chat.test/api/rooms", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const read = await protocol.readNewRoom(request);
  return read instanceof Response ? read.status : read;
}

test("the page's new room form sends only what the server accepts, and refuses nothing it would accept (stage 09)", async () => {
  const { MIN_PASSWORD_LENGTH: min, MAX_PASSWORD_LENGTH: max } = protocol;
  // Counted in code points, like names: an emoji is one character, and spaces count (none is trimmed).
  const passwords = ["x".repeat(min - 1), "x".repeat(min), "x".repeat(max), "x".repeat(max + 1),
    "😀".repeat(min - 1), "😀".repeat(min), "😀".repeat(max), "😀".repeat(max + 1), " ".repeat(min),
    " short ", "correct horse", "e\u0301".repeat(min / 2)];
  for (const raw of passwords) {
    const ours = page.checkPassword(raw);
    const server = await serverReads({ name: "attic", password: raw });
    assert.equal(ours.error === undefined, typeof server === "object", `${JSON.stringify(raw)}: page ${JSON.stringify(ours)}, server ${JSON.stringify(server)}`);
    if (typeof server === "object") assert.equal(ours.password, server.password);
  }
  // Left empty, the field means no password: the page sends none, and the room is open.
  assert.deepEqual(page.checkPassword(""), {});
  assert.deepEqual(await serverReads({ name: "attic" }), { name: "attic" });

  const names = ["attic", "a", "A-b_9", "a".repeat(64), "a".repeat(65), "with space", "zoë", "dot.name", "slash/name", "  attic  "];
  for (const raw of names) {
    const ours = page.checkRoomName(raw);
    // The page trims what was typed (a pasted name often brings a space) and sends the rest.
    const server = await serverReads({ name: ours.name ?? raw });
    assert.equal(ours.error === undefined, typeof server === "object", `${JSON.stringify(raw)}: page ${JSON.stringify(ours)}, server ${JSON.stringify(server)}`);
  }
  assert.ok("error" in page.checkRoomName(""));
});

test("the page accepts exactly the names the server accepts, trimmed the same way", () => {
  const names = ["alice", "  bob  ", "", "   ", "a".repeat(32), "a".repeat(33), "😀".repeat(32), "😀".repeat(33),
    "al\u0007ice", "al\nice", "alice\u0000", "zoë", "\u00a0ada\u00a0", "a b"];
  for (const raw of names) {
    const server = protocol.readJoin(new Request(`http://chat.test/ws?${new URLSearchParams({ name: raw })}`, { headers: { Upgrade: "websocket" } }));
    const ours = page.checkName(raw);
    assert.equal(ours.error === undefined, !(server instanceof Response), `${JSON.stringify(raw)}: page ${JSON.stringify(ours)}, server ${server instanceof Response ? server.status : "accepts"}`);
    if (!(server instanceof Response)) assert.equal(ours.name, server.name);
  }
});

test("the page counts characters as the server does (code points)", () => {
  for (const text of ["", "abc", "😀", "é", "e\u0301", "👩‍💻"]) {
    const server = protocol.readMessage(JSON.stringify({ message: `${text}${"x".repeat(protocol.MAX_MESSAGE_LENGTH)}` }));
    // The server says how many characters it counted when the text is too long.
    const counted = "type" in server ? Number(/has (\d+)\)/.exec(server.message)?.[1]) : protocol.MAX_MESSAGE_LENGTH;
    assert.equal(page.characterCount(text) + protocol.MAX_MESSAGE_LENGTH, text ? counted : protocol.MAX_MESSAGE_LENGTH, JSON.stringify(text));
  }
});

test('the page knows the words in which a server before stage 07 refuses "to", and only those', () => {
  const refused = protocol.readMessage(JSON.stringify({ message: "hi", to: "bob" }));
  assert.deepEqual(refused, protocol.errorFrame("bad_message", page.WHOLE_ROOM_ONLY));
  // Stage 07's own refusal of a bad "to" is in other words: the page shows those as they are.
  const badName = protocol.readMessage(JSON.stringify({ message: "hi", to: " " }), { privateMessages: true });
  assert.ok("type" in badName && badName.message !== page.WHOLE_ROOM_ONLY, JSON.stringify(badName));
});
