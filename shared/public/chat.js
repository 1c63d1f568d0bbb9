// The chat page every stage serves. It shows whatever the current stage's server sends,
// so earlier stages simply show less: history from stage 03, times from 04, who is
// online from 05, the rate limit at 06, private messages at 07 (the optional stage; an
// earlier server refuses them, and the page says so), and at 08 (optional too) a directory of
// rooms, when opened without ?room. Small modules, no framework:
//   rules.js       the server's rules (names, message length, rooms)
//   connection.js  the WebSocket that reconnects by itself, and notices when it went silent
//   history.js     where to resume after a reconnect, and what is new in the history
//   render.js      frames to elements, always as text
//   invite.js      link, Copy button, QR code
//   directory.js   the directory of rooms (stage 08), and rooms-worker.js, which asks for it
import { openConnection } from "./connection.js";
import { fetchRooms, roomUrl, showDirectory } from "./directory.js";
import { createHistory, isMessage, readHistory, remember, resumeAfter } from "./history.js";
import { setUpInvite } from "./invite.js";
import { gapItem, messageItem, onlineSummary, personItem } from "./render.js";
import { characterCount, checkName, MAX_MESSAGE_LENGTH, randomRoom, ROOM_PATTERN, WHOLE_ROOM_ONLY } from "./rules.js";

const NAME_KEY = "hello-chat:name";
/** The character count appears when a message gets this close to the limit. */
const COUNT_FROM = MAX_MESSAGE_LENGTH - 200;
/** After this many failed attempts in a row, the page suggests what to look at. */
const TROUBLE_AFTER = 3;
/** Closer than this to the bottom counts as "reading the newest messages". */
const STICKY_PX = 48;
const STATUS_TEXT = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

const $ = (id) => document.getElementById(id);
const messageInput = $("message");
const sendButton = $("send");
const sendError = $("send-error");
const scroller = $("scroller");
const list = $("messages");

let me; // the name this page joined with
let connection;
let status = "offline";
let seen = createHistory();
/**
 * Messages sent and not answered yet, oldest first: the server answers each with our message or
 * an error. Each is { text, to, typed, chosen }: what was sent and to whom (undefined: the room),
 * what was typed ("/msg bob hi") and who was chosen then, to put back if it is refused.
 */
let pending = [];
/** Who this page's messages go to privately (stage 07), until cancelled; undefined: the whole room. */
let recipient;
/** Who is online (stage 05 on): set by each connection's users frame, then changed by presence frames. */
let online = new Set();
let retryAt = 0;
let countdown;

/** The address as opened: without ?room, it is the directory's, at stage 08. */
const opened = location.href;
const room = chooseRoom();
$("room-name").textContent = room;
document.title = `${room} · hello-chat`;

$("invite-link").value = roomUrl(room);
setUpInvite({
  link: $("invite-link"),
  copyButton: $("copy"),
  copyStatus: $("copy-status"),
  qr: $("qr"),
  lanHint: $("lan-hint"),
});

// Room details sit beside the chat on wide screens and fold away on a phone.
const wide = matchMedia("(min-width: 52rem)");
$("info").open = wide.matches;
wide.addEventListener("change", () => ($("info").open = wide.matches));

/** The room in ?room=, or a new one written into the address so it can be shared. */
function chooseRoom() {
  const params = new URLSearchParams(location.search);
  const asked = params.get("room");
  if (asked !== null && ROOM_PATTERN.test(asked)) return asked;
  const fresh = randomRoom();
  params.set("room", fresh);
  history.replaceState(null, "", `${location.pathname}?${params}${location.hash}`);
  if (asked !== null) {
    showNotice(
      `"${asked}" cannot be a room name: use 1 to 64 letters, digits, "-" or "_". ` +
        `You are in a new room, ${fresh}, instead.`,
    );
  }
  return fresh;
}

function showNotice(text) {
  $("notice").textContent = text;
  $("notice").hidden = false;
}

function readStoredName() {
  try {
    return localStorage.getItem(NAME_KEY);
  } catch {
    return null; // Storage blocked: the form simply starts empty.
  }
}

function showJoinForm() {
  $("join").hidden = false;
  $("composer").hidden = true;
  $("you").hidden = true;
  $("name").focus();
}

$("join").addEventListener("submit", (event) => {
  event.preventDefault();
  const result = checkName($("name").value);
  $("name-error").textContent = result.error ?? "";
  $("name").setAttribute("aria-invalid", String(Boolean(result.error)));
  if (result.error) {
    $("name").focus();
    return;
  }
  try {
    localStorage.setItem(NAME_KEY, result.name);
  } catch {
    // Not remembered next time, which is all that is lost.
  }
  join(result.name);
});

