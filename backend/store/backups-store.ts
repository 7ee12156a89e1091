// Gen3 database backups and backup schedules: the queries behind
// backend/backups. A backup row names its command; the command's state,
// message and result (sizes, location) are the backup's. A scheduled backup's
// (commons_id, occurrence) key makes an occurrence start once, whichever
// replica or restart gets there first.
import type { Kysely, Selectable } from 'kysely';
import type { BackupSchedulesTable, BackupsTable, CommandsTable, Database } from './schema';

export type BackupRow = Selectable<BackupsTable>;
export type BackupScheduleRow = Selectable<BackupSchedulesTable>;
/** A backup with its command's state, message, result and last update (null when the command is missing). */
export type BackupWithCommand = BackupRow & { state: CommandsTable['state'] | null; message: string | null; result_json: string | null; updated_at: string | null };

export class BackupsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: BackupRow): Promise<void> {
    await this.db.insertInto('backups').values(row).execute();
  }

  /** Inserts a scheduled backup unless its occurrence was claimed before: true for the one caller that inserted it. */
  async claimOccurrence(row: BackupRow & { occurrence: string }): Promise<boolean> {
    const r = await this.db
      .insertInto('backups')
      .values(row)
      .onConflict((oc) => oc.columns(['commons_id', 'occurrence']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async hasOccurrence(commonsId: string, occurrence: string): Promise<boolean> {
    return !!(await this.db.selectFrom('backups').select('id').where('commons_id', '=', commonsId).where('occurrence', '=', occurrence).executeTakeFirst());
  }

  /** Says why a claimed backup has no command (the change gate did not allow it). */
  async setNote(id: string, note: string): Promise<void> {
    await this.db.updateTable('backups').set({ note: note.slice(0, 1000) }).where('id', '=', id).execute();
  }

  private withCommand() {
    return this.db
      .selectFrom('backups')
      .leftJoin('commands', 'commands.id', 'backups.command_id')
      .selectAll('backups')
      .select(['commands.state as state', 'commands.message as message', 'commands.result_json as result_json', 'commands.updated_at as updated_at']);
  }

  /** A commons' backups, newest first. */
  list(commonsId: string, limit = 100): Promise<BackupWithCommand[]> {
    return this.withCommand().where('backups.commons_id', '=', commonsId).orderBy('backups.created_at', 'desc').orderBy('backups.id', 'desc').limit(limit).execute();
  }

  get(commonsId: string, id: string): Promise<BackupWithCommand | undefined> {
    return this.withCommand().where('backups.commons_id', '=', commonsId).where('backups.id', '=', id).executeTakeFirst();
  }

  /** When each commons' newest successful backup finished (its command's last update). */
  async lastSuccess(): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom('backups')
      .innerJoin('commands', 'commands.id', 'backups.command_id')
      .where('commands.state', '=', 'succeeded')
      .select(['backups.commons_id as commons_id', (eb) => eb.fn.max('commands.updated_at').as('at')])
      .groupBy('backups.commons_id')
      .execute();
    return new Map(rows.filter((r) => r.at).map((r) => [r.commons_id, String(r.at)]));
  }

  getSchedule(commonsId: string): Promise<BackupScheduleRow | undefined> {
    return this.db.selectFrom('backup_schedules').selectAll().where('commons_id', '=', commonsId).executeTakeFirst();
  }

  listSchedules(): Promise<BackupScheduleRow[]> {
    return this.db.selectFrom('backup_schedules').selectAll().orderBy('commons_id').execute();
  }

  async putSchedule(row: BackupScheduleRow): Promise<void> {
    await this.db
      .insertInto('backup_schedules')
      .values(row)
      .onConflict((oc) => oc.column('commons_id').doUpdateSet({ cron: row.cron, time_zone: row.time_zone, databases_json: row.databases_json, author_json: row.author_json, updated_at: row.updated_at }))
      .execute();
  }

  /** false when there was none. */
  async deleteSchedule(commonsId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('backup_schedules').where('commons_id', '=', commonsId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
