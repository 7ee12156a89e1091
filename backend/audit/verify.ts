// Walks the audit hash chain in seq order and says where it does not hold:
// an entry whose content no longer matches its hash (edited), a gap in seq
// (deleted), an entry that does not follow the one before it (replaced or
// reordered, or the one before was edited and re-hashed), and rows with no
// place in the chain at all (written around it). Deleting the newest entries
// leaves no gap: only an anchor kept elsewhere (`--expect-head`) shows it.
import { type ChainRow, type ChainStart, auditHash } from './chain';

/** Who and what an entry was, to name it in a finding. */
export interface EntryRef {
  id: number;
  seq: number | null;
  at: string;
  actor: string;
  action: string;
}

export type Finding =
  | { kind: 'edited'; entry: EntryRef }
  | { kind: 'deleted'; missing: number; fromSeq: number; toSeq: number; after: EntryRef | null; before: EntryRef }
  | { kind: 'unlinked'; entry: EntryRef; previous: EntryRef | null }
  | { kind: 'unchained'; entry: EntryRef }
  | { kind: 'anchor'; anchor: ChainStart; detail: string };

export interface VerifyResult {
  checked: number;
  first: number | null;
  head: ChainStart;
  findings: Finding[];
  /** What could not be checked (an anchor already pruned), said but not a failure. */
  notes: string[];
}

export interface VerifyOptions {
  /** The last entry before the part checked; undefined: trust the first row's prev_hash (a range from its middle). */
  start?: ChainStart;
  /** A head printed earlier (seq and hash): the entry at that seq must still have that hash. */
  expectHead?: ChainStart;
  /** Called every `progressEvery` entries with the count so far. */
  onProgress?: (checked: number) => void;
  progressEvery?: number;
}

const ref = (r: ChainRow): EntryRef => ({ id: r.id, seq: r.seq, at: r.at, actor: r.actor, action: r.action });

export async function verifyChain(rows: AsyncIterable<ChainRow> | Iterable<ChainRow>, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  let prev: ChainRow | null = null;
  let prevSeq = opts.start?.seq ?? null;
  let prevHash = opts.start?.hash ?? null;
  let checked = 0;
  let first: number | null = null;
  let anchorSeen = false;
  const every = opts.progressEvery ?? 10_000;
  for await (const r of rows) {
    const seq = Number(r.seq);
    first ??= seq;
    if (prevSeq === null) {
      // A range from the middle: the first entry's own link is taken as given.
      prevSeq = seq - 1;
      prevHash = r.prev_hash;
    }
    if (seq > prevSeq + 1) {
      findings.push({ kind: 'deleted', missing: seq - prevSeq - 1, fromSeq: prevSeq + 1, toSeq: seq - 1, after: prev && ref(prev), before: ref(r) });
    } else if (r.prev_hash !== prevHash) {
      findings.push({ kind: 'unlinked', entry: ref(r), previous: prev && ref(prev) });
    }
    if (!r.hash || auditHash({ ...r, seq }, r.prev_hash ?? '') !== r.hash) findings.push({ kind: 'edited', entry: ref(r) });
    if (opts.expectHead && seq === opts.expectHead.seq) {
      anchorSeen = true;
      if (r.hash !== opts.expectHead.hash) {
        findings.push({ kind: 'anchor', anchor: opts.expectHead, detail: `the entry at seq ${seq} (id ${r.id}) now has hash ${r.hash ?? 'none'}: the chain up to the anchor was rewritten` });
      }
    }
    prev = r;
    prevSeq = seq;
    prevHash = r.hash;
    checked++;
    if (opts.onProgress && checked % every === 0) opts.onProgress(checked);
  }
  const head: ChainStart = prev ? { seq: Number(prev.seq), hash: prev.hash ?? '' } : (opts.start ?? { seq: 0, hash: '' });
  const anchor = opts.expectHead;
  if (anchor && !anchorSeen) {
    if (opts.start && anchor.seq === opts.start.seq) {
      if (anchor.hash !== opts.start.hash) findings.push({ kind: 'anchor', anchor, detail: `the checkpoint at seq ${anchor.seq} has hash ${opts.start.hash}` });
    } else if (opts.start && anchor.seq < opts.start.seq) {
      notes.push(`the anchor (seq ${anchor.seq}) was pruned by retention (the kept chain starts after seq ${opts.start.seq}); it cannot be checked`);
    } else {
      findings.push({ kind: 'anchor', anchor, detail: `there is no entry at seq ${anchor.seq} (the chain ends at ${head.seq}): entries up to the anchor were deleted` });
    }
  }
  return { checked, first, head, findings, notes };
}

/** Adds the rows that have no place in the chain (no seq) as findings. */
export function unchainedFindings(rows: ChainRow[]): Finding[] {
  return rows.map((r) => ({ kind: 'unchained', entry: ref(r) }));
}

const name = (e: EntryRef) => `id ${e.id} (seq ${e.seq ?? 'none'}, at ${e.at}, actor ${e.actor}, action ${e.action})`;

/** One line per finding, for people. */
export function describeFinding(f: Finding): string {
  switch (f.kind) {
    case 'edited':
      return `EDITED: audit entry ${name(f.entry)}: its content no longer matches its hash`;
    case 'deleted':
      return `DELETED: ${f.missing} entr${f.missing === 1 ? 'y' : 'ies'} (seq ${f.fromSeq}${f.toSeq > f.fromSeq ? `–${f.toSeq}` : ''}) between ${f.after ? `entry ${name(f.after)}` : 'the start of the chain'} and entry ${name(f.before)}`;
    case 'unlinked':
      return `OUT OF ORDER: audit entry ${name(f.entry)} does not follow ${f.previous ? `entry ${name(f.previous)}` : 'the start of the chain'} (its prev_hash is not that entry's hash): it was replaced or moved, or the entry before it was edited and re-hashed`;
    case 'unchained':
      return `INSERTED: audit entry ${name(f.entry)} has no place in the chain (no seq): it was written around dcoc-control`;
    case 'anchor':
      return `ANCHOR: the expected head ${f.anchor.seq}:${f.anchor.hash} does not hold: ${f.detail}`;
  }
}
