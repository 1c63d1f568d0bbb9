// The session's results as CSV: one row per attendee and stage reported, for a spreadsheet.
import type { SnapshotFrame } from "./report.ts";

const COLUMNS = ["name", "stage", "status", "passed", "total", "first_failing_check", "failing_since", "reported_at", "joined_at", "left_at", "kit"];

export function toCsv(snapshot: SnapshotFrame): string {
  const rows = [COLUMNS];
  const time = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());
  for (const a of snapshot.attendees) {
    const stages = a.stages.length > 0 ? a.stages : [null];
    for (const s of stages) {
      rows.push([
        a.name, s ? String(s.stage) : "", s?.status ?? "not started", s ? String(s.passed) : "", s ? String(s.total) : "",
        s?.firstFailing?.title ?? "", time(s?.failingSince ?? null), time(s?.reportedAt ?? null), time(a.joinedAt), time(a.leftAt), a.kit ?? "",
      ]);
    }
  }
  return rows.map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
}

/** RFC 4180 quoting; a cell a spreadsheet would run as a formula (=, +, -, @) starts with ' instead. */
function cell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