function join(name) {
  me = name;
  chooseRecipient(undefined);
  $("name").value = name;
  $("you-name").textContent = name;
  $("join").hidden = true;
  $("composer").hidden = false;
  $("you").hidden = false;
  connection = openConnection({ url: socketUrl, onStatus: setStatus, onFrame: showFrame, onClose: showClose });
  messageInput.focus();
}

/** /ws for this room and name; after a message with an id, resuming after it. */
function socketUrl() {
  const url = new URL("/ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  const params = new URLSearchParams({ room, name: me });
  const after = resumeAfter(seen);
  if (after !== undefined) params.set("after", String(after));
  url.search = params.toString();
  return url;
}

$("change-name").addEventListener("click", () => {
  connection?.close();
  connection = undefined;
  showJoinForm();
  $("name").select();
});

$("retry").addEventListener("click", () => connection?.retryNow());

function setStatus(next, failures) {
  status = next;
  $("trouble").hidden = next === "connected" || next === "offline" || failures < TROUBLE_AFTER;
  if (next === "connected") $("empty").textContent = "No messages yet. Say hello!";
  $("status").dataset.state = next;
  $("status-text").textContent = STATUS_TEXT[next];
  $("retry").hidden = next !== "reconnecting";
  if (next !== "connected") {
    // Replies to what was sent on the old socket will never come; who is online is unknown.
    pending = [];
    online = new Set();
    $("online-summary").hidden = true;
    $("people").hidden = true;
  }
  updateSendState();
}

// A stage in progress may send frames that are not quite right yet: anything that is
// not a well-formed frame is left out rather than breaking the page.
function showFrame(frame) {
  if (frame.type === "history") {
    if (Array.isArray(frame.messages)) showHistory(frame);
  } else if (frame.type === "message") {
    // Live messages come after the history, each once, so they are always new. (Checking
    // their ids too would hide every message of a stage started afresh, whose ids restart at 1.)
    if (isMessage(frame)) showMessage(frame);
  } else if (frame.type === "users") {
    // The whole list: the newcomer's, after every reconnect too, so it replaces what was known.
    if (Array.isArray(frame.names)) {
      online = new Set(frame.names.map(String));
      showOnline(frame.count);
    }
  } else if (frame.type === "presence") {
    // What changed since, gathered for a moment on the server: names whose first connection
    // opened, names whose last one closed. A name may be gone before this page heard of it
    // (it came and went within the moment): deleting it changes nothing.
    if (Array.isArray(frame.joined) && Array.isArray(frame.left)) {
      for (const name of frame.joined) online.add(String(name));
      for (const name of frame.left) online.delete(String(name));
      showOnline(frame.count);
    }
  } else if (frame.type === "error") {
    showError(frame);
  }
}

/** The first frame from stage 03 on: shows the messages in it that this page does not show yet. */
function showHistory(frame) {
  const { gap, messages } = readHistory(seen, frame);
  // More were missed than a reconnect brings back: mark the gap before the newest ones.
  if (gap) append(gapItem(), isAtBottom());
  for (const message of messages) showMessage(message);
}

function showMessage(frame) {
  remember(seen, frame);
  const mine = frame.name === me;
  const to = typeof frame.to === "string" ? frame.to : undefined;
  const answersUs = mine && pending[0]?.text === frame.message && pending[0].to === to;
  if (answersUs) pending.shift();
  append(messageItem(frame, { mine, me, previous: list.lastElementChild }), answersUs || isAtBottom());
}

/** Adds a line to the conversation; the view follows it when `stick`, else "New messages" shows. */
function append(item, stick) {
  list.append(item);
  $("empty").hidden = true;
  if (stick) scrollToBottom();
  else $("jump").hidden = false;
}

/** Shows who is online, sorted as the server sorts them; the count is the server's. */
function showOnline(count) {
  const sorted = [...online].sort();
  if (!Number.isInteger(count)) count = sorted.length;
  const summary = $("online-summary");
  summary.textContent = onlineSummary(count, sorted);
  summary.hidden = false;
  $("people-title").textContent = `${count} online`;
  // The list is built afresh: someone tabbing through its buttons must not lose their place.
  const focused = document.activeElement?.closest("#people-list button")?.dataset.name;
  const people = $("people-list");
  people.replaceChildren(...sorted.map((name) => personItem(name, { mine: name === me, chosen: name === recipient })));
  if (focused !== undefined) [...people.querySelectorAll("button")].find((button) => button.dataset.name === focused)?.focus();
  $("people").hidden = false;
}

/**
 * Sends what comes next to `name` alone (stage 07), until cancelled; undefined: to the whole room
 * again. The composer says so while it lasts, and screen readers hear of each change.
 */
function chooseRecipient(name) {
  if (name === recipient) return;
  recipient = name;
  const chosen = name !== undefined;
  // A notice about the last message (bob is not here) no longer applies; a countdown still does.
  if (retryAt === 0) sendError.textContent = "";
  $("composer").classList.toggle("private", chosen);
  $("private-to").hidden = !chosen;
  const who = document.createElement("strong");
  who.textContent = name ?? "";
  $("private-to-text").replaceChildren("Private message to ", who, ". Only the two of you see it, and it is not saved.");
  messageInput.placeholder = chosen ? `Private message to ${name}…` : "Write a message…";
  // While it applies, the input's description says so too (a hidden element would still be read).
  messageInput.setAttribute("aria-describedby", `${chosen ? "private-to-text " : ""}send-error char-count`);
  for (const button of $("people-list").querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.dataset.name === name));
  }
  $("composer-mode").textContent = chosen
    ? `Private message to ${name}. Press Escape to write to everyone again.`
    : "Messages go to everyone in the room again.";
  updateSendState();
}

