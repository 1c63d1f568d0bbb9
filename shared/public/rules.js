// The server's rules (shared/protocol.ts), repeated here so the page can explain a
// problem before the server has to refuse it. The page is plain JavaScript served as it is,
// so it cannot import the TypeScript file; shared/kit/tests/page-rules.test.ts fails when
// the two copies disagree.

export const ROOM_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The room of a client that names none: two tabs opened at / meet there. */
export const DEFAULT_ROOM = "default";
export const MAX_NAME_LENGTH = 32;
export const MAX_MESSAGE_LENGTH = 1000;
/** Passwords of protected rooms (stage 09), in characters. */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/**
 * Before stage 07, readMessage refuses a message that names a recipient ("to") with a
 * bad_message error in these words: the page recognises them to explain that private
 * messages come in stage 07 (shared/kit/tests/page-rules.test.ts compares them).
 */
export const WHOLE_ROOM_ONLY = 'This server sends every message to the whole room: leave out "to".';

/** Code points, as the server counts: "😀" is one character, not two. */
export function characterCount(text) {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The trimmed name, or why the server would refuse it. */
export function checkName(raw) {
  const name = raw.trim();
  const length = characterCount(name);
  if (length === 0) return { error: "Enter a name, so others know who is writing." };
  if (length > MAX_NAME_LENGTH) {
    return { error: `Names can be at most ${MAX_NAME_LENGTH} characters (this one has ${length}).` };
  }
  if (/\p{Cc}/u.test(name)) return { error: "Names cannot contain control characters." };
  return { name };
}

/** The name of a room to create (stage 09), or why the server would refuse it. */
export function checkRoomName(raw) {
  const name = raw.trim();
  if (name === "") return { error: "Enter a name for the room." };
  if (!ROOM_PATTERN.test(name)) {
    return { error: 'Room names have 1 to 64 characters: letters, digits, "-" or "_", no spaces.' };
  }
  return { name };
}

/**
 * The password of a room to create (stage 09), as typed: never trimmed, since the server does
 * not trim it either. Left empty: no password, an open room ({}). Else { password }, or why the
 * server would refuse it.
 */
export function checkPassword(raw) {
  if (raw === "") return {};
  const length = characterCount(raw);
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    return {
      error: `Passwords have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters (this one has ${length}). Leave it empty for an open room.`,
    };
  }
  return { password: raw };
}

const ADJECTIVES = ["brave", "calm", "clever", "cosy", "eager", "fuzzy", "gentle", "happy",
  "jolly", "lucky", "mellow", "quick", "shiny", "sunny", "swift", "witty"];
const ANIMALS = ["badger", "beaver", "falcon", "gecko", "heron", "koala", "lynx", "marmot",
  "otter", "panda", "puffin", "quokka", "robin", "seal", "tapir", "walrus"];

// Anyone who knows a room's name can read it, so a made-up name must be hard to guess:
// two words to read aloud, then 12 characters of 5 bits each (60 bits) from
// crypto.getRandomValues. Crockford's base32: digits and lowercase letters without
// i, l, o and u, so nothing is mistaken for 1 or 0 when read off a screen.
export const ROOM_SUFFIX_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
export const ROOM_SUFFIX_GROUPS = 3;
export const ROOM_SUFFIX_GROUP_LENGTH = 4;
export const ROOM_WORDS = [ADJECTIVES, ANIMALS];

/** A room name that is readable but not guessable, like "swift-otter-7k2m-q9xd-4hn3". */
export function randomRoom() {
  const [a, b] = crypto.getRandomValues(new Uint32Array(2));
  // 256 is a multiple of 32: each byte modulo 32 is an unbiased draw.
  const bytes = crypto.getRandomValues(new Uint8Array(ROOM_SUFFIX_GROUPS * ROOM_SUFFIX_GROUP_LENGTH));
  const chars = Array.from(bytes, (byte) => ROOM_SUFFIX_ALPHABET[byte % ROOM_SUFFIX_ALPHABET.length]);
  const groups = [];
  for (let i = 0; i < chars.length; i += ROOM_SUFFIX_GROUP_LENGTH) {
    groups.push(chars.slice(i, i + ROOM_SUFFIX_GROUP_LENGTH).join(""));
  }
  return [ADJECTIVES[a % ADJECTIVES.length], ANIMALS[b % ANIMALS.length], ...groups].join("-");
}
