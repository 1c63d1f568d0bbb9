// A unified diff of two texts, the format of `git diff` and `diff -u`, without depending on
// either being installed: `npm run diff` shows it in a terminal, the docs show what changed
// between stages.

export type DiffOptions = { oldName: string; newName: string; context?: number };

const NO_NEWLINE = "\\ No newline at end of file";

/**
 * The unified diff that turns `oldText` into `newText` ("" when they are equal), with
 * `context` unchanged lines around each change (3 by default). Lines are compared with
 * their line endings, so a CRLF or a missing final newline is a change, as in git.
 */
export function unifiedDiff(oldText: string, newText: string, options: DiffOptions): string {
  if (oldText === newText) return "";
  const context = options.context ?? 3;
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const [changedA, changedB] = changedLines(a, b);
  compact(a, changedA, changedB);
  compact(b, changedB, changedA);

  const out = [`--- ${options.oldName}\n`, `+++ ${options.newName}\n`];
  for (const hunk of hunks(script(a, b, changedA, changedB), context)) {
    out.push(`@@ -${range(hunk.oldStart, hunk.oldCount)} +${range(hunk.newStart, hunk.newCount)} @@\n`);
    for (const op of hunk.ops) {
      out.push(op.sign + op.line);
      if (!op.line.endsWith("\n")) out.push(`\n${NO_NEWLINE}\n`);
    }
  }
  return out.join("");
}

/** Lines with their endings ("a\r\n", "b\n", "c"): the last one may have none. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * Myers' O((N+M)·D) shortest edit script, as two "changed" flags per line. Git keeps the
 * same flags (rchg), which makes the group sliding below simple.
 */
function changedLines(a: string[], b: string[]): [boolean[], boolean[]] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace back from the end: each step of d is one deletion or insertion.
  const changedA = new Array<boolean>(n).fill(false);
  const changedB = new Array<boolean>(m).fill(false);
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const before = trace[d];
    const k = x - y;
    const down = k === -d || (k !== d && before[offset + k - 1] < before[offset + k + 1]);
    const prevK = down ? k + 1 : k - 1;
    const prevX = before[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
    }
    if (down) changedB[prevY] = true;
    else changedA[prevX] = true;
    x = prevX;
    y = prevY;
  }
  return [changedA, changedB];
}

/** A run of changed lines [start, end) in one file; empty where the other file has a change. */
type Group = { start: number; end: number };

/**
 * Slides runs of changed lines the way git's xdl_change_compact does (without its indent
 * heuristic): as far down as equal lines allow, or else level with a change in the other
 * file, so a changed line and its replacement show up together. Sliding keeps the
 * unchanged lines in order, so the diff stays correct and minimal, and matches
 * `git diff --no-indent-heuristic` line for line.
 */
function compact(lines: string[], changed: boolean[], other: boolean[]): void {
  const n = lines.length;
  const isChanged = (flags: boolean[], i: number) => i >= 0 && i < flags.length && flags[i];
  const first = (flags: boolean[]): Group => {
    let end = 0;
    while (isChanged(flags, end)) end++;
    return { start: 0, end };
  };
  const next = (flags: boolean[], g: Group): boolean => {
    if (g.end >= flags.length) return false;
    g.start = g.end + 1;
    for (g.end = g.start; isChanged(flags, g.end); g.end++);
    return true;
  };
  const previous = (flags: boolean[], g: Group): boolean => {
    if (g.start === 0) return false;
    g.end = g.start - 1;
    for (g.start = g.end; isChanged(flags, g.start - 1); g.start--);
    return true;
  };
  const slideDown = (g: Group): boolean => {
    if (g.end >= n || lines[g.start] !== lines[g.end]) return false;
    changed[g.start++] = false;
    changed[g.end++] = true;
    while (isChanged(changed, g.end)) g.end++;
    return true;
  };
  const slideUp = (g: Group): boolean => {
    if (g.start === 0 || lines[g.start - 1] !== lines[g.end - 1]) return false;
    changed[--g.start] = true;
    changed[--g.end] = false;
    while (isChanged(changed, g.start - 1)) g.start--;
    return true;
  };

  const g = first(changed);
  const go = first(other);
  for (;;) {
    if (g.end !== g.start) {
      let size: number;
      let earliestEnd: number;
      let endMatchingOther = -1;
      do {
        size = g.end - g.start;
        endMatchingOther = -1;
        while (slideUp(g)) previous(other, go);
        earliestEnd = g.end;
        if (go.end > go.start) endMatchingOther = g.end;
        while (slideDown(g)) {
          next(other, go);
          if (go.end > go.start) endMatchingOther = g.end;
        }
      } while (size !== g.end - g.start);
      if (g.end !== earliestEnd && endMatchingOther !== -1) {
        while (go.end === go.start) {
          slideUp(g);
          previous(other, go);
        }
      }
    }
    if (!next(changed, g)) break;
    next(other, go);
  }
}

type Op = { sign: " " | "-" | "+"; line: string; oldIndex: number; newIndex: number };
type Hunk = { oldStart: number; oldCount: number; newStart: number; newCount: number; ops: Op[] };

/** Every line in order: within a change, deletions come before insertions. */
function script(a: string[], b: string[], changedA: boolean[], changedB: boolean[]): Op[] {
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && changedA[i]) ops.push({ sign: "-", line: a[i], oldIndex: i++, newIndex: j });
    else if (j < b.length && changedB[j]) ops.push({ sign: "+", line: b[j], oldIndex: i, newIndex: j++ });
    else ops.push({ sign: " ", line: a[i], oldIndex: i++, newIndex: j++ });
  }
  return ops;
}

/** Changes with `context` lines around them; changes closer than 2·context share a hunk. */
function hunks(ops: Op[], context: number): Hunk[] {
  const changes = ops.flatMap((op, index) => (op.sign === " " ? [] : [index]));
  const result: Hunk[] = [];
  let first = 0;
  while (first < changes.length) {
    let last = first;
    while (last + 1 < changes.length && changes[last + 1] - changes[last] - 1 <= 2 * context) last++;
    const from = Math.max(0, changes[first] - context);
    const to = Math.min(ops.length, changes[last] + context + 1);
    const slice = ops.slice(from, to);
    result.push({
      oldStart: ops[from].oldIndex,
      oldCount: slice.filter((op) => op.sign !== "+").length,
      newStart: ops[from].newIndex,
      newCount: slice.filter((op) => op.sign !== "-").length,
      ops: slice,
    });
    first = last + 1;
  }
  return result;
}

/** "start,count" as diff writes it: 1-based, ",1" left out, and an empty range names the line before. */
function range(index: number, count: number): string {
  if (count === 0) return `${index},0`;
  return count === 1 ? `${index + 1}` : `${index + 1},${count}`;
}
