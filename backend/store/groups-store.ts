// Labels on commons and saved groups: the queries behind backend/groups.
import type { Kysely, Selectable } from 'kysely';
import type { Database, GroupsTable } from './schema';
import type { NewAudit } from './store';

export type GroupRow = Selectable<GroupsTable>;

/** Runs a write with its audit entry in one transaction (SqlStore's). */
export type AuditedWrite = <T>(audit: NewAudit | undefined, write: (db: Kysely<Database>) => Promise<T>) => Promise<T>;

export class GroupsStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audited: AuditedWrite,
  ) {}

  /** The labels operators set, per commons (one commons, or all). */
  async customLabels(commonsId?: string): Promise<Map<string, Record<string, string>>> {
    let q = this.db.selectFrom('commons_labels').selectAll();
    if (commonsId) q = q.where('commons_id', '=', commonsId);
    const out = new Map<string, Record<string, string>>();
    for (const r of await q.orderBy('commons_id').orderBy('key').execute()) {
      let l = out.get(r.commons_id);
      if (!l) out.set(r.commons_id, (l = {}));
      l[r.key] = r.value;
    }
    return out;
  }

  /** Replaces a commons' custom labels, with the audit entry, in one transaction. */
  setLabels(commonsId: string, labels: Record<string, string>, audit: NewAudit): Promise<void> {
    return this.audited(audit, async (db) => {
      await db.deleteFrom('commons_labels').where('commons_id', '=', commonsId).execute();
      const rows = Object.entries(labels).map(([key, value]) => ({ commons_id: commonsId, key, value }));
      if (rows.length) await db.insertInto('commons_labels').values(rows).execute();
    });
  }

  listGroups(): Promise<GroupRow[]> {
    return this.db.selectFrom('groups').selectAll().orderBy('name').execute();
  }

  getGroup(name: string): Promise<GroupRow | undefined> {
    return this.db.selectFrom('groups').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /** Creates or replaces a group; whether it was created. */
  putGroup(row: GroupRow, audit: NewAudit): Promise<boolean> {
    return this.audited(audit, async (db) => {
      const existed = await db.selectFrom('groups').select('name').where('name', '=', row.name).executeTakeFirst();
      if (existed) await db.updateTable('groups').set(row).where('name', '=', row.name).execute();
      else await db.insertInto('groups').values(row).execute();
      return !existed;
    });
  }

  /** Deletes a group; false when there was none. */
  deleteGroup(name: string, audit: NewAudit): Promise<boolean> {
    return this.audited(audit, async (db) => {
      const r = await db.deleteFrom('groups').where('name', '=', name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }
}
