// Which messages are new after a reconnect. The server sends its history again on every
// connection, and the protocol has no message ids and no end-of-history marker, so the
// page works out what it has already shown:
//
// - From stage 04 every message carries a `timestamp` that only grows within a room:
//   a frame is new exactly when its timestamp is greater than the last one shown.
//   (Timestamp 0 marks a message saved before stage 04: older than every stamped one.)
// - Stages 01-02 send no history at all, so everything that arrives is new.
// - Stage 03 sends bare {name, message} frames. They still have a usable order: the
//   server sends the newest 100 messages, oldest first, before anything live, and then
//   every new message in order. So what arrives on a new connection is one unbroken run
//   of the room's log, and what the page showed is an earlier unbroken run. Their overlap
//   is the longest tail of the shown run that equals the start of the received run;
//   everything after it is new. Only a room repeating the very same lines could make
//   that ambiguous; the longest overlap then hides a repeat rather than showing a duplicate.
//   To know where the received run ends, connection.js asks the server a question only
//   it answers, after the history (see "sync probe" there).

/** How many unstamped messages to remember: more than the server's history of 100. */
const TAIL_SIZE = 200;

export function createHistory() {
  return { tail: [], lastTimestamp: 0 };
}

function isStamped(frame) {
  return typeof frame.timestamp === "number" && frame.timestamp > 0;
}

function key(frame) {
  return JSON.stringify([frame.name, frame.message]);
}

/** Notes a message as shown. */
export function remember(history, frame) {
  if (isStamped(frame)) {
    history.lastTimestamp = Math.max(history.lastTimestamp, frame.timestamp);
    return;
  }
  history.tail.push(key(frame));
  if (history.tail.length > TAIL_SIZE) history.tail.splice(0, history.tail.length - TAIL_SIZE);
}

/** Whether a live message (one after the history run) has not been shown yet. */
export function isNew(history, frame) {
  return !isStamped(frame) || frame.timestamp > history.lastTimestamp;
}

/**
 * Of the messages that arrived first on a new connection (the history, plus anything
 * live before the sync probe's answer), the ones not shown yet, in order.
 */
export function unseen(history, batch) {
  const bare = batch.filter((frame) => !isStamped(frame));
  const stamped = batch.filter(isStamped);
  // Once a stamped message was shown, every unstamped one in the history is older.
  const skip = history.lastTimestamp > 0 ? bare.length : overlap(history.tail, bare.map(key));
  const fresh = [];
  let last = history.lastTimestamp;
  for (const frame of stamped) {
    if (frame.timestamp > last) fresh.push(frame);
    last = Math.max(last, frame.timestamp);
  }
  return [...bare.slice(skip), ...fresh];
}

/** The largest k such that the last k of `shown` equal the first k of `received`. */
export function overlap(shown, received) {
  for (let k = Math.min(shown.length, received.length); k > 0; k--) {
    const start = shown.length - k;
    let same = true;
    for (let i = 0; i < k && same; i++) same = shown[start + i] === received[i];
    if (same) return k;
  }
  return 0;
}
