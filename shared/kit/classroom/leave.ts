// `npm run classroom:leave`: this checkout stops reporting. The instructor's dashboard shows you
// as gone; what you reported before stays in the session for the instructor's export.
import { parseOptions, run } from "../cli.ts";
import { causeOf, readMembership, removeMembership } from "./membership.ts";

const USAGE = `Usage: npm run classroom:leave

This checkout stops reporting to the classroom it joined. The dashboard shows you as gone; what
you reported before stays in the session for the instructor's export.`;

async function main(args: string[]): Promise<number> {
  parseOptions(args, {}, USAGE, { noArguments: true });
  const membership = readMembership();
  if (!membership) {
    console.log("This checkout has not joined a classroom: nothing is sent.");
    return 0;
  }
  const { origin, code, id, secret } = membership;
  // Forget the secret first: whatever the classroom answers, nothing more is sent.
  removeMembership();
  const told = await fetch(`${origin}/api/sessions/${code}/attendees/me`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${id}.${secret}` },
    signal: AbortSignal.timeout(5_000),
  }).then((response) => (response.ok ? "" : ` (the classroom answered ${response.status}: it may still list you)`), (error) => ` (the classroom could not be told: ${causeOf(error)}; it still lists you until the end)`);
  console.log(`Left classroom ${code}: npm run check no longer reports anything${told}.`);
  return 0;
}

await run(main);
