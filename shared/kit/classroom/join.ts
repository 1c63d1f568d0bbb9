// `npm run classroom:join -- <address> --as <name>`: from now on, every `npm run check` in this
// checkout reports its results to the instructor's classroom, until `npm run classroom:leave`.
import { codeOf } from "../../classroom/report.ts";
import { parseOptions, run } from "../cli.ts";
import { UsageError } from "../stages.ts";
import { causeOf, membershipFile, readMembership, writeMembership } from "./membership.ts";

const USAGE = `Usage: npm run classroom:join -- <address> --as <your name>

  npm run classroom:join -- http://192.168.1.20:8790/c/K7MQ4P --as "Ada L"

The address is the one your instructor shows. From then on every npm run check reports
to the classroom: your name, the kit's version, the time, and each check's title, result and
hint. Never your code, its output, or file paths. npm run classroom:leave stops it.`;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { as: { type: "string" } }, USAGE);
  if (positionals.length !== 1) throw new UsageError(`Give the classroom's address, once.\n\n${USAGE}`);
  const address = positionals[0];
  const code = codeOf(address);
  const url = URL.parse(address);
  if (!code || !url || !/^https?:$/.test(url.protocol)) {
    throw new UsageError(`"${address}" is not a classroom address: it looks like http://192.168.1.20:8790/c/K7MQ4P.\n\n${USAGE}`);
  }
  const name = values.as?.trim();
  if (!name) throw new UsageError(`Say which name the instructor sees: --as "Ada L".\n\n${USAGE}`);

  const { ok, lines } = await joinClassroom(url.origin, code, name);
  (ok ? console.log : console.error)(lines.join("\n"));
  return ok ? 0 : 1;
}

/** Joins the session `code` at `origin` as `name`, keeping the secret in `file`; what to print. */
export async function joinClassroom(origin: string, code: string, name: string, file = membershipFile()): Promise<{ ok: boolean; lines: string[] }> {
  const before = readMembership(file);
  if (before?.code === code) {
    // The same session at a new address (the instructor's laptop moved networks, say): keep the seat.
    if (before.origin !== origin) writeMembership({ ...before, origin }, file);
    const where = before.origin !== origin ? `, now at ${origin}.` : ".";
    return { ok: true, lines: [`This checkout already reports to classroom ${code} as ${before.name}${where} To change your name: npm run classroom:leave, then join again.`] };
  }
  let response: Response;
  try {
    response = await fetch(`${origin}/api/sessions/${code}/attendees`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    return {
      ok: false,
      lines: [
        `Could not reach the classroom at ${origin} (${causeOf(error)}).`,
        "Is the address exactly the one shown, and is this laptop on the same network as the instructor's?",
      ],
    };
  }
  const body = (await response.json().catch(() => ({ error: `HTTP ${response.status}` }))) as { id: string; secret: string; name: string; error?: string };
  if (!response.ok) return { ok: false, lines: [`The classroom said no: ${body.error}`] };
  writeMembership({ origin, code, name: body.name, id: body.id, secret: body.secret }, file);
  return {
    ok: true,
    lines: [
      ...(before ? [`(This checkout no longer reports to classroom ${before.code}.)`] : []),
      `Joined classroom ${code} as ${body.name}. From now on every npm run check reports your results there.`,
      "npm run classroom:leave stops it.",
    ],
  };
}

// Only as a command: the kit's tests import joinClassroom.
if (import.meta.main) await run(main);
