// Where the page resumes after a reconnect, and which messages of a history frame are new.
// From stage 03 every message carries an `id` that only grows within a room, and the first
// frame on every connection is {"type":"history","messages":[…]}, oldest first. The page
// reconnects with ?after=<the id of the newest message it shows>, so the history holds only
// what it missed (the newest 100 of it, with "truncated": true when there was more).
// Stages 01-02 send no history and no ids: their messages are simply shown as they come.
// Nor do private messages (stage 07, with "to"): they are not stored, so they have no id, are
// never in a history frame, and never move where the page resumes.

export function createHistory() {
  return { lastId: 0 };
}

const hasId = (frame) => Number.isSafeInteger(frame.id) && frame.id > 0;

/** Notes a message as shown: a message with an id is where the next connection resumes. */
export function remember(history, frame) {
  if (hasId(frame)) history.lastId = frame.id;
}

/** The `after` to reconnect with: the newest id shown, or undefined while none is. */
export function resumeAfter(history) {
  return history.lastId > 0 ? history.lastId : undefined;
}

/** Whether a frame is a chat line the page can show: a name and a text, both strings. */
export function isMessage(frame) {
  return typeof frame?.name === "string" && typeof frame.message === "string";
}

/**
 * What a history frame adds to the page: `gap` when more messages were missed than it holds
 * ("truncated"), and the messages the page does not show yet, in the order of their ids.
 * A message without an id (a stage in progress) cannot be recognised, so it counts as new.
 */
export function readHistory(history, frame) {
  const messages = frame.messages
    .filter((message) => isMessage(message) && (!hasId(message) || message.id > history.lastId))
    .sort((a, b) => (hasId(a) && hasId(b) ? a.id - b.id : 0));
  return { gap: frame.truncated === true, messages };
}
