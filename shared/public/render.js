// Turns frames into page elements. Everything the server sends is set as text
// (textContent, append of strings), never parsed as HTML: a message like
// <img src=x onerror=alert(1)> shows as those characters and runs nothing.

/** A colour for a name, the same on every screen, so people are easy to tell apart. */
export function hueOf(name) {
  // FNV-1a: short names that differ in one letter still land far apart on the colour wheel.
  let hash = 2166136261;
  for (const char of name) hash = Math.imul(hash ^ char.codePointAt(0), 16777619) >>> 0;
  return hash % 360;
}

function avatar(name) {
  const element = document.createElement("span");
  element.className = "avatar";
  element.setAttribute("aria-hidden", "true");
  element.style.setProperty("--hue", String(hueOf(name)));
  element.textContent = [...name][0]?.toUpperCase() ?? "?";
  return element;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/**
 * A chat line. `previous` is the line before it: a run of messages from the same
 * person shows the name and picture once. A private message (stage 07: it has `to`)
 * always shows its label, so it neither continues a run nor is continued.
 */
export function messageItem(frame, { mine, me, previous }) {
  const item = document.createElement("li");
  item.className = "message";
  const secret = typeof frame.to === "string";
  item.classList.toggle("mine", mine);
  item.classList.toggle("private", secret);
  item.dataset.name = frame.name;
  if (
    !secret &&
    previous?.dataset.name === frame.name &&
    previous.classList.contains("mine") === mine &&
    !previous.classList.contains("private")
  ) {
    item.classList.add("continued");
  }

  const meta = document.createElement("p");
  meta.className = "meta";
  const who = document.createElement("span");
  who.className = "name";
  who.textContent = frame.name;
  meta.append(who);
  if (mine) {
    const you = document.createElement("span");
    you.className = "you-tag";
    you.textContent = "you";
    meta.append(" ", you);
  }
  // Read out as "alice Private to you": who wrote it, that it is private, and to whom.
  if (secret) {
    const tag = document.createElement("span");
    tag.className = "private-tag";
    tag.append(lockIcon(), "Private");
    const to = document.createElement("span");
    to.className = "to";
    to.textContent = frame.to === me ? "to you" : `to ${frame.to}`;
    meta.append(" ", tag, " ", to);
  }
  // Stage 04 on: server time, shown in the reader's own time zone. 0 is "saved before stage 04".
  if (typeof frame.serverTime === "string" && frame.timestamp > 0) {
    const time = document.createElement("time");
    time.dateTime = frame.serverTime;
    time.title = frame.serverTime;
    time.textContent = timeFormat.format(new Date(frame.timestamp));
    meta.append(" ", time);
  }

  const text = document.createElement("p");
  text.className = "text";
  text.textContent = frame.message;

  const bubble = document.createElement("div");
  bubble.className = "bubble";
  bubble.append(meta, text);
  item.append(avatar(frame.name), bubble);
  return item;
}

/** A small padlock, the mark of private messages (index.html draws the same one in the composer). */
const LOCK_PATH =
  "M5 7V5a3 3 0 0 1 6 0v2h.5A1.5 1.5 0 0 1 13 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-7A1.5 1.5 0 0 1 3 13.5v-5A1.5 1.5 0 0 1 4.5 7zm1.5 0h3V5a1.5 1.5 0 0 0-3 0z";
const SVG = "http://www.w3.org/2000/svg";

export function lockIcon() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("class", "lock");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", LOCK_PATH);
  path.setAttribute("fill-rule", "evenodd");
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

/**
 * Where messages are missing: more were written while this page was away than a reconnect
 * brings back. A line in the message list, so the live log reads it out like a message.
 */
export function gapItem() {
  const item = document.createElement("li");
  item.className = "gap";
  item.textContent = "Some messages were missed while you were away. The newest ones follow.";
  return item;
}

/**
 * An entry of the "who is online" list of stage 05 on. Everyone else's is a button: choosing it
 * sends the next messages to that person alone (stage 07), and `chosen` marks it pressed.
 */
export function personItem(name, { mine, chosen }) {
  const item = document.createElement("li");
  const label = document.createElement("span");
  label.textContent = name;
  if (mine) {
    const you = document.createElement("span");
    you.className = "you-tag";
    you.textContent = "you";
    item.append(avatar(name), label, you);
    return item;
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "person";
  button.dataset.name = name;
  // Named by the name it shows; the title is the tooltip and, for screen readers, the description.
  button.title = `Send ${name} a private message`;
  button.setAttribute("aria-pressed", String(chosen));
  button.append(avatar(name), label);
  item.append(button);
  return item;
}

/** "2 online: alice, bob" */
export function onlineSummary(count, names) {
  return names.length > 0 ? `${count} online: ${names.join(", ")}` : `${count} online`;
}

/**
 * A line of the directory of rooms (stage 08): a link to the room, and how many are in it. From
 * stage 09 a room that asks for a password shows a padlock, which the link's name reads out.
 */
export function roomItem({ name, online, protected: locked }, href) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.className = "room-link";
  link.href = href;
  link.dataset.room = name;
  const label = document.createElement("span");
  label.className = "room-label";
  label.textContent = name;
  const count = document.createElement("span");
  count.className = "room-count";
  count.textContent = `${online} online`;
  link.append(avatar(name), label);
  if (locked === true) {
    const lock = document.createElement("span");
    lock.className = "room-lock";
    lock.title = "Protected: joining takes a password";
    const words = document.createElement("span");
    words.className = "visually-hidden";
    words.textContent = "Protected";
    lock.append(lockIcon(), words);
    link.append(lock);
  }
  link.append(count);
  item.append(link);
  return item;
}
