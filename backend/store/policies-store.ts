// Policies and approvals in the store. Every write takes its audit entry in
// the same transaction; approval state moves are conditional updates, so two
// approvers racing (or two replicas) move a held change once.
import type { Kysely, Selectable } from 'kysely';
import type { ApprovalsTable, Database, PoliciesTable } from './schema';
import type { NewAudit } from './store';
import type { StoreEngine } from './sql-store';

export type PolicyRow = Selectable<PoliciesTable>;
export type ApprovalRow = Selectable<ApprovalsTable>;

export interface ApprovalFilter {
  state?: string;
  commons?: string;
  limit: number;
}

export class PoliciesStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: StoreEngine,
  ) {}

  listPolicies(): Promise<PolicyRow[]> {
    return this.db.selectFrom('policies').selectAll().orderBy('name').execute();
  }

  getPolicy(name: string): Promise<PolicyRow | undefined> {
    return this.db.selectFrom('policies').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /** The policies of any of these groups. */
  policiesOfGroups(groups: readonly string[]): Promise<PolicyRow[]> {
    if (!groups.length) return Promise.resolve([]);
    return this.db.selectFrom('policies').selectAll().where('group_name', 'in', [...groups]).orderBy('name').execute();
  }

  /** Creates or replaces; true when it was created. */
  putPolicy(row: PolicyRow, audit: NewAudit): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      await this.engine.serialize(tx, `policy:${row.name}`);
      await tx.insertInto('audit').values(audit).execute();
      const existed = await tx.selectFrom('policies').select('name').where('name', '=', row.name).executeTakeFirst();
      if (existed) await tx.updateTable('policies').set(row).where('name', '=', row.name).execute();
      else await tx.insertInto('policies').values(row).execute();
      return !existed;
    });
  }

  /** False when there was none (nothing is audited then). */
  deletePolicy(name: string, audit: NewAudit): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx.deleteFrom('policies').where('name', '=', name).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await tx.insertInto('audit').values(audit).execute();
      return true;
    });
  }

  async insertApproval(row: ApprovalRow, audit: NewAudit): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('audit').values(audit).execute();
      await tx.insertInto('approvals').values(row).execute();
    });
  }

  getApproval(id: string): Promise<ApprovalRow | undefined> {
    return this.db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listApprovals(f: ApprovalFilter): Promise<ApprovalRow[]> {
    let q = this.db.selectFrom('approvals').selectAll();
    if (f.state) q = q.where('state', '=', f.state);
    if (f.commons) q = q.where('commons_id', '=', f.commons);
    return q.orderBy('created_at', 'desc').orderBy('id').limit(f.limit).execute();
  }

  /**
   * Moves an approval from `from` to `to` with its audit entry, only if it is
   * still in `from`: false when someone else moved it first (nothing written).
   */
  move(id: string, from: string, to: Partial<ApprovalRow> & { state: string }, audit: NewAudit): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx.updateTable('approvals').set(to).where('id', '=', id).where('state', '=', from).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await tx.insertInto('audit').values(audit).execute();
      return true;
    });
  }

  /** Claims an approved change for its one execution: false when it is not approved or was already claimed. */
  async consume(id: string, at: string): Promise<boolean> {
    const r = await this.db.updateTable('approvals').set({ consumed_at: at }).where('id', '=', id).where('state', '=', 'approved').where('consumed_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Approved changes decided before `before` that never finished (a control service stopped while starting them). */
  stuck(before: string): Promise<ApprovalRow[]> {
    return this.db.selectFrom('approvals').selectAll().where('state', '=', 'approved').where('decided_at', '<', before).execute();
  }

  /** Requested approvals past their expiry. */
  due(now: string): Promise<ApprovalRow[]> {
    return this.db.selectFrom('approvals').selectAll().where('state', '=', 'requested').where('expires_at', '<=', now).execute();
  }
}
