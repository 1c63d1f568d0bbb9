// The workshop's stages, in order, and where each one's code lives.
// Folder names, commands, checks and docs all come from this list.

/** `optional`: a stage after the workshop's end (06), for those who finish early. */
export type Stage = { number: number; slug: string; title: string; optional?: true };
export type Kind = "steps" | "solutions";

export const STAGES: readonly Stage[] = [
  { number: 1, slug: "01-echo", title: "Echo" },
  { number: 2, slug: "02-broadcast", title: "Broadcast" },
  { number: 3, slug: "03-persistence", title: "Persistence" },
  { number: 4, slug: "04-timestamps", title: "Timestamps" },
  { number: 5, slug: "05-user-count", title: "User count" },
  { number: 6, slug: "06-rate-limit", title: "Rate limit" },
  { number: 7, slug: "07-private-messages", title: "Private messages", optional: true },
  { number: 8, slug: "08-room-directory", title: "Room directory", optional: true },
  { number: 9, slug: "09-protected-rooms", title: "Protected rooms", optional: true },
  { number: 10, slug: "10-alarms", title: "Alarms", optional: true },
];

/** A stage as an attendee may write it: `3`, `03` or `03-persistence`. */
export function findStage(text: string): Stage | undefined {
  const wanted = text.trim().toLowerCase();
  return STAGES.find(
    (stage) => stage.slug === wanted || (/^\d+$/.test(wanted) && Number(wanted) === stage.number),
  );
}

/** Like findStage, but explains what is accepted when `text` is not a stage. */
export function parseStage(text: string | undefined): Stage {
  const stage = text === undefined ? undefined : findStage(text);
  if (stage) return stage;
  const choices = STAGES.map((s) => s.slug).join(", ");
  const given = text === undefined ? "No stage given" : `There is no stage "${text}"`;
  throw new UsageError(`${given}. Use a number from 1 to ${STAGES.length} (or one of: ${choices}).`);
}

/** A mistake in how a command was called: printed as it is, without a stack trace. */
export class UsageError extends Error {}

/** The folder of a stage's starter (steps) or answer (solutions), relative to the repo. */
export function stageDir(kind: Kind, stage: Stage): string {
  return `${kind}/${stage.slug}`;
}

/** The Worker entry point of a stage's folder. */
export function stageEntry(kind: Kind, stage: Stage): string {
  return `${stageDir(kind, stage)}/src/index.ts`;
}

/** The check suite of a stage that runs inside workerd. */
export function suiteFile(stage: Stage): string {
  return `shared/checks/${stage.slug}.test.ts`;
}

/** The Vitest project that runs every target's checks over real connections (vitest.config.ts). */
export const SOCKETS_PROJECT = "over real connections";

/** The stage's checks over real connections, from Node; not every stage has them. */
export function socketsSuiteFile(stage: Stage): string {
  return `shared/checks/${stage.slug}.sockets.test.ts`;
}
