// The dashboard's rendering: the grid (one row per attendee, one column per stage) and what is
// said about the room (done per stage, who is stuck, the most failed check). Everything that
// comes from attendees (names, titles, hints) goes into the page as text, never as HTML.

/** "03": how the kit writes a stage's number. */
export const stageLabel = (number) => String(number).padStart(2, "0");

/** An element with attributes (names and values chosen here) and text or element children. */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

/** Whole minutes, for "stuck 12 min" and "for 3 min". */
export const minutes = (ms) => Math.max(0, Math.floor(ms / 60_000));

/** "just now", "40 s ago", "2 min ago", "1 h 5 min ago"; "—" when never. */
export function ago(time, now) {
  if (time === null || time === undefined) return "—";
  const seconds = Math.max(0, Math.floor((now - time) / 1000));
  if (seconds < 10) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const total = Math.floor(seconds / 60);
  if (total < 60) return `${total} min ago`;
  return `${Math.floor(total / 60)} h ${total % 60} min ago`;
}

/** A failing stage whose first failing check has been the same one for stuckAfterMs or more. */
export function isStuck(view, now, stuckAfterMs) {
  return view?.status === "failing" && typeof view.failingSince === "number" && now - view.failingSince >= stuckAfterMs;
}

/** The attendees in the grid's order: those present as they joined, then those who left. */
export function ordered(attendees) {
  const list = [...attendees.values()];
  return [...list.filter((a) => a.leftAt === null), ...list.filter((a) => a.leftAt !== null)];
}

/**
 * The check most of the room fails now: each present attendee's current stage is the highest one
 * they reported; when it fails, its first failing check counts. Undefined when nobody fails.
 */
export function mostFailed(attendees) {
  const counts = new Map();
  for (const attendee of attendees) {
    if (attendee.leftAt !== null || attendee.stages.length === 0) continue;
    const current = attendee.stages.reduce((a, b) => (b.stage > a.stage ? b : a));
    if (current.status !== "failing" || !current.firstFailing) continue;
    const { stage, title } = current.firstFailing;
    const id = `${stage}\n${title}`;
    const entry = counts.get(id) ?? { stage, title, count: 0 };
    entry.count += 1;
    counts.set(id, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.stage - b.stage || a.title.localeCompare(b.title))[0];
}

/** The grid's header: a row of stage groups (the workshop, then the optional stages), a row of stages with "k/n done". */
export function renderHead(thead, stages, attendees) {
  const present = attendees.filter((a) => a.leftAt === null);
  const required = stages.filter((s) => !s.optional);
  const optional = stages.filter((s) => s.optional);
  const groups = el("tr", { class: "groups" },
    el("td", { class: "corner" }),
    el("th", { scope: "colgroup", colspan: required.length }, "Workshop"),
    optional.length > 0 && el("th", { scope: "colgroup", colspan: optional.length, class: "optional first-optional" }, "Optional"),
  );
  const row = el("tr", { class: "stages" }, el("th", { scope: "col", class: "name-head" }, "Attendee"));
  for (const stage of stages) {
    const done = present.filter((a) => a.stages.some((s) => s.stage === stage.number && s.status === "passed")).length;
    row.append(el("th", {
      scope: "col",
      "data-stage": stage.number,
      class: [stage.optional && "optional", stage === optional[0] && "first-optional"].filter(Boolean).join(" "),
    },
      el("span", { class: "stage-number" }, stageLabel(stage.number)),
      el("span", { class: "stage-title" }, stage.title),
      el("span", { class: "stage-done", "data-done": done }, `${done}/${present.length} done`),
    ));
  }
  thead.replaceChildren(groups, row);
}

/** One row per attendee. `open` ({ id, stage }) marks the cell whose details show. */
export function renderBody(tbody, { stages, attendees, now, stuckAfterMs, open }) {
  const optionalStart = stages.find((s) => s.optional)?.number;
  tbody.replaceChildren(...attendees.map((attendee) => {
    const left = attendee.leftAt !== null;
    const nameCell = el("th", { scope: "row", class: "who" },
      el("span", { class: "name" }, attendee.name),
        left && el("span", { class: "left-tag" }, "left"),
      el("span", { class: "ago", "data-time": attendee.lastReportAt ?? "" }, ago(attendee.lastReportAt, now)),
    );
    const row = el("tr", { "data-id": attendee.id, class: left ? "left" : undefined }, nameCell);
    for (const stage of stages) {
      const view = attendee.stages.find((s) => s.stage === stage.number);
      row.append(cell(attendee, stage, view, { now, stuckAfterMs, open, first: stage.number === optionalStart }));
    }
    return row;
  }));
}

function cell(attendee, stage, view, { now, stuckAfterMs, open, first }) {
  const classes = ["cell", stage.optional && "optional", first && "first-optional"].filter(Boolean).join(" ");
  if (!view) {
    return el("td", { class: classes, "data-stage": stage.number, "data-state": "none" }, el("span", { class: "tile" }, el("span", { class: "visually-hidden" }, "not started")));
  }
  if (view.status === "passed") {
    return el("td", { class: classes, "data-stage": stage.number, "data-state": "passed" }, el("span", { class: "tile tick", role: "img", "aria-label": "passed" }, "✓"));
  }
  const stuck = isStuck(view, now, stuckAfterMs);
  const isOpen = open?.id === attendee.id && open?.stage === stage.number;
  const button = el("button", {
    type: "button",
    class: "tile cell-button",
    "data-id": attendee.id,
    "data-stage": stage.number,
    "aria-expanded": isOpen ? "true" : "false",
    "aria-controls": "details",
    "aria-label": `${attendee.name}, stage ${stageLabel(stage.number)}: ${view.passed} of ${view.total} checks pass${stuck ? `, stuck ${minutes(now - view.failingSince)} min` : ""}. Show the failing check and its hint.`,
  },
    el("span", { class: "score" }, `${view.passed} of ${view.total}`),
    stuck && el("span", { class: "stuck-tag" }, el("span", { "aria-hidden": "true" }, "⚠ "), `stuck ${minutes(now - view.failingSince)} min`),
  );
  return el("td", { class: classes, "data-stage": stage.number, "data-state": stuck ? "stuck" : "failing" }, button);
}

/** The details of one failing cell: whose, which check, its hint, and since when. */
export function renderDetails(parts, { attendee, stage, view, now, stuckAfterMs }) {
  const where = `${attendee.name} · stage ${stageLabel(stage.number)} ${stage.title}`;
  if (!view || view.status !== "failing") {
    parts.who.textContent = where;
    parts.title.textContent = view ? "This stage passes now." : "Not started.";
    parts.hint.textContent = "";
    parts.since.textContent = "";
    return;
  }
  parts.who.textContent = `${where}: ${view.passed} of ${view.total} checks pass`;
  parts.title.textContent = view.firstFailing
    ? `First failing: ${stageLabel(view.firstFailing.stage)} · ${view.firstFailing.title}`
    : "First failing check: not reported.";
  parts.hint.textContent = view.firstFailing?.hint ? `Hint: ${view.firstFailing.hint}` : "No hint for this check.";
  const since = typeof view.failingSince === "number" ? minutes(now - view.failingSince) : null;
  parts.since.textContent = since === null ? "" : isStuck(view, now, stuckAfterMs)
    ? `⚠ Stuck: the same check has failed for ${since} min.`
    : `The same check for ${since} min.`;
}
