// The directory of rooms (stage 08): GET /api/rooms lists the rooms with someone in them, busiest
// first. Opened without ?room, the page shows it, with a button to start a new room; inside a
// room, a link leads back to it. Servers before stage 08 have none (they answer 404): the page
// then shows neither, and works as it always did.
import { roomItem } from "./render.js";
import { randomRoom, ROOM_PATTERN } from "./rules.js";

/**
 * How often the list is asked for again while it shows (the server's counts lag by up to ~2 s).
 * Exported for the browser tests, which move Playwright's clock past it rather than wait.
 */
export const REFRESH_MS = 5_000;
/** A server that has not answered by then counts as one without a directory. */
const ANSWER_WITHIN_MS = 3_000;

/**
 * The server's rooms, [{ name, online }] as it orders them (from stage 09 with `protected` too), or undefined when it has no directory
 * or does not answer. Asked by a worker, once per call (rooms-worker.js says why).
 */
export function fetchRooms() {
  return new Promise((resolve) => {
    const worker = new Worker("/rooms-worker.js");
    const done = (rooms) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(rooms);
    };
    const timer = setTimeout(() => done(undefined), ANSWER_WITHIN_MS);
    worker.addEventListener("message", (event) => done(readRooms(event.data)));
    worker.addEventListener("error", () => done(undefined));
  });
}

/**
 * The rooms of a /api/rooms answer, or undefined if it is no such answer. Entries that are not
 * a valid room name with a count are left out: room names come from anyone, so they are
 * checked here and only ever shown as text.
 */
export function readRooms(body) {
  if (!Array.isArray(body?.rooms)) return undefined;
  return body.rooms.filter(
    (room) => typeof room?.name === "string" && ROOM_PATTERN.test(room.name) && Number.isInteger(room.online) && room.online > 0,
  );
}

/** The address of a room's page. */
export function roomUrl(room) {
  const url = new URL("/", location.href);
  url.search = new URLSearchParams({ room }).toString();
  return url.href;
}

/** Whether a directory's lines come from stage 09: each says whether its room is protected. */
export function saysProtected(rooms) {
  return rooms.some((room) => typeof room.protected === "boolean");
}

/**
 * Shows `rooms` in `list` (or `empty` when there are none) and keeps them up to date while the
 * page shows them: every REFRESH_MS, not while the tab is hidden. Leaving the page stops it, and
 * so does the returned stop(). `onNewRoom` replaces what New room does (open a made-up room);
 * `onRooms(rooms)` hears of every list the server sends.
 */
export function showDirectory({ list, empty, newRoom }, rooms, { onNewRoom, onRooms } = {}) {
  newRoom.addEventListener("click", () => (onNewRoom ? onNewRoom() : location.assign(roomUrl(randomRoom()))));

  let shown;
  let stopped = false;
  const render = (next) => {
    onRooms?.(next);
    const text = JSON.stringify(next);
    if (text === shown) return;
    shown = text;
    // Built afresh: someone tabbing through the links must not lose their place.
    const focused = document.activeElement?.closest("#room-list a")?.dataset.room;
    list.replaceChildren(...next.map((room) => roomItem(room, roomUrl(room.name))));
    if (focused !== undefined) [...list.querySelectorAll("a")].find((link) => link.dataset.room === focused)?.focus();
    list.hidden = next.length === 0;
    empty.hidden = next.length > 0;
  };

  let timer;
  const refresh = async () => {
    clearTimeout(timer);
    // A hidden tab asks nothing; it catches up when it shows again (visibilitychange).
    if (document.hidden || stopped) return;
    const next = await fetchRooms();
    if (stopped) return;
    // A server that did not answer this time: the last list stays.
    if (next) render(next);
    clearTimeout(timer);
    timer = setTimeout(refresh, REFRESH_MS);
  };
  render(rooms);
  timer = setTimeout(refresh, REFRESH_MS);
  document.addEventListener("visibilitychange", refresh);
  // Back from a room, the browser may show this page as it left it (its back/forward cache).
  const onPageShow = (event) => event.persisted && refresh();
  addEventListener("pageshow", onPageShow);
  return {
    /** Stops asking (stage 09: the page has gone on to a room it created). */
    stop() {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", refresh);
      removeEventListener("pageshow", onPageShow);
    },
  };
}
