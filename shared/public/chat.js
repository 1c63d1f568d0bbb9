// The chat page every stage serves. It shows whatever the current stage's server sends,
// so earlier stages simply show less: history from stage 03, times from 04, who is
// online from 05, the rate limit at 06, private messages at 07 (the optional stage; an
// earlier server refuses them, and the page says so), and at 08 (optional too) a directory of
// rooms, when opened without ?room. At 09 (optional) rooms may have an owner and a password: the
// directory's New room creates one, a protected room asks for its password before the page
// connects, and its owner may delete it. Small modules, no framework:
//   rules.js       the server's rules (names, message length, rooms, passwords)
//   connection.js  the WebSocket that reconnects by itself, and notices when it went silent
//   history.js     where to resume after a reconnect, and what is new in the history
//   render.js      frames to elements, always as text
//   invite.js      link, Copy button, QR code
//   directory.js   the directory of rooms (stage 08), and rooms-worker.js, which asks for it
//   api.js         rooms with an owner and a password (stage 09), and api-worker.js, which asks
import {
  buyTicket,
  createRoom,
  deleteRoom,
  errorText,
  fetchRoomInfo,
  forgetOwnerToken,
  keepOwnerToken,
  readOwnerToken,
} from "./api.js";
import { openConnection } from "./connection.js";
import { fetchRooms, roomUrl, saysProtected, showDirectory } from "./directory.js";
import { createHistory, isMessage, readHistory, remember, resumeAfter } from "./history.js";
import { setUpInvite } from "./invite.js";
import { gapItem, messageItem, onlineSummary, personItem } from "./render.js";
import {
  characterCount,
  checkName,
  checkPassword,
  checkRoomName,
  DEFAULT_ROOM,
  MAX_MESSAGE_LENGTH,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  randomRoom,
  ROOM_PATTERN,
  WHOLE_ROOM_ONLY,
} from "./rules.js";

const NAME_KEY = "hello-chat:name";
/** The character count appears when a message gets this close to the limit. */
const COUNT_FROM = MAX_MESSAGE_LENGTH - 200;
/** Stage 09: the close code of every socket of a room its owner deleted (reason: DELETED_TEXT). */
const DELETED_CODE = 4004;
const DELETED_TEXT = "This room was deleted by its owner.";
/** After this many failed attempts in a row, the page suggests what to look at. */
const TROUBLE_AFTER = 3;
/** Closer than this to the bottom counts as "reading the newest messages". */
const STICKY_PX = 48;
const STATUS_TEXT = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  deleted: "Room deleted",
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
/**
 * Stage 09: what GET /api/rooms/<room> said of this room, { protected }, once it has answered;
 * undefined before, and for good on an earlier server, which has no such API.
 */
let roomInfo;
/**
 * Stage 09: the password of this protected room, once a ticket proved it right. Kept in this
 * tab's memory only, never stored: every reconnection buys a new ticket with it.
 */
let password;
/** A ticket bought as the password was typed, for the connection that follows; each works once. */
let ticket;
/** Stage 09: this page asked for the room's deletion, so its closing is no surprise to it. */
let deleting = false;

/** The address as opened: without ?room, it is the directory's, at stage 08. */
const opened = location.href;
let room = chooseRoom();
$("room-name").textContent = room;
document.title = `${room} · hello-chat`;

