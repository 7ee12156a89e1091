// The store over Kysely: the same queries on SQLite (open-sqlite.ts) and
// PostgreSQL (open-postgres.ts); what differs between them is in StoreEngine.
import { type Insertable, type Kysely, Migrator, type Updateable, sql } from 'kysely';
import { type Engine, MIGRATION_NAMES, migrationsFor } from './migrations';
import { COMMAND, CONFIG_REVISION, DEPLOYMENT_PHASE, GITOPS, type CommandState } from '../../contracts/states';
import { PoliciesStore } from './policies-store';
import { checkAudit, checkCommand, checkCommandEvent, checkConfigRevision, checkDeployment, checkRevision, each } from './rows';
import { AuditStore } from './audit-store';
import { GroupsStore } from './groups-store';
import { WindowsStore } from './windows-store';
import { RolloutsStore } from './rollouts-store';
import { ReportStore } from './report-store';
import { TeamGrantsStore } from './team-grants-store';
import { BackupsStore } from './backups-store';
import { GroupCommit } from './group-commit';
import type { AgentsTable, CommandsTable, CommonsTable, ConfigRevisionsTable, Database, ReleasesTable } from './schema';
import {
  type AuditFilter,
  type CommandFilter,
  type CommonsRow,
  ConflictError,
  type ConsumeTokenResult,
  type DeploymentFilter,
  type NewAudit,
  type NewDeployment,
  type Store,
} from './store';

/** What differs between the databases the store runs on. */
export interface StoreEngine {
  kind: Engine;
  writable: Store['writable'];
  /**
   * Makes transactions that check something and then write on it run one at a
   * time per key, held to the end of `tx`. SQLite already runs one writer at a
   * time; PostgreSQL (read committed, several replicas) takes an advisory lock.
   */
  serialize(tx: Kysely<Database>, key: string): Promise<void>;
  /** After the connections are closed (releases the data directory's lock). */
  closed(): void;
}

/** The database was written by a newer dcoc-control than this one. */
export class SchemaTooNewError extends Error {
  constructor(newer: string[], latest: string | undefined) {
    super(
      `the database has migrations this dcoc-control does not know (${newer.join(', ')}; this build's latest is ${latest ?? 'none'}): ` +
        'it was upgraded by a newer version. Run that version (or newer), or restore a backup taken before the upgrade (docs/operating.md, "Upgrade")',
    );
  }
}

