// The summary `npm run load` prints: counts first, then latency, then the verdict.
import { paint } from "../report.ts";
import { isClean, type LoadSummary } from "./analyse.ts";

export function formatSummary(s: LoadSummary): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const bad = (value: number) => (value === 0 ? String(value) : paint("red", String(value)));
  const lines = [
    `  sent          ${s.sent}`,
    `  accepted      ${s.accepted}   (rate-limited ${s.rateLimited}, unanswered ${bad(s.unanswered)})`,
    `  delivered     ${s.delivered} of ${s.expected} (${s.clients} clients × ${s.accepted} accepted)`,
    `  lost          ${bad(s.lost)}`,
    `  duplicated    ${bad(s.duplicated)}`,
    `  out of order  ${bad(s.outOfOrder)}`,
    `  latency       p50 ${ms(s.latencyMs.p50)} · p95 ${ms(s.latencyMs.p95)} · p99 ${ms(s.latencyMs.p99)} · max ${ms(s.latencyMs.max)}`,
    `  throughput    ${Math.round(s.deliveredPerSecond)} frames/s delivered`,
  ];
  if (s.disconnected.length > 0) lines.push(`  disconnected  ${bad(s.disconnected.length)} client(s) lost their socket during the run`);
  for (const close of s.disconnected.slice(0, 5)) lines.push(`                ${close}`);
  for (const error of s.errors.slice(0, 5)) lines.push(`  error frame   ${error}`);
  lines.push(
    isClean(s)
      ? paint("green", "✓ Every client received every accepted message exactly once, in the same order.")
      : paint("red", "✗ Some messages were lost, doubled or reordered (see above)."),
  );
  return lines.join("\n");
}
