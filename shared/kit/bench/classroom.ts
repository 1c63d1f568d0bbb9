// The classroom under a large workshop: many attendees each reporting every few seconds through
// the kit's own sendReport (what `npm run check` calls), and one dashboard socket watching. How
// long from a report being sent until the dashboard has it, and how many never made it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { DashboardFrame } from "../../classroom/report.ts";
import { sendReport, type Membership } from "../classroom/membership.ts";
import { startClassroom } from "../dev-server.ts";
import type { TargetResult } from "../run-checks.ts";
import { STAGES } from "../stages.ts";

export type ClassroomPoint = {
  attendees: number;
  intervalMs: number;
  seconds: number;
  sent: number;
  /** Reports the classroom refused or never answered (the kit's "Not reported" line). */
  refused: number;
  /** Accepted, but no dashboard frame for it within 5 s. */
  unseen: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  reportsPerSecond: number;
  firstRefusal?: string;
};

/** A stage-6 check run, as big as a real one (every check of stages 1-6), failing one named check. */
function stageSixResult(failing: string): TargetResult {
  const suites = STAGES.filter((s) => s.number <= 6).map((stage) => ({
    stage,
    checks: Array.from({ length: 14 }, (_, i) => ({ name: `stage ${stage.number}: check number ${i + 1} of this stage`, passed: true })),
  }));
  suites[5].checks[13] = { name: failing, passed: false, error: "Expected: …\nGot:      …\nHint:     the words the kit wrote for this check" } as never;
  return { kind: "steps", stage: STAGES[5], folder: "steps/06-rate-limit", suites, kitChecks: [] };
}

export async function measureClassroom(attendees: number, intervalMs: number, seconds: number): Promise<ClassroomPoint> {
  const stateDir = mkdtempSync(join(tmpdir(), "hello-chat-bench-classroom-"));
  const classroom = await startClassroom({ stateDir });
  try {
    const members: Membership[] = [];
    for (let i = 0; i < attendees; i += 20) {
      const batch = Array.from({ length: Math.min(20, attendees - i) }, async (_, j) => {
        const name = `Bench ${i + j + 1}`;
        const response = await fetch(`${classroom.origin}/api/sessions/${classroom.code}/attendees`, { method: "POST", body: JSON.stringify({ name }) });
        const { id, secret } = (await response.json()) as { id: string; secret: string };
        return { origin: classroom.origin, code: classroom.code, name, id, secret };
      });
      members.push(...(await Promise.all(batch)));
    }

    const seen = new Map<string, number>();
    const dashboard = new WebSocket(`${classroom.origin.replace("http", "ws")}/api/sessions/${classroom.code}/live`, ["classroom", `key.${classroom.key}`]);
    dashboard.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data)) as DashboardFrame;
      if (frame.type !== "attendee") return;
      const title = frame.attendee.stages.find((s) => s.stage === 6)?.firstFailing?.title;
      if (title) seen.set(`${frame.attendee.id}/${title}`, performance.now());
    });
    await new Promise((resolve, reject) => {
      dashboard.addEventListener("open", resolve);
      dashboard.addEventListener("error", () => reject(new Error("the dashboard socket did not open")));
    });

    const sentAt = new Map<string, number>();
    let refused = 0;
    let firstRefusal: string | undefined;
    const end = performance.now() + seconds * 1000;
    // Each attendee reports every intervalMs, the start spread over one interval, as a room's would be.
    await Promise.all(
      members.map(async (member, i) => {
        await sleep((i * intervalMs) / attendees);
        for (let run = 1; performance.now() < end; run++) {
          const started = performance.now();
          const title = `run ${run}`;
          sentAt.set(`${member.id}/${title}`, started);
          const line = await sendReport([stageSixResult(title)], member);
          if (!line?.startsWith("Reported")) {
            refused++;
            firstRefusal ??= line;
            sentAt.delete(`${member.id}/${title}`);
          }
          await sleep(Math.max(0, started + intervalMs - performance.now()));
        }
      }),
    );
    await sleep(5_000);
    dashboard.close();

    const latencies = [...sentAt].map(([key, at]) => (seen.has(key) ? seen.get(key)! - at : undefined));
    const known = latencies.filter((ms): ms is number => ms !== undefined).sort((a, b) => a - b);
    const at = (q: number) => Math.round(known[Math.min(known.length - 1, Math.floor(q * known.length))] ?? NaN);
    return {
      attendees,
      intervalMs,
      seconds,
      sent: sentAt.size + refused,
      refused,
      unseen: latencies.length - known.length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: Math.round(known.at(-1) ?? NaN),
      reportsPerSecond: Math.round((sentAt.size / seconds) * 10) / 10,
      ...(firstRefusal ? { firstRefusal } : {}),
    };
  } finally {
    await classroom.stop().catch(() => classroom.kill());
    rmSync(stateDir, { recursive: true, force: true });
  }
}
