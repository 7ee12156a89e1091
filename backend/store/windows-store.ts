// Maintenance and deny windows and the runs of maintenance windows: the
// queries behind backend/windows. A run's (window_id, starts_at) key is what
// makes an occurrence start once, whichever replica or restart gets there.
import type { Kysely, Selectable } from 'kysely';
import type { Database, WindowRunsTable, WindowsTable } from './schema';
import type { AuditedWrite } from './groups-store';
import type { NewAudit } from './store';

export type WindowRow = Selectable<WindowsTable>;
export type WindowRunRow = Selectable<WindowRunsTable>;

export class WindowsStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audited: AuditedWrite,
  ) {}

  /** Windows not deleted, by name. */
  list(kind?: string): Promise<WindowRow[]> {
    let q = this.db.selectFrom('windows').selectAll().where('deleted_at', 'is', null);
    if (kind) q = q.where('kind', '=', kind);
    return q.orderBy('name').orderBy('id').execute();
  }

  get(id: string): Promise<WindowRow | undefined> {
    return this.db.selectFrom('windows').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  }

  /** A window, deleted or not (a run of a deleted window still ends in its name). */
  getAny(id: string): Promise<WindowRow | undefined> {
    return this.db.selectFrom('windows').selectAll().where('id', '=', id).executeTakeFirst();
  }

  create(row: WindowRow, audit: NewAudit): Promise<void> {
    return this.audited(audit, async (db) => {
      await db.insertInto('windows').values(row).execute();
    });
  }

  /** Replaces a window's spec; false when it does not exist (or was deleted). */
  update(id: string, set: Pick<WindowRow, 'name' | 'kind' | 'spec_json' | 'updated_by' | 'updated_at'>, audit: NewAudit): Promise<boolean> {
    return this.audited(audit, async (db) => {
      const r = await db.updateTable('windows').set(set).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    });
  }

  /** Marks a window deleted; false when it was not there. */
  delete(id: string, at: string, audit: NewAudit): Promise<boolean> {
    return this.audited(audit, async (db) => {
      const r = await db.updateTable('windows').set({ deleted_at: at }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    });
  }

  /** Claims an occurrence, with its audit entry: true for the one caller that inserted it, false if it was started before (and nothing is written). */
  claimRun(row: WindowRunRow, audit: NewAudit): Promise<boolean> {
    return this.audited(audit, async (db) => {
      const r = await db.insertInto('window_runs').values(row).onConflict((oc) => oc.columns(['window_id', 'starts_at']).doNothing()).executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) throw new NotMoved();
      return true;
    }).catch((e: unknown) => {
      if (e instanceof NotMoved) return false;
      throw e;
    });
  }

  /** Records what a run did so far (silence ids as soon as they exist: a restart must find them). */
  async updateRun(windowId: string, startsAt: string, set: Partial<Pick<WindowRunRow, 'state' | 'silence_ids_json' | 'maintenance_json' | 'results_json' | 'commons_json'>>): Promise<void> {
    await this.db.updateTable('window_runs').set(set).where('window_id', '=', windowId).where('starts_at', '=', startsAt).execute();
  }

  /** Moves a run from one of `from` to its final state; false when another caller moved it first. */
  async finishRun(windowId: string, startsAt: string, from: string[], set: Pick<WindowRunRow, 'state' | 'ended_at'>, audit: NewAudit): Promise<boolean> {
    return this.audited(audit, async (db) => {
      const r = await db.updateTable('window_runs').set(set).where('window_id', '=', windowId).where('starts_at', '=', startsAt).where('state', 'in', from).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new NotMoved();
      return true;
    }).catch((e: unknown) => {
      if (e instanceof NotMoved) return false;
      throw e;
    });
  }

  getRun(windowId: string, startsAt: string): Promise<WindowRunRow | undefined> {
    return this.db.selectFrom('window_runs').selectAll().where('window_id', '=', windowId).where('starts_at', '=', startsAt).executeTakeFirst();
  }

  /** Runs not finished (starting or active), of every window. */
  openRuns(): Promise<WindowRunRow[]> {
    return this.db.selectFrom('window_runs').selectAll().where('state', 'in', ['starting', 'active']).orderBy('starts_at').execute();
  }

  /** A window's runs, newest first. */
  runsOf(windowId: string, limit = 10): Promise<WindowRunRow[]> {
    return this.db.selectFrom('window_runs').selectAll().where('window_id', '=', windowId).orderBy('starts_at', 'desc').limit(limit).execute();
  }
}

/** Rolls the audit entry back with a claim or finish that did not happen. */
class NotMoved extends Error {}
