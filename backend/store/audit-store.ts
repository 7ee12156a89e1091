// The audit log's queries beyond listing: appending an entry to the hash chain,
// reading the chain in order for verify and export, and pruning the oldest
// entries for retention while keeping the rest verifiable.
import type { Kysely, Selectable } from 'kysely';
import { type ChainRow, type ChainStart, GENESIS_HASH, auditHash } from '../audit/chain';
import type { AuditTable, Database } from './schema';
import type { NewAudit } from './store';

export type AuditChainRow = Selectable<AuditTable>;

/** Makes transactions on one key run one at a time (StoreEngine.serialize). */
export type Serialize = (tx: Kysely<Database>, key: string) => Promise<void>;

/** Held while an entry is chained: the head read and the insert are one step across every replica. */
export const CHAIN_LOCK = 'audit-chain';

export interface AuditExportFilter {
  since?: string;
  until?: string;
  commons?: string;
  actor?: string;
  action?: string;
}

const PAGE = 500;

export class AuditStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly serialize: Serialize,
  ) {}

  /**
   * Appends `entry` to the chain. `tx` must be a transaction (the lock is held
   * to its end, so the next entry reads this one as the head once committed).
   */
  async append(tx: Kysely<Database>, entry: NewAudit): Promise<void> {
    await this.serialize(tx, CHAIN_LOCK);
    const prev = await this.headIn(tx);
    const seq = prev.seq + 1;
    const row = { ...entry, role: entry.role ?? null, commons_id: entry.commons_id ?? null, service: entry.service ?? null, command_id: entry.command_id ?? null, seq };
    await tx.insertInto('audit').values({ ...row, prev_hash: prev.hash, hash: auditHash(row, prev.hash) }).execute();
  }

  /** Appends an entry in a transaction of its own. */
  appendAlone(entry: NewAudit): Promise<void> {
    return this.db.transaction().execute((tx) => this.append(tx, entry));
  }

  /** The newest chained entry (or the checkpoint when every entry was pruned). */
  head(): Promise<ChainStart> {
    return this.headIn(this.db);
  }

  private async headIn(db: Kysely<Database>): Promise<ChainStart> {
    const top = await db.selectFrom('audit').select(['seq', 'hash']).where('seq', 'is not', null).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if (top?.seq != null && top.hash) return { seq: Number(top.seq), hash: top.hash };
    return this.startIn(db);
  }

  /** Where the kept chain starts: the last pruned entry, or the genesis. */
  start(): Promise<ChainStart> {
    return this.startIn(this.db);
  }

  private async startIn(db: Kysely<Database>): Promise<ChainStart & { pruned: number }> {
    const cp = await db.selectFrom('audit_chain').selectAll().where('id', '=', 1).executeTakeFirst();
    return cp ? { seq: Number(cp.start_seq), hash: cp.start_hash, pruned: Number(cp.pruned) } : { seq: 0, hash: GENESIS_HASH, pruned: 0 };
  }

  /** How many rows there are, and how many sit outside the chain (no seq). */
  async counts(): Promise<{ rows: number; unchained: number }> {
    const r = await this.db
      .selectFrom('audit')
      .select((eb) => [eb.fn.countAll<string | number>().as('rows'), eb.fn.count<string | number>('id').filterWhere('seq', 'is', null).as('unchained')])
      .executeTakeFirstOrThrow();
    return { rows: Number(r.rows), unchained: Number(r.unchained) };
  }

  /** Chained rows in seq order, `fromSeq` to `toSeq` (inclusive), a page at a time. */
  async *chain(fromSeq = 0, toSeq?: number): AsyncGenerator<ChainRow> {
    let after = fromSeq - 1;
    for (;;) {
      let q = this.db.selectFrom('audit').selectAll().where('seq', '>', after);
      if (toSeq !== undefined) q = q.where('seq', '<=', toSeq);
      const rows = await q.orderBy('seq').limit(PAGE).execute();
      for (const r of rows) yield { ...r, seq: Number(r.seq) };
      if (rows.length < PAGE) return;
      after = Number(rows[rows.length - 1].seq);
    }
  }

  /** Rows with no place in the chain (written around it), by id. */
  unchained(limit: number): Promise<ChainRow[]> {
    return this.db.selectFrom('audit').selectAll().where('seq', 'is', null).orderBy('id').limit(limit).execute();
  }

  /** The first and last seq of entries written in [since, until) (for verify --from/--to by time). */
  async seqRange(since?: string, until?: string): Promise<{ min: number; max: number } | null> {
    let q = this.db.selectFrom('audit').select((eb) => [eb.fn.min('seq').as('min'), eb.fn.max('seq').as('max')]).where('seq', 'is not', null);
    if (since) q = q.where('at', '>=', since);
    if (until) q = q.where('at', '<', until);
    const r = await q.executeTakeFirst();
    return r?.min == null || r.max == null ? null : { min: Number(r.min), max: Number(r.max) };
  }

  /** Entries matching `f` in chain order, a page at a time (an export never holds the table in memory). */
  async *select(f: AuditExportFilter): AsyncGenerator<AuditChainRow> {
    let afterId = 0;
    for (;;) {
      let q = this.db.selectFrom('audit').selectAll().where('id', '>', afterId);
      if (f.since) q = q.where('at', '>=', f.since);
      if (f.until) q = q.where('at', '<', f.until);
      if (f.commons) q = q.where('commons_id', '=', f.commons);
      if (f.actor) q = q.where('actor', '=', f.actor);
      if (f.action) q = q.where('action', '=', f.action);
      const rows = await q.orderBy('id').limit(PAGE).execute();
      yield* rows;
      if (rows.length < PAGE) return;
      afterId = rows[rows.length - 1].id;
    }
  }

  /**
   * Deletes up to `batch` of the oldest chained entries written before `cutoff`,
   * oldest first and without a gap (an entry is kept while an older-seq one is
   * kept), and moves the checkpoint to the last one deleted, in one transaction.
   * How many were deleted.
   */
  async pruneBefore(cutoff: string, batch: number, now: string): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      await this.serialize(tx, CHAIN_LOCK);
      const start = await this.startIn(tx);
      const rows = await tx.selectFrom('audit').select(['id', 'seq', 'at', 'hash']).where('seq', '>', start.seq).orderBy('seq').limit(batch).execute();
      let last: (typeof rows)[number] | undefined;
      let expect = start.seq + 1;
      for (const r of rows) {
        // A gap is a finding for verify, not ours to paper over; a young entry ends the run.
        if (Number(r.seq) !== expect || r.at >= cutoff || !r.hash) break;
        last = r;
        expect++;
      }
      if (!last) return 0;
      const res = await tx.deleteFrom('audit').where('seq', '>', start.seq).where('seq', '<=', last.seq).executeTakeFirst();
      const n = Number(res.numDeletedRows);
      await tx
        .updateTable('audit_chain')
        .set({ start_seq: Number(last.seq), start_hash: last.hash!, pruned: start.pruned + n, updated_at: now })
        .where('id', '=', 1)
        .execute();
      return n;
    });
  }
}
