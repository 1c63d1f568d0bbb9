// The server's rules (shared/protocol.ts), repeated here so the page can explain a
// problem before the server has to refuse it.

export const ROOM_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_NAME_LENGTH = 32;
export const MAX_MESSAGE_LENGTH = 1000;

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

const ADJECTIVES = ["brave", "calm", "clever", "cosy", "eager", "fuzzy", "gentle", "happy",
  "jolly", "lucky", "mellow", "quick", "shiny", "sunny", "swift", "witty"];
const ANIMALS = ["badger", "beaver", "falcon", "gecko", "heron", "koala", "lynx", "marmot",
  "otter", "panda", "puffin", "quokka", "robin", "seal", "tapir", "walrus"];

/** A room name that is easy to read aloud across a workshop room, like "swift-otter-42". */
export function randomRoom() {
  const [a, b, n] = crypto.getRandomValues(new Uint32Array(3));
  return `${ADJECTIVES[a % ADJECTIVES.length]}-${ANIMALS[b % ANIMALS.length]}-${10 + (n % 90)}`;
}