/** Back to the whole room, from the Cancel button or Escape; the input keeps the focus. */
function cancelRecipient() {
  chooseRecipient(undefined);
  messageInput.focus();
}

$("people-list").addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  // Choosing the chosen one again goes back to the whole room, as its pressed state suggests.
  chooseRecipient(button.dataset.name === recipient ? undefined : button.dataset.name);
  // On a phone the list folds away again, so the conversation and the composer show.
  if (!wide.matches) $("info").open = false;
  messageInput.focus();
});

$("cancel-private").addEventListener("click", cancelRecipient);
$("composer").addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || recipient === undefined) return;
  event.preventDefault();
  cancelRecipient();
});

/**
 * What the composer would send: { text, to }, or { error }. "/msg bob hi" sends "hi" to bob
 * alone, whoever is chosen; "/msg bob" (no text) chooses bob. A name may have spaces in it
 * ("Ada L"): the longest name online that the words start with wins (in any case, spelt as
 * the server has it), else the first word.
 */
function readComposer() {
  const typed = messageInput.value.trim();
  const command = /^\/msg(?:\s+|$)/i.exec(typed);
  if (!command) return { text: typed, to: recipient };
  const rest = typed.slice(command[0].length);
  const known = [...online].sort((a, b) => b.length - a.length).find((name) => startsWithName(rest, name));
  const name = known ?? rest.split(/\s/, 1)[0];
  const to = checkName(name).name;
  if (to === undefined) return { error: "Write /msg, a name, then your message, like: /msg bob hello" };
  return { text: rest.slice(name.length).trim(), to };
}

/** Whether `text` starts with the word(s) `name`, in any case. */
function startsWithName(text, name) {
  const rest = text.slice(name.length);
  return text.slice(0, name.length).toLowerCase() === name.toLowerCase() && (rest === "" || /^\s/.test(rest));
}

/** Error frames belong next to the input they are about, not in the conversation. */
function showError(frame) {
  // With nothing sent, it is about no message of ours: a stage that does not let the runtime
  // answer "ping" with "pong" refuses the ping itself.
  if (pending.length === 0) return;
  const unsent = giveBack();
  if (frame.code === "rate_limited" && frame.retryAfterMs > 0) {
    retryAt = Date.now() + frame.retryAfterMs;
    clearTimeout(countdown);
    countdown = undefined;
    tickCountdown();
  } else {
    showSendError(refusal(frame, unsent.to));
  }
  updateSendState();
}

/** Why a message was refused: the server's words, except where the page can say more. */
function refusal(frame, to) {
  // Stage 07: nobody of that name has a connection open in this room (or no longer has).
  if (frame.code === "unknown_user" && to !== undefined) {
    return `${to} is not in this room right now, so your message was not sent.`;
  }
  // Before stage 07 (and in stage 07 until it is done) the server refuses any message with a
  // "to", in these words: it would otherwise have shown it to everyone.
  if (frame.code === "bad_message" && frame.message === WHOLE_ROOM_ONLY) {
    return "Private messages arrive in stage 07: this server sends every message to the whole room, so yours was not sent.";
  }
  return typeof frame.message === "string" ? frame.message : "The server refused that message.";
}

function showSendError(text) {
  sendError.setAttribute("aria-live", "polite");
  sendError.textContent = text;
}

/**
 * Puts a refused message back in the input as it was typed, so it is not lost, unless something
 * new was typed meanwhile; with it, whom it was for, so Enter sends it where it was meant to go
 * (never to the whole room, if it was private). Returns the message, or {} when none was pending.
 */
function giveBack() {
  const unsent = pending.shift();
  if (unsent === undefined) return {};
  if (messageInput.value === "") {
    messageInput.value = unsent.typed;
    chooseRecipient(unsent.chosen);
  }
  return unsent;
}

