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
 * person shows the name and picture once.
 */
export function messageItem(frame, { mine, previous }) {
  const item = document.createElement("li");
  item.className = "message";
  item.classList.toggle("mine", mine);
  item.dataset.name = frame.name;
  if (previous?.dataset.name === frame.name && previous.classList.contains("mine") === mine) {
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

/** The "who is online" list of stage 05 on. */
export function personItem(name, mine) {
  const item = document.createElement("li");
  item.append(avatar(name));
  const label = document.createElement("span");
  label.textContent = name;
  item.append(label);
  if (mine) {
    const you = document.createElement("span");
    you.className = "you-tag";
    you.textContent = "you";
    item.append(you);
  }
  return item;
}

/** "2 online: alice, bob" */
export function onlineSummary(count, names) {
  return names.length > 0 ? `${count} online: ${names.join(", ")}` : `${count} online`;
}
