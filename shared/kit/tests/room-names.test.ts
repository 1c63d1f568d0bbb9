// The room names the chat page makes up (shared/public/rules.js, run in Node): anyone who
// knows a name can read the room, so a made-up one must carry at least 60 bits of chance.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { ROOM_PATTERN } from "../../protocol.ts";
import { REPO_ROOT } from "../paths.ts";

const rules: {
  randomRoom(): string;
  ROOM_PATTERN: RegExp;
  ROOM_SUFFIX_ALPHABET: string;
  ROOM_SUFFIX_GROUPS: number;
  ROOM_SUFFIX_GROUP_LENGTH: number;
  ROOM_WORDS: string[][];
} = await import(pathToFileURL(join(REPO_ROOT, "shared/public/rules.js")).href);

const MIN_BITS = 60;

test("a made-up room name carries at least 60 bits, by construction", () => {
  const { ROOM_SUFFIX_ALPHABET: alphabet, ROOM_SUFFIX_GROUPS: groups, ROOM_SUFFIX_GROUP_LENGTH: length } = rules;
  // Each symbol counts only once, and a byte modulo the alphabet is unbiased only if it divides 256.
  assert.equal(new Set(alphabet).size, alphabet.length, "the suffix alphabet repeats a character");
  assert.equal(256 % alphabet.length, 0, "a random byte modulo the alphabet size would be biased");
  for (const words of rules.ROOM_WORDS) {
    assert.equal(new Set(words).size, words.length, "a word list repeats a word");
    assert.equal(2 ** 32 % words.length, 0, "a random 32-bit number modulo the word count would be biased");
  }
  const wordBits = rules.ROOM_WORDS.reduce((bits, words) => bits + Math.log2(words.length), 0);
  const suffixBits = groups * length * Math.log2(alphabet.length);
  assert.ok(
    wordBits + suffixBits >= MIN_BITS,
    `${wordBits} bits from words + ${suffixBits} from the suffix is under ${MIN_BITS}`,
  );
});

test("made-up names fit the server's room pattern and have the documented shape", () => {
  assert.equal(String(rules.ROOM_PATTERN), String(ROOM_PATTERN), "rules.js and shared/protocol.ts disagree");
  const { ROOM_SUFFIX_ALPHABET: alphabet, ROOM_SUFFIX_GROUPS: groups, ROOM_SUFFIX_GROUP_LENGTH: length } = rules;
  const group = `[${alphabet}]{${length}}`;
  const shape = new RegExp(`^[a-z]+-[a-z]+(?:-${group}){${groups}}$`);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const room = rules.randomRoom();
    assert.match(room, ROOM_PATTERN);
    assert.match(room, shape);
    seen.add(room);
  }
  assert.equal(seen.size, 2000, "2000 made-up names should all differ");
});

test("every suffix character turns up: the draw uses the whole alphabet", () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 500; i++) {
    const suffix = rules.randomRoom().split("-").slice(2).join("");
    for (const char of suffix) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), [...rules.ROOM_SUFFIX_ALPHABET].sort());
});
