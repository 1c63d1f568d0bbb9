// What the Worker logged with console.error. From stage 08 it answers a call that failed with a
// 503 and keeps the error in its log, never in the answer: a check that gets that 503 shows the
// log beside it, so the attendee still reads "no such table". The Worker runs in the checks'
// isolate, so its console is theirs. Over real connections the log is the server's: nothing here.

type Log = { lines: string[] };
// On globalThis: the check files share one isolate, and each may load this module anew.
const log: Log = ((globalThis as { helloChatLog?: Log }).helloChatLog ??= install());

function install(): Log {
  const installed: Log = { lines: [] };
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    installed.lines.push(args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(" "));
    original(...args);
  };
  return installed;
}

/** Where the log stands now: pass it to loggedSince() after a request. */
export const logMark = (): number => log.lines.length;

/** What was logged since `mark` (by any check running meanwhile, too), newest last. */
export const loggedSince = (mark: number): string[] => log.lines.slice(mark);

/** For a "Got:" line after an answer of 500 or more: "; the Worker logged …", or "" when nothing was. */
export const loggedNote = (lines: string[] | undefined): string => (lines?.length ? `; the Worker logged ${lines.join("; ")}` : "");