/**
 * The connection closed; the page reconnects by itself. 1009 (stage 06) means a frame was too
 * big for the server: the first text not answered yet was not sent. Say so, not just reconnect.
 * (The page sends at most 1000 characters, far below the limit, so it should never happen.)
 */
function showClose({ code }) {
  if (code !== 1009) return;
  giveBack();
  showSendError(
    "The server closed the connection, calling a message too big (close code 1009): it was not sent. " +
      `Up to ${MAX_MESSAGE_LENGTH} characters should fit, so the server's limit is too low.`,
  );
}

function tickCountdown() {
  clearTimeout(countdown);
  const left = retryAt - Date.now();
  if (left <= 0) {
    retryAt = 0;
    countdown = undefined;
    sendError.textContent = "";
    updateSendState();
    return;
  }
  // Announce the notice once; the seconds counting down are for the eyes only.
  sendError.setAttribute("aria-live", countdown ? "off" : "polite");
  sendError.textContent = `Slow down: your message was not sent. You can send again in ${Math.ceil(left / 1000)} s.`;
  countdown = setTimeout(tickCountdown, Math.min(left, ((left - 1) % 1000) + 1));
}

function updateSendState() {
  const typed = messageInput.value.trim();
  // Of "/msg bob hi", only "hi" is the message.
  const length = characterCount(readComposer().text ?? typed);
  const tooLong = length > MAX_MESSAGE_LENGTH;
  sendButton.disabled = status !== "connected" || typed === "" || tooLong || retryAt > Date.now();
  const count = $("char-count");
  count.classList.toggle("over", tooLong);
  count.textContent =
    length < COUNT_FROM
      ? ""
      : tooLong
        ? `${length} / ${MAX_MESSAGE_LENGTH}: ${length - MAX_MESSAGE_LENGTH} too many`
        : `${length} / ${MAX_MESSAGE_LENGTH}`;
}

messageInput.addEventListener("input", updateSendState);

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  if (sendButton.disabled) return;
  const { text, to, error } = readComposer();
  if (error) {
    showSendError(error);
    return;
  }
  if (text === "") {
    // "/msg bob" alone: bob is chosen for what comes next.
    messageInput.value = "";
    chooseRecipient(to);
    return;
  }
  const typed = messageInput.value.trim();
  if (!connection?.send(text, to)) return;
  pending.push({ text, to, typed, chosen: recipient });
  messageInput.value = "";
  if (retryAt === 0) sendError.textContent = "";
  updateSendState();
  messageInput.focus();
});

function isAtBottom() {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < STICKY_PX;
}

function scrollToBottom() {
  scroller.scrollTop = scroller.scrollHeight;
  $("jump").hidden = true;
}

// Whether the reader was at the newest message before the view changed size (a phone
// keyboard opening, a rotated screen): if so, keep them there.
let stuck = true;
scroller.addEventListener("scroll", () => {
  stuck = isAtBottom();
  if (stuck) $("jump").hidden = true;
});
new ResizeObserver(() => {
  if (stuck) scrollToBottom();
}).observe(scroller);
$("jump").addEventListener("click", () => {
  scrollToBottom();
  messageInput.focus();
});

/**
 * Stage 08: instead of a new room, the directory of rooms. The address loses the room made up for
 * it, so that a reload shows the directory again.
 */
function openDirectory(rooms) {
  history.replaceState(null, "", opened);
  document.title = "Rooms · hello-chat";
  $("brand").setAttribute("aria-label", "hello-chat: all rooms");
  for (const id of ["room-title", "status-area", "room-view"]) $(id).hidden = true;
  $("directory").hidden = false;
  showDirectory({ list: $("room-list"), empty: $("no-rooms"), newRoom: $("new-room") }, rooms);
}

// Everything is wired up: join straight away with a remembered name, or ask for one.
const remembered = readStoredName();
$("name").value = remembered ?? "";
const rememberedName = remembered === null ? undefined : checkName(remembered).name;
if (new URL(opened).searchParams.has("room")) {
  if (rememberedName) join(rememberedName);
  else showJoinForm();
  $("app").classList.remove("starting");
  // Stage 08: the header links to the directory. Asked once: rooms come and go, a directory does not.
  if (await fetchRooms()) {
    $("brand").setAttribute("aria-label", "hello-chat: all rooms");
    $("all-rooms").hidden = false;
  }
} else {
  // Opened without a room: the form for the one made up above is ready at once, as before stage
  // 08, but a remembered name joins only once the server has said it has no directory.
  showJoinForm();
  const rooms = await fetchRooms();
  if (rooms) openDirectory(rooms);
  else if (rememberedName) join(rememberedName);
  $("app").classList.remove("starting");
}
