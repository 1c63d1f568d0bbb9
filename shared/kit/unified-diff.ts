// A unified diff of two texts, the format of `git diff` and `diff -u`, without depending on
// either being installed: `npm run diff` shows it in a terminal, the docs show what changed
// between stages. jsdiff (the `diff` package) computes it.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";

export type DiffOptions = { oldName: string; newName: string; context?: number };

/** The diff that turns `oldText` into `newText`, with `context` lines around each change; "" when equal. */
export function unifiedDiff(oldText: string, newText: string, { oldName, newName, context = 3 }: DiffOptions): string {
  if (oldText === newText) return "";
  return createTwoFilesPatch(oldName, newName, oldText, newText, undefined, undefined, { context, headerOptions: FILE_HEADERS_ONLY });
}
