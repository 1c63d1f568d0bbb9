// The instructor's dashboard (/c/<code>/dashboard#key=…): the session's code and join line, and
// every attendee's checks, live. The key stays in the fragment, so no page request carries it;
// only the dashboard's own API requests do. live.js holds the socket, grid.js the rendering.
import { connectLive } from "./live.js";
import { isStuck, minutes, mostFailed, ordered, renderBody, renderDetails, renderHead, stageLabel } from "./grid.js";

const TICK_MS = 5_000;
const byId = (id) => document.getElementById(id);

const code = decodeURIComponent(location.pathname.match(/^\/c\/([^/]+)/)?.[1] ?? "").toUpperCase();
const key = new URLSearchParams(location.hash.slice(1)).get("key") ?? "";

/** What the server said last; `offset` turns this computer's clock into the server's. */
const state = { stages: [], stuckAfterMs: 600_000, attendees: new Map(), offset: 0, received: false };
/** The failing cell whose details show ({ id, stage }), and whether a click pinned it (or a hover only previews it). */
let open = null;
let pinned = false;

const serverNow = () => Date.now() + state.offset;

const MESSAGES = {
  "no-key": "This address has no instructor key: open the Dashboard address npm run classroom printed.",
  "wrong-key": "The instructor key in this address is not this session's: open the Dashboard address npm run classroom printed.",
  "no-session": `There is no classroom session ${code} here: open the Dashboard address npm run classroom printed.`,
};

function showProblem(reason) {
  byId("problem").textContent = MESSAGES[reason];
  byId("problem").hidden = false;
  byId("board").hidden = true;
  byId("exports").hidden = true;
  setStatus("stopped");
}

function setStatus(status) {
  byId("status").dataset.state = status;
  byId("status-text").textContent = { connecting: "connecting…", live: "live", reconnecting: "reconnecting…", stopped: "not connected" }[status];
}

function showSession() {
  byId("code").textContent = code;
  document.title = `Classroom ${code}`;
  const address = `${location.origin}/c/${code}`;
  byId("join-command").textContent = `npm run classroom:join -- ${address} --as "<your name>"`;
  byId("join-note").hidden = !/^(localhost|127(\.\d+){3}|\[::1\])$/.test(location.hostname);
  for (const format of ["json", "csv"]) byId(`export-${format}`).addEventListener("click", () => download(format));
}

function onFrame(frame) {
  if (typeof frame.now === "number") state.offset = frame.now - Date.now();
  if (frame.type === "snapshot") {
    state.stages = frame.stages;
    // (The Worker's default, should a misconfigured one send none: NaN becomes null in JSON.)
    state.stuckAfterMs = Number.isFinite(frame.stuckAfterMs) && frame.stuckAfterMs > 0 ? frame.stuckAfterMs : 600_000;
    state.attendees = new Map(frame.attendees.map((attendee) => [attendee.id, attendee]));
    state.received = true;
    byId("board").hidden = false;
    byId("exports").hidden = false;
    byId("stuck-minutes").textContent = String(minutes(state.stuckAfterMs));
  } else {
    // A new attendee goes last, an existing one keeps their place.
    state.attendees.set(frame.attendee.id, frame.attendee);
  }
  render();
}

function render() {
  if (!state.received) return;
  const now = serverNow();
  const attendees = ordered(state.attendees);
  const focused = document.activeElement?.closest?.(".cell-button");
  const refocus = focused && { id: focused.dataset.id, stage: Number(focused.dataset.stage) };

  renderHead(byId("grid").tHead, state.stages, attendees);
  renderBody(byId("grid").tBodies[0], { stages: state.stages, attendees, now, stuckAfterMs: state.stuckAfterMs, open });
  if (refocus) openButton(refocus)?.focus();
  byId("empty").hidden = attendees.length > 0;
  byId("grid-scroll").hidden = attendees.length === 0;

  const present = attendees.filter((a) => a.leftAt === null);
  const stuck = present.filter((a) => a.stages.some((s) => isStuck(s, now, state.stuckAfterMs))).length;
  const left = attendees.length - present.length;
  byId("counts").textContent = [
    `${present.length} ${present.length === 1 ? "attendee" : "attendees"}`,
    stuck > 0 && `${stuck} stuck`,
    left > 0 && `${left} left`,
  ].filter(Boolean).join(" · ");

  const most = mostFailed(attendees);
  byId("most-failed").hidden = !most;
  byId("most-failed-count").textContent = most ? `${most.count} ${most.count === 1 ? "person" : "people"}: ` : "";
  byId("most-failed-check").textContent = most ? `${stageLabel(most.stage)} · ${most.title}` : "";
  renderOpen(now);
}

