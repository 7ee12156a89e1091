// Team grants (scoped roles): the queries behind backend/auth/access.ts and
// the /team-grants routes.
import type { Kysely, Selectable } from 'kysely';
import type { AuditedWrite } from './groups-store';
import type { Database, TeamGrantsTable } from './schema';
import type { NewAudit } from './store';

export type TeamGrantRow = Selectable<TeamGrantsTable>;

export class TeamGrantsStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audited: AuditedWrite,
  ) {}

  list(): Promise<TeamGrantRow[]> {
    return this.db.selectFrom('team_grants').selectAll().orderBy('team').orderBy('group_name').execute();
  }

  /** The grants of any of these team keys (names and ids as strings). */
  forTeams(keys: readonly string[]): Promise<TeamGrantRow[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('team_grants').selectAll().where('team', 'in', [...keys]).orderBy('team').orderBy('group_name').execute();
  }

  get(team: string, group: string): Promise<TeamGrantRow | undefined> {
    return this.db.selectFrom('team_grants').selectAll().where('team', '=', team).where('group_name', '=', group).executeTakeFirst();
  }

  /** Creates or replaces a grant with its audit entry in one transaction; whether it was created. */
  put(row: TeamGrantRow, audit: NewAudit): Promise<boolean> {
    return this.audited(audit, async (db) => {
      const existed = await db.selectFrom('team_grants').select('team').where('team', '=', row.team).where('group_name', '=', row.group_name).executeTakeFirst();
      if (existed) await db.updateTable('team_grants').set(row).where('team', '=', row.team).where('group_name', '=', row.group_name).execute();
      else await db.insertInto('team_grants').values(row).execute();
      return !existed;
    });
  }

  /** Deletes a grant with its audit entry; false when there was none. */
  delete(team: string, group: string, audit: NewAudit): Promise<boolean> {
    return this.audited(audit, async (db) => {
      const r = await db.deleteFrom('team_grants').where('team', '=', team).where('group_name', '=', group).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }
}
