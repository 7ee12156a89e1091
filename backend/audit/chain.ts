// The hash chain over the audit log: each entry's hash covers its fields and
// the hash of the entry before it, so an entry edited, deleted or slipped in
// afterwards no longer fits (backend/audit/verify.ts finds where). Someone able
// to rewrite the whole database can recompute every hash: the head hash, kept
// somewhere else (`audit verify` prints it, exports carry it), is the anchor.
import { createHash } from 'node:crypto';

/** The `prev_hash` of the first entry of a chain that has never been pruned. */
export const GENESIS_HASH = '0'.repeat(64);

/** Names the encoding: a change to it gets a new tag, never a silent reinterpretation of old rows. */
const ENCODING = 'dcoc-audit-v1';

/** The fields of an audit row the hash covers (every one but the database's own id). */
export interface ChainedFields {
  seq: number;
  at: string;
  actor: string;
  actor_kind: string;
  role: string | null;
  action: string;
  commons_id: string | null;
  service: string | null;
  detail_json: string;
  outcome: string;
  command_id: string | null;
}

/** A stored audit row as the chain sees it. */
export interface ChainRow extends Omit<ChainedFields, 'seq'> {
  id: number;
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

/** Where a chain (or the part of it still kept after pruning) starts: the entry before its first. */
export interface ChainStart {
  seq: number;
  hash: string;
}

/**
 * SHA-256 (hex) over a JSON array of the fields in a fixed order and the
 * previous hash: JSON quotes every string, so no field can run into the next.
 */
export function auditHash(row: ChainedFields, prevHash: string): string {
  const canonical = JSON.stringify([
    ENCODING,
    Number(row.seq),
    row.at,
    row.actor,
    row.actor_kind,
    row.role ?? null,
    row.action,
    row.commons_id ?? null,
    row.service ?? null,
    row.detail_json,
    row.outcome,
    row.command_id ?? null,
    prevHash,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** `seq:hash`, how a head is printed and given back to `audit verify --expect-head`. */
export function formatHead(head: ChainStart): string {
  return `${head.seq}:${head.hash}`;
}