$("invite-link").value = roomUrl(room);
const showInvite = setUpInvite({
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

/**
 * The room in ?room=; without one, the default room, so that two tabs opened at / meet (from
 * stage 08, / shows the directory instead). A name that cannot be a room gets a new room, written
 * into the address so it can be shared.
 */
function chooseRoom() {
  const params = new URLSearchParams(location.search);
  const asked = params.get("room");
  if (asked === null) return DEFAULT_ROOM;
  if (ROOM_PATTERN.test(asked)) return asked;
  const fresh = randomRoom();
  params.set("room", fresh);
  history.replaceState(null, "", `${location.pathname}?${params}${location.hash}`);
  showNotice(
    `"${asked}" cannot be a room name: use 1 to 64 letters, digits, "-" or "_". ` +
      `You are in a new room, ${fresh}, instead.`,
  );
  return fresh;
}

function showNotice(text) {
  $("notice").textContent = text;
  $("notice").hidden = false;
}

/**
 * The name this tab joined with (sessionStorage: a reload joins again by itself), and the last one
 * used in this browser (localStorage: a new tab offers it, so a second tab can be someone else).
 */
function readStoredNames() {
  try {
    return { thisTab: sessionStorage.getItem(NAME_KEY), lastUsed: localStorage.getItem(NAME_KEY) };
  } catch {
    return { thisTab: null, lastUsed: null }; // Storage blocked: the form simply starts empty.
  }
}

$("join").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = checkName($("name").value);
  $("name-error").textContent = result.error ?? "";
  $("name").setAttribute("aria-invalid", String(Boolean(result.error)));
  if (result.error) {
    $("name").focus();
    return;
  }
  try {
    sessionStorage.setItem(NAME_KEY, result.name);
    localStorage.setItem(NAME_KEY, result.name);
  } catch {
    // Not remembered next time, which is all that is lost.
  }
  // Whether the room asks for a password is known a moment after the page loads (stage 09).
  await known;
  if (needsPassword()) await unlock(result.name);
  else join(result.name);
});

/** Stage 09: a protected room whose password this tab does not know yet. */
function needsPassword() {
  return roomInfo?.protected === true && password === undefined;
}

/**
 * Shows what joining takes: a name, and in a protected room (stage 09) its password, unless this
 * tab knows it already. `problem` says why the password is asked again. `keepFocus`: someone may be
 * typing in the form already, so the focus stays where it is.
 */
function showJoinForm(problem, { keepFocus = false } = {}) {
  const locked = needsPassword();
  $("join").hidden = false;
  $("composer").hidden = true;
  $("you").hidden = true;
  $("protected-note").hidden = !locked;
  $("password-area").hidden = !locked;
  $("join-button").hidden = locked;
  $("password-error").textContent = problem ?? "";
  $("password").setAttribute("aria-invalid", String(Boolean(problem)));
  if (roomInfo?.protected) $("empty").textContent = "This room is protected: enter its password below to join the conversation.";
  if (keepFocus) return;
  // A remembered name is there already: the password is what is missing.
  if (locked && checkName($("name").value).name) return $("password").focus();
  // A name offered from another tab is selected: typing replaces it, Enter keeps it.
  $("name").focus();
  $("name").select();
}

/**
 * Stage 09: buys a ticket with the password typed, then joins with it. Refused, the form says
 * why: a wrong password, too many wrong ones (for how long), or that the room has none now.
 */
async function unlock(name) {
  const typed = $("password").value;
  let problem;
  if (typed === "") problem = "Enter the room's password.";
  else if (characterCount(typed) < MIN_PASSWORD_LENGTH || characterCount(typed) > MAX_PASSWORD_LENGTH) {
    // No room has such a password: no need to spend one of the room's guesses to learn it.
    problem = `Wrong password: room passwords have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`;
  }
  if (problem) return passwordProblem(problem);
  const button = $("password-button");
  if (button.disabled) return;
  button.disabled = true;
  $("password-error").textContent = "";
  const answer = await buyTicket(room, typed);
  button.disabled = false;
  if (answer.status === 201 && typeof answer.body?.ticket === "string") {
    password = typed;
    ticket = answer.body.ticket;
    $("password").value = "";
    join(name);
  } else if (answer.status === 404 && answer.body !== null) {
    // The room has no password (any more): deleted, its name free for anyone. Joining is open.
    roomInfo = { ...roomInfo, protected: false };
    showRoomInfo();
    showJoinForm();
    $("name-error").textContent = "This room no longer asks for a password: its owner deleted it. Join to start it afresh.";
  } else if (answer.status === 403) {
    passwordProblem("Wrong password.");
  } else if (answer.status === 429) {
    passwordProblem(errorText(answer, "Too many wrong passwords: wait a minute."));
    holdPasswordButton(Number(answer.retryAfter) * 1000);
  } else {
    passwordProblem(errorText(answer, `The server refused the password (status ${answer.status}).`));
  }
}

