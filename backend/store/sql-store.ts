// Store over Kysely. openEmbeddedStore() gives the default: one SQLite file
// under DCOC_DATA_DIR in WAL mode with synchronous=FULL, so a write that was
// acknowledged survives kill -9 of the process (and a power cut).
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { type Insertable, Kysely, Migrator, type SqliteDatabase, SqliteDialect } from 'kysely';
import { lockDataDir } from './data-dir-lock';
import { storeFault } from './faults';
import { migrations } from './migrations';
import { COMMAND, CONFIG_REVISION, DEPLOYMENT_PHASE, GITOPS } from '../../contracts/states';
import { checkAudit, checkCommand, checkCommandEvent, checkConfigRevision, checkDeployment, checkRevision, each } from './rows';
import type { AgentsTable, CommandsTable, ConfigRevisionsTable, Database, ReleasesTable } from './schema';
import {
  type AuditFilter,
  type CommandFilter,
  ConflictError,
  type ConsumeTokenResult,
  type DeploymentFilter,
  type NewAudit,
  type NewDeployment,
  type Store,
} from './store';

export class SqlStore implements Store {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly releaseLock: () => void = () => undefined,
    private readonly file?: { handle: Sqlite.Database; dir: string; minFreeBytes: number },
  ) {}

  writable: Store['writable'] = async () => {
    if (!this.file) return { ok: true };
    const { handle, dir, minFreeBytes } = this.file;
    try {
      const fs = await statfs(dir);
      const free = fs.bavail * fs.bsize;
      if (free < minFreeBytes) return { ok: false, reason: `the disk holding ${dir} has ${Math.floor(free / 1024)} KiB free, under the ${Math.floor(minFreeBytes / 1024)} KiB minimum (DCOC_STORE_MIN_FREE_MB)` };
      // Our own transaction is open between two awaits: we hold the write lock, so the store is writable.
      if (handle.inTransaction) return { ok: true };
      // Take and drop the write lock without waiting: a lock held elsewhere or a read-only file shows here.
      // Synchronous, so no other query runs between BEGIN and ROLLBACK.
      const timeout = handle.pragma('busy_timeout', { simple: true }) as number;
      handle.pragma('busy_timeout = 0');
      try {
        handle.exec('BEGIN IMMEDIATE');
        handle.exec('ROLLBACK');
      } finally {
        handle.pragma(`busy_timeout = ${timeout}`);
      }
      return { ok: true };
    } catch (e) {
      return { ok: false, reason: storeFault(e) ?? (e as Error).message };
    }
  };

  /** Runs `write` with its audit entry in one transaction; without one, as it is. */
  private audited<T>(audit: NewAudit | undefined, write: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (!audit) return write(this.db);
    return this.db.transaction().execute(async (tx) => {
      await tx.insertInto('audit').values(audit).execute();
      return write(tx);
    });
  }

  async migrate(): Promise<void> {
    const { error } = await new Migrator({ db: this.db, provider: migrations }).migrateToLatest();
    if (error) throw error;
  }

  upsertCommons: Store['upsertCommons'] = async (row) => {
    const { id: _id, created_at: _created, ...rest } = row;
    return this.db
      .insertInto('commons')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(rest))
      .returningAll()
      .executeTakeFirstOrThrow();
  };

  updateCommons: Store['updateCommons'] = async (id, patch) => {
    await this.db.updateTable('commons').set(patch).where('id', '=', id).execute();
  };

  getCommons: Store['getCommons'] = (id) => this.db.selectFrom('commons').selectAll().where('id', '=', id).executeTakeFirst();

  listCommons: Store['listCommons'] = () => this.db.selectFrom('commons').selectAll().orderBy('id').execute();

  deleteCommons: Store['deleteCommons'] = async (id) => {
    await this.db.deleteFrom('commons').where('id', '=', id).execute();
  };

  createEnrollmentToken: Store['createEnrollmentToken'] = (row, audit) =>
    this.audited(audit, async (db) => {
      await db.insertInto('enrollment_tokens').values(row).execute();
    });

  async checkEnrollmentToken(tokenHash: string, now: string) {
    const token = await this.db.selectFrom('enrollment_tokens').select(['used_at', 'expires_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
    if (!token) return { ok: false, reason: 'unknown' } as const;
    if (token.used_at) return { ok: false, reason: 'used' } as const;
    if (token.expires_at <= now) return { ok: false, reason: 'expired' } as const;
    return { ok: true } as const;
  }

  async consumeEnrollmentToken(tokenHash: string, now: string, agent: Insertable<AgentsTable>): Promise<ConsumeTokenResult> {
    return this.db.transaction().execute(async (tx) => {
      const token = await tx.selectFrom('enrollment_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      if (!token) return { ok: false, reason: 'unknown' } as const;
      if (token.used_at) return { ok: false, reason: 'used' } as const;
      if (token.expires_at <= now) return { ok: false, reason: 'expired' } as const;
      // The used_at guard makes a concurrent second use lose the race.
      const res = await tx
        .updateTable('enrollment_tokens')
        .set({ used_at: now, used_by_agent: agent.id })
        .where('id', '=', token.id)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return { ok: false, reason: 'used' } as const;
      const created = await tx.insertInto('agents').values({ ...agent, enrollment_token_id: token.id }).returningAll().executeTakeFirstOrThrow();
      return { ok: true, agent: created } as const;
    });
  }

  getAgent: Store['getAgent'] = (id) => this.db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();

  listAgents: Store['listAgents'] = () => this.db.selectFrom('agents').selectAll().orderBy('enrolled_at').execute();

  updateAgent: Store['updateAgent'] = async (id, patch) => {
    await this.db.updateTable('agents').set(patch).where('id', '=', id).execute();
  };

  putApiToken: Store['putApiToken'] = (row, audit) =>
    this.audited(audit, async (db) => {
      const { id: _id, ...rest } = row;
      await db.insertInto('api_tokens').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute();
    });

  findApiToken: Store['findApiToken'] = (hash) =>
    this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();

  getApiToken: Store['getApiToken'] = (id) => this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();

  listApiTokens: Store['listApiTokens'] = () => this.db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();

  revokeApiToken: Store['revokeApiToken'] = (id, audit) =>
    this.audited(audit, async (db) => {
      const r = await db.updateTable('api_tokens').set({ revoked: 1 }).where('id', '=', id).where('revoked', '=', 0).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    });

  async createCommand(command: Insertable<CommandsTable>, audit: NewAudit, configRevision?: Insertable<ConfigRevisionsTable>) {
    return this.db.transaction().execute(async (tx) => {
      if (configRevision) {
        const taken = await tx
          .selectFrom('config_revisions')
          .select('revision')
          .where('commons_id', '=', configRevision.commons_id)
          .where('revision', '=', configRevision.revision)
          .where('state', '!=', 'failed')
          .executeTakeFirst();
        if (taken) throw new ConflictError(`config revision ${configRevision.revision} is already being written`);
        await tx
          .deleteFrom('config_revisions')
          .where('commons_id', '=', configRevision.commons_id)
          .where('revision', '=', configRevision.revision)
          .execute();
        await tx.insertInto('config_revisions').values(configRevision).execute();
      }
      await tx.insertInto('audit').values(audit).execute();
      const row = checkCommand(await tx.insertInto('commands').values(command).returningAll().executeTakeFirstOrThrow());
      await tx
        .insertInto('command_events')
        .values({ command_id: row.id, at: row.created_at, state: row.state, message: row.message, percent: 0 })
        .execute();
      return row;
    });
  }

  getCommand: Store['getCommand'] = (id) => this.db.selectFrom('commands').selectAll().where('id', '=', id).executeTakeFirst().then(checkCommand);

  listCommands(filter: CommandFilter) {
    let q = this.db.selectFrom('commands').selectAll();
    if (filter.commons) q = q.where('commons_id', '=', filter.commons);
    if (filter.states?.length) q = q.where('state', 'in', filter.states);
    if (filter.since) q = q.where('updated_at', '>=', filter.since);
    return q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).execute().then(each(checkCommand));
  }

  listOpenCommands(commonsId?: string) {
    let q = this.db.selectFrom('commands').selectAll().where('state', 'in', COMMAND.open);
    if (commonsId) q = q.where('commons_id', '=', commonsId);
    return q.orderBy('created_at').execute().then(each(checkCommand));
  }

  moveCommand: Store['moveCommand'] = (id, to, patch, event, onlyFrom) =>
    this.db.transaction().execute(async (tx) => {
      const now = checkCommand(await tx.selectFrom('commands').selectAll().where('id', '=', id).executeTakeFirst());
      if (!now || COMMAND.isFinal(now.state) || (onlyFrom && !onlyFrom.includes(now.state))) return undefined;
      const state = COMMAND.move(now.state, to);
      const row = await tx
        .updateTable('commands')
        .set({ ...patch, state })
        .where('id', '=', id)
        .where('state', '=', now.state)
        .returningAll()
        .executeTakeFirst();
      if (row && event) await tx.insertInto('command_events').values({ ...event, state, command_id: id }).execute();
      return checkCommand(row);
    });

  listCommandEvents: Store['listCommandEvents'] = (id) =>
    this.db.selectFrom('command_events').selectAll().where('command_id', '=', id).orderBy('id').execute().then(each(checkCommandEvent));

  moveConfigRevision: Store['moveConfigRevision'] = (commonsId, revision, to) =>
    this.db.transaction().execute(async (tx) => {
      const now = checkConfigRevision(
        await tx.selectFrom('config_revisions').selectAll().where('commons_id', '=', commonsId).where('revision', '=', revision).executeTakeFirst(),
      );
      if (!now) return;
      const state = CONFIG_REVISION.move(now.state, to);
      await tx.updateTable('config_revisions').set({ state }).where('commons_id', '=', commonsId).where('revision', '=', revision).where('state', '=', now.state).execute();
    });

  recordObservedConfigRevision: Store['recordObservedConfigRevision'] = (row) =>
    this.db.transaction().execute(async (tx) => {
      const any = await tx.selectFrom('config_revisions').select('revision').where('commons_id', '=', row.commons_id).limit(1).executeTakeFirst();
      if (!any) await tx.insertInto('config_revisions').values(row).execute();
    });

  listConfigRevisions: Store['listConfigRevisions'] = (commonsId) =>
    this.db.selectFrom('config_revisions').selectAll().where('commons_id', '=', commonsId).orderBy('revision', 'desc').execute().then(each(checkConfigRevision));

  async importRelease(row: Insertable<ReleasesTable>, audit: NewAudit) {
    return this.db.transaction().execute(async (tx) => {
      const taken = await tx.selectFrom('releases').select('version').where('version', '=', row.version).executeTakeFirst();
      if (taken) throw new ConflictError(`release ${row.version} was already imported`);
      await tx.insertInto('audit').values(audit).execute();
      return tx.insertInto('releases').values(row).returningAll().executeTakeFirstOrThrow();
    });
  }

  listReleases: Store['listReleases'] = () => this.db.selectFrom('releases').selectAll().orderBy('version', 'desc').execute();

  async createDeployment(d: NewDeployment) {
    return this.db.transaction().execute(async (tx) => {
      const commonsId = d.deployment.commons_id;
      const open = await tx
        .selectFrom('deployments')
        .leftJoin('commands', 'commands.id', 'deployments.command_id')
        .select(['deployments.id', 'deployments.revision'])
        .where('deployments.commons_id', '=', commonsId)
        .where((eb) =>
          eb.or([eb('deployments.phase', '=', 'committing'), eb.and([eb('deployments.phase', '=', 'commanded'), eb.or([eb('commands.state', 'is', null), eb('commands.state', 'in', COMMAND.open)])])]),
        )
        .executeTakeFirst();
      if (open) throw new ConflictError(`deployment ${open.id} (revision ${open.revision}) of ${commonsId} has not finished`);
      const base = await this.currentRevisionIn(tx, commonsId);
      if ((base?.revision ?? null) !== d.expectBase) {
        throw new ConflictError(`the commons is at revision ${base?.revision ?? 'none'}, not ${d.expectBase ?? 'none'}`);
      }
      if (d.commons) await tx.insertInto('commons').values(d.commons).onConflict((oc) => oc.column('id').doNothing()).execute();
      const top = await tx.selectFrom('revisions').select((eb) => eb.fn.max('revision').as('n')).where('commons_id', '=', commonsId).executeTakeFirst();
      const n = Number(top?.n ?? 0) + 1;
      await tx.insertInto('audit').values(d.audit).execute();
      const revision = checkRevision(await tx.insertInto('revisions').values({ ...d.revision, revision: n }).returningAll().executeTakeFirstOrThrow());
      const deployment = checkDeployment(await tx.insertInto('deployments').values({ ...d.deployment, revision: n }).returningAll().executeTakeFirstOrThrow());
      return { revision, deployment };
    });
  }

  private currentRevisionIn(db: Kysely<Database>, commonsId: string) {
    return db
      .selectFrom('revisions')
      .innerJoin('deployments', 'deployments.id', 'revisions.deployment_id')
      .selectAll('revisions')
      .where('revisions.commons_id', '=', commonsId)
      .where('deployments.phase', '!=', 'failed')
      .orderBy('revisions.revision', 'desc')
      .limit(1)
      .executeTakeFirst()
      .then(checkRevision);
  }

  getDeployment: Store['getDeployment'] = (id) => this.db.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst().then(checkDeployment);

  getDeploymentByCommand: Store['getDeploymentByCommand'] = (commandId) =>
    this.db.selectFrom('deployments').selectAll().where('command_id', '=', commandId).executeTakeFirst().then(checkDeployment);

  listDeployments(filter: DeploymentFilter) {
    let q = this.db.selectFrom('deployments').selectAll();
    if (filter.commons) q = q.where('commons_id', '=', filter.commons);
    return q.orderBy('created_at', 'desc').orderBy('revision', 'desc').limit(filter.limit).execute().then(each(checkDeployment));
  }

  listDeploymentsInPhase: Store['listDeploymentsInPhase'] = (phase) =>
    this.db.selectFrom('deployments').selectAll().where('phase', '=', phase).orderBy('created_at').execute().then(each(checkDeployment));

  moveDeployment: Store['moveDeployment'] = (id, fromPhase, move, patch) =>
    this.db.transaction().execute(async (tx) => {
      const now = checkDeployment(await tx.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst());
      if (!now || now.phase !== fromPhase) return undefined;
      const phase = move.phase === undefined ? now.phase : DEPLOYMENT_PHASE.move(now.phase, move.phase);
      const gitops_state = move.gitops === undefined ? now.gitops_state : GITOPS.move(now.gitops_state, move.gitops);
      const row = await tx
        .updateTable('deployments')
        .set({ ...patch, phase, gitops_state })
        .where('id', '=', id)
        .where('phase', '=', now.phase)
        .where('gitops_state', '=', now.gitops_state)
        .returningAll()
        .executeTakeFirst();
      return checkDeployment(row);
    });

  listRevisions: Store['listRevisions'] = (commonsId) =>
    this.db.selectFrom('revisions').selectAll().where('commons_id', '=', commonsId).orderBy('revision', 'desc').execute().then(each(checkRevision));

  getRevision: Store['getRevision'] = (commonsId, revision) =>
    this.db.selectFrom('revisions').selectAll().where('commons_id', '=', commonsId).where('revision', '=', revision).executeTakeFirst().then(checkRevision);

  currentRevision: Store['currentRevision'] = (commonsId) => this.currentRevisionIn(this.db, commonsId);

  appendAudit: Store['appendAudit'] = async (entry) => {
    await this.db.insertInto('audit').values(entry).execute();
  };

  listAudit(filter: AuditFilter) {
    let q = this.db.selectFrom('audit').selectAll();
    if (filter.actor) q = q.where('actor', '=', filter.actor);
    if (filter.action) q = q.where('action', '=', filter.action);
    if (filter.commons) q = q.where('commons_id', '=', filter.commons);
    if (filter.since) q = q.where('at', '>=', filter.since);
    return q.orderBy('id', 'desc').limit(filter.limit).execute().then(each(checkAudit));
  }

  async close() {
    await this.db.destroy();
    this.releaseLock();
  }
}

/** The database and its WAL and shared-memory files: readable by this user only (they hold token hashes and audit history). */
const DB_FILES = ['dcoc.sqlite', 'dcoc.sqlite-wal', 'dcoc.sqlite-shm'];

/**
 * SQLite ends a transaction by itself on some errors (SQLITE_FULL, SQLITE_IOERR);
 * Kysely's ROLLBACK after that fails with "no transaction is active" and hides
 * the error that matters. A ROLLBACK with no transaction open is a no-op here.
 */
function keepingTransactionErrors(file: Sqlite.Database): SqliteDatabase {
  const noop = { reader: false, all: () => [], run: () => ({ changes: 0, lastInsertRowid: 0 }), iterate: () => [][Symbol.iterator]() };
  return {
    close: () => file.close(),
    prepare: (sql: string) => (/^\s*rollback\s*$/i.test(sql) && !file.inTransaction ? noop : file.prepare(sql)),
  };
}

export async function openEmbeddedStore(dataDir: string, opts: { minFreeBytes?: number } = {}): Promise<SqlStore> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const release = lockDataDir(dataDir);
  try {
    // Created 0600 before SQLite opens it; SQLite gives the WAL files the database's mode.
    closeSync(openSync(join(dataDir, DB_FILES[0]), 'a', 0o600));
    const file = new Sqlite(join(dataDir, DB_FILES[0]));
    file.pragma('journal_mode = WAL');
    file.pragma('synchronous = FULL');
    file.pragma('busy_timeout = 5000');
    for (const f of DB_FILES) if (existsSync(join(dataDir, f))) chmodSync(join(dataDir, f), 0o600);
    const store = new SqlStore(new Kysely<Database>({ dialect: new SqliteDialect({ database: keepingTransactionErrors(file) }) }), release, { handle: file, dir: dataDir, minFreeBytes: opts.minFreeBytes ?? 0 });
    await store.migrate();
    return store;
  } catch (e) {
    release();
    throw e;
  }
}