function renderOpen(now = serverNow()) {
  const attendee = open && state.attendees.get(open.id);
  const stage = open && state.stages.find((s) => s.number === open.stage);
  const panel = byId("details");
  panel.hidden = !attendee || !stage;
  if (!attendee || !stage) return;
  // A hover's preview lets the pointer through, so it never takes the hover from the cell.
  panel.classList.toggle("preview", !pinned);
  const view = attendee.stages.find((s) => s.stage === stage.number);
  renderDetails(
    { who: byId("details-who"), title: byId("details-title"), hint: byId("details-hint"), since: byId("details-since") },
    { attendee, stage, view, now, stuckAfterMs: state.stuckAfterMs },
  );
  place();
}

/** Puts the details next to their cell: below it, or above when there is no room below; never off the page's sides. */
function place() {
  const panel = byId("details");
  const button = open && openButton(open);
  if (!button || panel.hidden) return;
  const cell = button.getBoundingClientRect();
  const gap = 8;
  const width = panel.offsetWidth;
  const height = panel.offsetHeight;
  const left = Math.max(gap, Math.min(cell.left + cell.width / 2 - width / 2, document.documentElement.clientWidth - width - gap));
  const below = cell.bottom + gap;
  const top = below + height > innerHeight && cell.top - gap - height >= 0 ? cell.top - gap - height : below;
  panel.style.left = `${Math.round(left + scrollX)}px`;
  panel.style.top = `${Math.round(top + scrollY)}px`;
}

const openButton = ({ id, stage }) => byId("grid").querySelector(`.cell-button[data-id="${CSS.escape(id)}"][data-stage="${CSS.escape(String(stage))}"]`);

/** Shows a cell's details (pinned: by a click or a key, until closed; else a hover's preview). */
function show(button, pin) {
  open = { id: button.dataset.id, stage: Number(button.dataset.stage) };
  pinned = pin;
  for (const other of byId("grid").querySelectorAll(".cell-button[aria-expanded=true]")) other.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-expanded", "true");
  renderOpen();
}

function close({ refocus = false } = {}) {
  const was = open;
  open = null;
  pinned = false;
  byId("details").hidden = true;
  for (const button of byId("grid").querySelectorAll(".cell-button[aria-expanded=true]")) button.setAttribute("aria-expanded", "false");
  if (refocus && was) openButton(was)?.focus();
}

function wireDetails() {
  const grid = byId("grid");
  grid.addEventListener("click", (event) => {
    const button = event.target.closest(".cell-button");
    if (!button) return;
    const same = open && open.id === button.dataset.id && open.stage === Number(button.dataset.stage);
    if (same && pinned) close();
    else show(button, true);
  });
  // A mouse previews a cell's details while it rests on it; touch and keyboards use the click.
  if (matchMedia("(hover: hover)").matches) {
    grid.addEventListener("mouseover", (event) => {
      const button = event.target.closest(".cell-button");
      if (button && !pinned) show(button, false);
    });
    grid.addEventListener("mouseleave", () => {
      if (!pinned) close();
    });
  }
  byId("details-close").addEventListener("click", () => close({ refocus: true }));
  byId("grid-scroll").addEventListener("scroll", place, { passive: true });
  addEventListener("resize", place);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && open) close({ refocus: true });
  });
}

if (!code) {
  showProblem("no-session");
} else {
  showSession();
  if (!key) {
    showProblem("no-key");
  } else {
    wireDetails();
    connectLive({ code, key, onFrame, onStatus: setStatus, onFatal: showProblem });
    // "2 min ago" and "stuck 12 min" move with the clock, between frames too.
    setInterval(render, TICK_MS);
  }
}

/** Downloads an export. The key goes in a header, never in an address that logs would keep. */
async function download(format) {
  const button = byId(`export-${format}`);
  button.disabled = true;
  try {
    const response = await fetch(`/api/sessions/${encodeURIComponent(code)}/results.${format}`, { headers: { Authorization: `Bearer ${key}` } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = `results.${format}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (error) {
    button.title = `The export failed (${error.message}): try again.`;
  } finally {
    button.disabled = false;
  }
}