export class SqlStore implements Store {
  readonly groups: GroupsStore;
  readonly windows: WindowsStore;
  readonly rollouts: RolloutsStore;
  /** The audit hash chain: every audit row is written through it, never inserted into the table directly. */
  readonly auditLog: AuditStore;
  /** The queries behind the monthly change report. */
  readonly reports: ReportStore;
  readonly teamGrants: TeamGrantsStore;
  readonly backups: BackupsStore;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: StoreEngine,
  ) {
    this.auditLog = new AuditStore(db, (tx, key) => engine.serialize(tx, key));
    this.reports = new ReportStore(db);
    this.groups = new GroupsStore(db, (audit, write) => this.audited(audit, write));
    this.windows = new WindowsStore(db, (audit, write) => this.audited(audit, write));
    this.rollouts = new RolloutsStore(db, (audit, write) => this.audited(audit, write));
    this.teamGrants = new TeamGrantsStore(db, (audit, write) => this.audited(audit, write));
    this.backups = new BackupsStore(db);
  }

  get kind(): Engine {
    return this.engine.kind;
  }

  async getApprovalCommons(id: string): Promise<string | undefined> {
    return (await this.db.selectFrom('approvals').select('commons_id').where('id', '=', id).executeTakeFirst())?.commons_id;
  }

  /** Policies and approvals (backend/policies/). */
  get policies(): PoliciesStore {
    return new PoliciesStore(this.db, this.engine, (tx, entry) => this.auditLog.append(tx, entry));
  }

  writable: Store['writable'] = () => this.engine.writable();

  /** Runs `write` with its audit entry in one transaction; without one, as it is. */
  private audited<T>(audit: NewAudit | undefined, write: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (!audit) return write(this.db);
    return this.db.transaction().execute(async (tx) => {
      await this.auditLog.append(tx, audit);
      return write(tx);
    });
  }

  /**
   * Brings the schema up to this build's. A database written by a newer build
   * (a migration this one does not know) is refused before anything is changed:
   * running older code on it could lose what the newer one keeps.
   */
  async migrate(): Promise<void> {
    const newer = (await this.appliedMigrations()).filter((m) => !MIGRATION_NAMES.includes(m));
    if (newer.length) throw new SchemaTooNewError(newer, MIGRATION_NAMES[MIGRATION_NAMES.length - 1]);
    const { error } = await new Migrator({ db: this.db, provider: migrationsFor(this.engine.kind) }).migrateToLatest();
    if (error) throw error;
  }

  /** The migrations applied to this database, oldest first (none for a new one). */
  async appliedMigrations(): Promise<string[]> {
    const tables = await this.db.introspection.getTables({ withInternalKyselyTables: true });
    if (!tables.some((t) => t.name === 'kysely_migration')) return [];
    const rows = await sql<{ name: string }>`select name from kysely_migration order by timestamp, name`.execute(this.db);
    return rows.rows.map((r) => r.name);
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

  /** Live-state writes of commons (release, config revision) reported together share a transaction (group-commit.ts). */
  readonly commonsUpdates = new GroupCommit<{ id: string; patch: Updateable<CommonsTable> }, void>(
    (items) => this.db.transaction().execute(async (tx) => {
      for (const { id, patch } of items) await tx.updateTable('commons').set(patch).where('id', '=', id).execute();
      return items.map(() => undefined);
    }),
    async ({ id, patch }) => void (await this.db.updateTable('commons').set(patch).where('id', '=', id).execute()),
  );

  updateCommons: Store['updateCommons'] = (id, patch) => this.commonsUpdates.run({ id, patch });

  getCommons: Store['getCommons'] = (id) => this.db.selectFrom('commons').selectAll().where('id', '=', id).executeTakeFirst();

  listCommons: Store['listCommons'] = () => this.db.selectFrom('commons').selectAll().orderBy('id').execute();

  deleteCommons: Store['deleteCommons'] = async (id) => {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('commons_live').where('commons_id', '=', id).execute();
      await tx.deleteFrom('commons_labels').where('commons_id', '=', id).execute();
      await tx.deleteFrom('commons').where('id', '=', id).execute();
    });
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

  /** Hellos of agents connecting together share a transaction (group-commit.ts). */
  readonly hellos = new GroupCommit<HelloWrite, CommonsRow>(
    (items) => this.db.transaction().execute(async (tx) => {
      const rows: CommonsRow[] = [];
      for (const h of items) rows.push(await helloIn(tx, h));
      return rows;
    }),
    (h) => this.db.transaction().execute((tx) => helloIn(tx, h)),
  );

  agentHello: Store['agentHello'] = (commons, agentId, patch) => this.hellos.run({ commons, agentId, patch });

  touchAgents: Store['touchAgents'] = async (seen) => {
    const all = [...seen];
    // One UPDATE per chunk (a CASE over its ids), each its own short write, yielding between them: a
    // flush of 10,000 agents never holds the event loop (SQLite is synchronous) or the write lock for long.
    const CHUNK = 200;
    for (let i = 0; i < all.length; i += CHUNK) {
      if (i) await new Promise((resolve) => setImmediate(resolve));
      const part = all.slice(i, i + CHUNK);
      const cases = sql.join(part.map(([id, at]) => sql`when ${id} then ${at}`), sql` `);
      await this.db
        .updateTable('agents')
        .set({ last_seen: sql<string>`case id ${cases} else last_seen end` })
        .where('id', 'in', part.map(([id]) => id))
        .execute();
    }
    return all.length;
  };

  listDueCommands: Store['listDueCommands'] = (now) =>
    this.db.selectFrom('commands').selectAll().where('state', 'in', COMMAND.open).where('deadline', '<=', now).orderBy('deadline').execute().then(each(checkCommand));

  pruneCommands: Store['pruneCommands'] = (before, limit) =>
    this.db.transaction().execute(async (tx) => {
      // Finished before the cutoff, and nothing the app shows still points at it (a deployment, a backup, a config revision).
      const ids = (
        await tx
          .selectFrom('commands as c')
          .select('c.id')
          .where('c.state', 'in', COMMAND.final)
          .where('c.updated_at', '<', before)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('deployments as d')
                  .select('d.id')
                  .whereRef('d.command_id', '=', 'c.id')
                  .unionAll(selectFrom('backups as b').select('b.id').whereRef('b.command_id', '=', 'c.id'))
                  .unionAll(selectFrom('config_revisions as r').select('r.commons_id as id').whereRef('r.command_id', '=', 'c.id')),
              ),
            ),
          )
          // No ORDER BY: every row past the cutoff goes, and sorting them all would cost more than the batch (0.4 s at 1M).
          .limit(limit)
          .execute()
      ).map((r) => r.id);
      if (!ids.length) return { commands: 0, events: 0 };
      const events = await tx.deleteFrom('command_events').where('command_id', 'in', ids).executeTakeFirst();
      const commands = await tx.deleteFrom('commands').where('id', 'in', ids).executeTakeFirst();
      return { commands: Number(commands.numDeletedRows), events: Number(events.numDeletedRows) };
    });

  pruneEnrollmentTokens: Store['pruneEnrollmentTokens'] = async (before) => {
    const res = await this.db
      .deleteFrom('enrollment_tokens')
      .where(({ or, and, eb }) => or([and([eb('used_at', 'is not', null), eb('used_at', '<', before)]), and([eb('used_at', 'is', null), eb('expires_at', '<', before)])]))
      .executeTakeFirst();
    return Number(res.numDeletedRows);
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
        await this.engine.serialize(tx, `config-revision:${configRevision.commons_id}`);
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
      await this.auditLog.append(tx, audit);
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
    if (filter.commonsIn?.length === 0) return Promise.resolve([]);
    let q = this.db.selectFrom('commands').selectAll();
    if (filter.commons) q = q.where('commons_id', '=', filter.commons);
    if (filter.commonsIn) q = q.where('commons_id', 'in', [...filter.commonsIn]);
    if (filter.states?.length) q = q.where('state', 'in', filter.states);
    if (filter.since) q = q.where('updated_at', '>=', filter.since);
    return q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).execute().then(each(checkCommand));
  }

  countCommandsByState: Store['countCommandsByState'] = async ({ states, from, to, commonsIn }) => {
    if (!states.length || commonsIn?.length === 0) return [];
    let q = this.db
      .selectFrom('commands')
      .select((eb) => ['commons_id', 'state', eb.fn.countAll<string | number>().as('n')])
      .where('state', 'in', [...states])
      .where('updated_at', '>=', from)
      .where('updated_at', '<=', to);
    if (commonsIn) q = q.where('commons_id', 'in', [...commonsIn]);
    const rows = await q.groupBy(['commons_id', 'state']).execute();
    return rows.map((r) => ({ commons: r.commons_id, state: r.state as CommandState, count: Number(r.n) }));
  };

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
      await this.engine.serialize(tx, `release:${row.version}`);
      const taken = await tx.selectFrom('releases').select('version').where('version', '=', row.version).executeTakeFirst();
      if (taken) throw new ConflictError(`release ${row.version} was already imported`);
      await this.auditLog.append(tx, audit);
      return tx.insertInto('releases').values(row).returningAll().executeTakeFirstOrThrow();
    });
  }

  listReleases: Store['listReleases'] = () => this.db.selectFrom('releases').selectAll().orderBy('version', 'desc').execute();

  async createDeployment(d: NewDeployment) {
    return this.db.transaction().execute(async (tx) => {
      const commonsId = d.deployment.commons_id;
      await this.engine.serialize(tx, `deployments:${commonsId}`);
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
      await this.auditLog.append(tx, d.audit);
      const revision = checkRevision(await tx.insertInto('revisions').values({ ...d.revision, revision: n }).returningAll().executeTakeFirstOrThrow());
      const deployment = checkDeployment(await tx.insertInto('deployments').values({ ...d.deployment, revision: n }).returningAll().executeTakeFirstOrThrow());
      await d.link?.(tx, { deploymentId: deployment.id, revision: n, baseRevision: base?.revision ?? null });
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
    if (filter.commonsIn?.length === 0) return Promise.resolve([]);
    let q = this.db.selectFrom('deployments').selectAll();
    if (filter.commons) q = q.where('commons_id', '=', filter.commons);
    if (filter.commonsIn) q = q.where('commons_id', 'in', [...filter.commonsIn]);
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

  putCommonsLive: Store['putCommonsLive'] = async (row) => {
    const { commons_id: _id, ...rest } = row;
    await this.db
      .insertInto('commons_live')
      .values(row)
      .onConflict((oc) => {
        const update = oc.column('commons_id').doUpdateSet(rest);
        return row.connected ? update : update.where('commons_live.replica_id', '=', row.replica_id);
      })
      .execute();
  };

  listCommonsLive: Store['listCommonsLive'] = (ids) => {
    let q = this.db.selectFrom('commons_live').selectAll();
    if (ids) {
      if (!ids.length) return Promise.resolve([]);
      q = q.where('commons_id', 'in', ids);
    }
    return q.execute();
  };

  appendAudit: Store['appendAudit'] = async (entry) => {
    await this.auditLog.appendAlone(entry);
  };

  listAudit(filter: AuditFilter) {
    if (filter.commonsIn?.length === 0) return Promise.resolve([]);
    let q = this.db.selectFrom('audit').selectAll();
    if (filter.commonsIn) q = q.where('commons_id', 'in', [...filter.commonsIn]);
    if (filter.actor) q = q.where('actor', '=', filter.actor);
    if (filter.action) q = q.where('action', '=', filter.action);
    if (filter.commons) q = q.where('commons_id', '=', filter.commons);
    if (filter.since) q = q.where('at', '>=', filter.since);
    return q.orderBy('id', 'desc').limit(filter.limit).execute().then(each(checkAudit));
  }

  async close() {
    await this.db.destroy();
    this.engine.closed();
  }
}

interface HelloWrite {
  commons: Insertable<CommonsTable>;
  agentId: string;
  patch: Updateable<AgentsTable>;
}

/** An agent's hello: its commons upserted and its binding to it, inside the caller's transaction. */
async function helloIn(tx: Kysely<Database>, { commons, agentId, patch }: HelloWrite): Promise<CommonsRow> {
  const { id: _id, created_at: _created, ...rest } = commons;
  const row = await tx.insertInto('commons').values(commons).onConflict((oc) => oc.column('id').doUpdateSet(rest)).returningAll().executeTakeFirstOrThrow();
  await tx.updateTable('agents').set(patch).where('id', '=', agentId).execute();
  return row;
}