function passwordProblem(text) {
  $("password-error").textContent = text;
  $("password").setAttribute("aria-invalid", "true");
  $("password").focus();
  $("password").select();
}

/** After a 429, the button waits as long as the server said: a guess before then is refused anyway. */
function holdPasswordButton(ms) {
  if (!(ms > 0)) return;
  const button = $("password-button");
  button.disabled = true;
  setTimeout(() => {
    button.disabled = false;
    if ($("password-error").textContent.startsWith("Too many")) $("password-error").textContent = "You can try again now.";
  }, ms);
}

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

/**
 * /ws for this room and name; after a message with an id, resuming after it. A protected room
 * (stage 09) lets a connection in only with a ticket, each good for one: a new one every time.
 */
function socketUrl() {
  const url = new URL("/ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  const params = new URLSearchParams({ room, name: me });
  const after = resumeAfter(seen);
  if (after !== undefined) params.set("after", String(after));
  url.search = params.toString();
  if (!roomInfo?.protected) return url;
  return withTicket(url);
}

/**
 * Stage 09: the address with a ticket: the one bought as the password was typed, or a new one.
 * No answer: the attempt fails, and the connection tries again later. Refused (the room was
 * deleted and made again with another password, or someone spent its guesses): the page stops
 * and asks for the password again.
 */
async function withTicket(url) {
  let fresh = ticket;
  ticket = undefined;
  if (fresh === undefined) {
    const answer = await buyTicket(room, password);
    if (answer.status === 201 && typeof answer.body?.ticket === "string") fresh = answer.body.ticket;
    else if (answer.status === 0 || answer.status >= 500) throw new Error("No ticket: the server did not answer.");
    else if (answer.status === 404 && answer.body !== null) {
      // A protected room loses its password only when its owner deletes it: do not join the new one.
      roomDeleted(false);
      throw new Error("The room was deleted.");
    } else {
      leave();
      password = undefined;
      showJoinForm(answer.status === 403 ? "The password no longer works: enter it again." : errorText(answer, "The server refused the password."));
      if (answer.status === 429) holdPasswordButton(Number(answer.retryAfter) * 1000);
      throw new Error("No ticket: refused.");
    }
  }
  url.searchParams.set("ticket", fresh);
  return url;
}

/** Closes the connection, on purpose: no reconnecting. */
function leave() {
  connection?.close();
  connection = undefined;
}

$("change-name").addEventListener("click", () => {
  leave();
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
 * 4004 (stage 09) means that the room's owner deleted it: the page says so and stays away, since
 * the name now belongs to a new room.
 */
function showClose({ code }) {
  if (code === DELETED_CODE) return roomDeleted(deleting);
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
 * Stage 09: the room has been deleted (4004, or a protected room that lost its password). The page
 * says so instead of reconnecting: the name now belongs to a new, empty room. `mine`: this page
 * asked for it.
 */
function roomDeleted(mine) {
  leave();
  password = undefined;
  ticket = undefined;
  forgetOwnerToken(room);
  $("owner").hidden = true;
  $("confirm-delete").close();
  for (const id of ["join", "composer", "you"]) $(id).hidden = true;
  $("ended").hidden = false;
  $("ended-title").textContent = mine ? "You deleted this room." : DELETED_TEXT;
  setStatus("deleted", 0);
}

/** Stage 10: a duration in seconds, in words: "7 days", "1 day 12 hours", "90 minutes" is "1 hour 30 minutes". */
function durationText(seconds) {
  const parts = [];
  let left = Math.round(seconds);
  for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60]]) {
    const count = Math.floor(left / size);
    left -= count * size;
    if (count > 0) parts.push(`${count} ${unit}${count === 1 ? "" : "s"}`);
  }
  // Seconds too when some are left over: 90 is "1 minute 30 seconds", not "1 minute".
  if (left > 0 || parts.length === 0) parts.push(`${left} second${left === 1 ? "" : "s"}`);
  return parts.join(" ");
}

/**
 * Stage 09: the lock beside the room's name, and for its owner the card that deletes it.
 * Stage 10: how long the room keeps its messages, under its name.
 */
function showRoomInfo() {
  $("room-lock").hidden = !roomInfo?.protected;
  const retention = roomInfo?.retentionSeconds;
  $("retention").hidden = retention === undefined;
  $("retention").textContent = retention === undefined ? "" : `Messages are kept for ${durationText(retention)}.`;
  $("owner").hidden = roomInfo === undefined || readOwnerToken(room) === undefined;
}

$("delete-room").addEventListener("click", () => {
  $("delete-error").textContent = "";
  $("confirm-delete").showModal();
});
$("confirm-cancel").addEventListener("click", () => $("confirm-delete").close());
$("confirm-ok").addEventListener("click", async () => {
  $("confirm-delete").close();
  const token = readOwnerToken(room);
  if (token === undefined) return showRoomInfo();
  const button = $("delete-room");
  button.disabled = true;
  deleting = true;
  const answer = await deleteRoom(room, token);
  button.disabled = false;
  if (answer.status === 204) return roomDeleted(true);
  deleting = false;
  $("delete-error").textContent = errorText(answer, `The server did not delete the room (status ${answer.status}).`);
  // 403: the token is not this room's (the room was deleted and made again): it is no use.
  if (answer.status === 403) {
    forgetOwnerToken(room);
    button.hidden = true;
  }
});

/**
 * Stage 08: instead of a new room, the directory of rooms. The address loses the room made up for
 * it, so that a reload shows the directory again. At stage 09, New room opens a form that creates
 * a room with an owner, and maybe a password.
 */
function openDirectory(rooms) {
  history.replaceState(null, "", opened);
  document.title = "Rooms · hello-chat";
  $("brand").setAttribute("aria-label", "hello-chat: all rooms");
  for (const id of ["room-title", "status-area", "room-view"]) $(id).hidden = true;
  $("directory").hidden = false;
  // Stage 09 is known once a line of the directory says whether its room is protected, or once
  // GET /api/rooms/<room> answers, which New room asks only when no line has said (no POST to
  // find out: at stage 08 it would be refused, a line in the server's log every time).
  let creates = saysProtected(rooms);
  const directory = showDirectory({ list: $("room-list"), empty: $("no-rooms"), newRoom: $("new-room") }, rooms, {
    onRooms: (next) => (creates ||= saysProtected(next)),
    onNewRoom: async () => {
      const made = randomRoom();
      if (!creates) {
        $("new-room").disabled = true;
        creates = (await fetchRoomInfo(made)) !== undefined;
        $("new-room").disabled = false;
      }
      if (!creates) return location.assign(roomUrl(made));
      openCreateForm(made);
    },
  });
  $("create").addEventListener("submit", (event) => {
    event.preventDefault();
    void create(directory);
  });
}

function openCreateForm(suggested) {
  const form = $("create");
  if (form.hidden) {
    $("create-name").value = suggested;
    $("create-password").value = "";
    $("create-error").textContent = "";
    $("create-password-hint").textContent =
      `${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters: people then need it to join. Leave it empty for an open room.`;
  }
  form.hidden = false;
  $("new-room").setAttribute("aria-controls", "create");
  $("new-room").setAttribute("aria-expanded", "true");
  $("create-name").focus();
  $("create-name").select();
}

$("create-cancel").addEventListener("click", () => {
  $("create").hidden = true;
  $("new-room").setAttribute("aria-expanded", "false");
  $("new-room").focus();
});

/** Stage 09: POST /api/rooms; created, the owner token is kept and the page goes into the room. */
async function create(directory) {
  const named = checkRoomName($("create-name").value);
  const chosen = checkPassword($("create-password").value);
  const problem = named.error ?? chosen.error;
  $("create-name").setAttribute("aria-invalid", String(Boolean(named.error)));
  $("create-password").setAttribute("aria-invalid", String(Boolean(chosen.error)));
  $("create-error").textContent = problem ?? "";
  if (problem) return $(named.error ? "create-name" : "create-password").focus();
  const button = $("create-submit");
  if (button.disabled) return;
  button.disabled = true;
  const answer = await createRoom(named.name, chosen.password);
  button.disabled = false;
  if (answer.status !== 201 || typeof answer.body?.ownerToken !== "string") {
    $("create-error").textContent = errorText(answer, `The server did not create the room (status ${answer.status}).`);
    $(answer.status === 409 ? "create-name" : "create-submit").focus();
    return;
  }
  if (!keepOwnerToken(named.name, answer.body.ownerToken)) {
    showNotice("This browser does not let the page keep the room's owner token, so it cannot delete the room later.");
  }
  directory.stop();
  enterRoom(named.name, chosen.password);
}

/**
 * Stage 09: from the directory into the room just created, without loading the page again, so the
 * password stays in this tab's memory: the owner is not asked for it. Back returns to the directory.
 */
function enterRoom(name, chosenPassword) {
  room = name;
  roomInfo = { protected: chosenPassword !== undefined };
  password = chosenPassword;
  history.pushState(null, "", roomUrl(name));
  addEventListener("popstate", () => location.reload());
  $("room-name").textContent = name;
  document.title = `${name} · hello-chat`;
  showInvite(roomUrl(name));
  $("directory").hidden = true;
  for (const id of ["room-title", "status-area", "room-view", "all-rooms"]) $(id).hidden = false;
  showRoomInfo();
  // The rest of what a reload would learn (stage 10: how long messages are kept), in the background.
  void learnAboutRoom(true);
  const typedName = checkName($("name").value).name;
  if (typedName) join(typedName);
  else showJoinForm();
}

/**
 * Stage 09: whether this room asks for a password, asked before connecting, since a browser never
 * shows why a WebSocket was refused. Only a server with a directory (stage 08 on) is asked: before
 * that, /api/rooms/<room> is a 404 like /api/rooms, and the page works as it always did.
 */
async function learnAboutRoom(hasDirectory) {
  // A server that does not answer leaves what the page knows (a room it just created) as it was.
  if (hasDirectory) roomInfo = (await fetchRoomInfo(room)) ?? roomInfo;
  showRoomInfo();
}

// Everything is wired up: join straight away with this tab's name, or ask for one.
const { thisTab, lastUsed } = readStoredNames();
$("name").value = thisTab ?? lastUsed ?? "";
const rememberedName = thisTab === null ? undefined : checkName(thisTab).name;
/** Settles once the page knows what joining takes: a name, or (stage 09) a password too. */
let known;
if (new URL(opened).searchParams.has("room")) {
  // The form is ready at once, as before stage 09. A remembered name waits until the page knows
  // whether the room asks for a password (the page stays "starting" meanwhile, a moment).
  if (!rememberedName) {
    showJoinForm();
    $("app").classList.remove("starting");
  }
  known = (async () => {
    // Stage 08: the header links to the directory. Asked once: rooms come and go, a directory does not.
    const rooms = await fetchRooms();
    if (rooms) {
      $("brand").setAttribute("aria-label", "hello-chat: all rooms");
      $("all-rooms").hidden = false;
    }
    await learnAboutRoom(Boolean(rooms));
    // Without a remembered name the form shows already, and may have someone typing in it.
    if (needsPassword()) showJoinForm(undefined, { keepFocus: !rememberedName });
    else if (rememberedName) join(rememberedName);
    $("app").classList.remove("starting");
  })();
} else {
  // Opened without a room: the form for the one made up above is ready at once, as before stage
  // 08, but a remembered name joins only once the server has said it has no directory.
  showJoinForm();
  known = (async () => {
    const rooms = await fetchRooms();
    if (rooms) openDirectory(rooms);
    else if (rememberedName) join(rememberedName);
    $("app").classList.remove("starting");
  })();
}
