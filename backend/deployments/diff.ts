// Two views of what changes between two values files: a structured list of
// leaf paths (for tables and tests) and a unified text diff of the YAML (for
// people and for review tools, in `diff -u` form, by jsdiff).
import { OMIT_HEADERS, formatPatch, structuredPatch } from 'diff';
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

// Every line ends in "\n", so a missing final newline neither shows as a change nor gets a "\ No newline" marker.
const terminated = (s: string) => (s === '' || s.endsWith('\n') ? s : `${s}\n`);

/** `diff -u` output with 3 lines of context; '' when the texts are equal. */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  const patch = structuredPatch(labels.from, labels.to, terminated(before), terminated(after), undefined, undefined, { context });
  if (patch.hunks.length === 0) return '';
  // The labels as given (jsdiff would C-quote unusual ones), then jsdiff's hunks.
  return `--- ${labels.from}\n+++ ${labels.to}\n${formatPatch(patch, OMIT_HEADERS)}`;
}
