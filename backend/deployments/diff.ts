// Two views of what changes between two values files: a structured list of
// leaf paths (for tables and tests) and a unified text diff of the YAML (for
// people and for review tools, in `diff -u` form).
import { type Values, isMap } from './values';

export interface ValueChange {
  path: string;
  op: 'add' | 'remove' | 'change';
  from?: unknown;
  to?: unknown;
}

function leaves(v: Values, prefix: string[] = [], out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, x] of Object.entries(v)) {
    const path = [...prefix, k];
    if (isMap(x) && Object.keys(x).length > 0) leaves(x, path, out);
    else out.set(path.join('.'), x);
  }
  return out;
}

export function structuredDiff(before: Values, after: Values): ValueChange[] {
  const a = leaves(before);
  const b = leaves(after);
  const out: ValueChange[] = [];
  for (const [path, to] of b) {
    if (!a.has(path)) out.push({ path, op: 'add', to });
    else if (JSON.stringify(a.get(path)) !== JSON.stringify(to)) out.push({ path, op: 'change', from: a.get(path), to });
  }
  for (const [path, from] of a) if (!b.has(path)) out.push({ path, op: 'remove', from });
  return out;
}

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Line edit script by longest common subsequence (values files are a few hundred lines). */
function editScript(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) return [...a.map((line) => ({ kind: '-' as const, line })), ...b.map((line) => ({ kind: '+' as const, line }))];
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i++] });
      j++;
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ kind: '-', line: a[i++] });
    else ops.push({ kind: '+', line: b[j++] });
  }
  return ops;
}

const splitLines = (s: string) => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

/** `diff -u` output with 3 lines of context; '' when the texts are equal. */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  const ops = editScript(splitLines(before), splitLines(after));
  if (!ops.some((o) => o.kind !== ' ')) return '';
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  let k = 0;
  // Line numbers (1-based) in a and b at each op index.
  const pos: { a: number; b: number }[] = [];
  let la = 1;
  let lb = 1;
  for (const o of ops) {
    pos.push({ a: la, b: lb });
    if (o.kind !== '+') la++;
    if (o.kind !== '-') lb++;
  }
  while (k < ops.length) {
    if (ops[k].kind === ' ') {
      k++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change within reach.
    const start = Math.max(0, k - context);
    let end = k;
    for (let x = k; x < ops.length; x++) {
      if (ops[x].kind !== ' ') end = x;
      else if (x - end > 2 * context) break;
    }
    const stop = Math.min(ops.length, end + context + 1);
    const slice = ops.slice(start, stop);
    const aLen = slice.filter((o) => o.kind !== '+').length;
    const bLen = slice.filter((o) => o.kind !== '-').length;
    const aStart = aLen ? pos[start].a : pos[start].a - 1;
    const bStart = bLen ? pos[start].b : pos[start].b - 1;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const o of slice) out.push(`${o.kind}${o.line}`);
    k = stop;
  }
  return `${out.join('\n')}\n`;
}
