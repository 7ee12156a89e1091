// One schema and one set of migrations for every database DCOC runs on.
// Two things differ by engine, and only in how a column is declared: an
// auto-numbered id (SQLite AUTOINCREMENT, PostgreSQL serial) and text, which
// on PostgreSQL sorts bytewise (collate "C") as SQLite's BINARY does, so lists
// come back in the same order on both.
import { GENESIS_HASH, auditHash } from '../audit/chain';
import type { Database } from './schema';
import { type ColumnDataType, type ColumnDefinitionBuilder, type Expression, type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

export type Engine = 'sqlite' | 'postgres';

interface Types {
  text: ColumnDataType | Expression<unknown>;
  /** An auto-numbered integer primary key. */
  autoId: [ColumnDataType, (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder];
}

const TYPES: Record<Engine, Types> = {
  sqlite: { text: 'text', autoId: ['integer', (c) => c.primaryKey().autoIncrement()] },
  postgres: { text: sql`text collate "C"`, autoId: ['serial', (c) => c.primaryKey()] },
};

const initial = ({ text, autoId }: Types): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('commons')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('hostname', text, (c) => c.notNull())
      .addColumn('environment', text, (c) => c.notNull())
      .addColumn('namespace', text, (c) => c.notNull())
      .addColumn('agent_id', text)
      .addColumn('release', text, (c) => c.notNull().defaultTo(''))
      .addColumn('config_revision', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('config_json', text, (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('agents')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('commons_id', text)
      .addColumn('hostname', text, (c) => c.notNull())
      .addColumn('version', text, (c) => c.notNull())
      .addColumn('cert_serial', text, (c) => c.notNull())
      .addColumn('cert_not_after', text, (c) => c.notNull())
      .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('enrolled_at', text, (c) => c.notNull())
      .addColumn('last_seen', text)
      .addColumn('enrollment_token_id', text, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('enrollment_tokens')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('token_hash', text, (c) => c.notNull().unique())
      .addColumn('description', text, (c) => c.notNull())
      .addColumn('created_by', text, (c) => c.notNull())
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('expires_at', text, (c) => c.notNull())
      .addColumn('used_at', text)
      .addColumn('used_by_agent', text)
      .execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('token_hash', text, (c) => c.notNull().unique())
      .addColumn('role', text, (c) => c.notNull())
      .addColumn('created_by', text, (c) => c.notNull())
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('expires_at', text)
      .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('commands')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('kind', text, (c) => c.notNull())
      .addColumn('commons_id', text, (c) => c.notNull())
      .addColumn('service', text)
      .addColumn('target_json', text, (c) => c.notNull())
      .addColumn('state', text, (c) => c.notNull())
      .addColumn('message', text, (c) => c.notNull())
      .addColumn('percent', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('actor', text, (c) => c.notNull())
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .addColumn('deadline', text, (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('result_json', text)
      .execute();
    await db.schema.createIndex('commands_commons_created').on('commands').columns(['commons_id', 'created_at']).execute();
    await db.schema.createIndex('commands_state').on('commands').column('state').execute();

    await db.schema
      .createTable('command_events')
      .addColumn('id', ...autoId)
      .addColumn('command_id', text, (c) => c.notNull())
      .addColumn('at', text, (c) => c.notNull())
      .addColumn('state', text, (c) => c.notNull())
      .addColumn('message', text, (c) => c.notNull())
      .addColumn('percent', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('command_events_command').on('command_events').column('command_id').execute();

    await db.schema
      .createTable('audit')
      .addColumn('id', ...autoId)
      .addColumn('at', text, (c) => c.notNull())
      .addColumn('actor', text, (c) => c.notNull())
      .addColumn('actor_kind', text, (c) => c.notNull())
      .addColumn('role', text)
      .addColumn('action', text, (c) => c.notNull())
      .addColumn('commons_id', text)
      .addColumn('service', text)
      .addColumn('detail_json', text, (c) => c.notNull())
      .addColumn('outcome', text, (c) => c.notNull())
      .addColumn('command_id', text)
      .execute();
    await db.schema.createIndex('audit_at').on('audit').column('at').execute();

    await db.schema
      .createTable('config_revisions')
      .addColumn('commons_id', text, (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('data_json', text, (c) => c.notNull())
      .addColumn('author', text, (c) => c.notNull())
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('command_id', text)
      .addColumn('state', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('config_revisions_pk', ['commons_id', 'revision'])
      .execute();
  },
});

const deployments = ({ text }: Types): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('releases')
      .addColumn('version', text, (c) => c.primaryKey())
      .addColumn('name', text)
      .addColumn('images_json', text, (c) => c.notNull())
      .addColumn('format', text, (c) => c.notNull())
      .addColumn('imported_by', text, (c) => c.notNull())
      .addColumn('imported_at', text, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('revisions')
      .addColumn('commons_id', text, (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('values_json', text, (c) => c.notNull())
      .addColumn('release', text, (c) => c.notNull())
      .addColumn('template', text, (c) => c.notNull())
      .addColumn('profile', text, (c) => c.notNull())
      .addColumn('overrides_json', text, (c) => c.notNull())
      .addColumn('kind', text, (c) => c.notNull())
      .addColumn('rollback_of', 'integer')
      .addColumn('base_revision', 'integer')
      .addColumn('base_source', text, (c) => c.notNull())
      .addColumn('diff_json', text, (c) => c.notNull())
      .addColumn('diff_text', text, (c) => c.notNull())
      .addColumn('author', text, (c) => c.notNull())
      .addColumn('reason', text, (c) => c.notNull())
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('deployment_id', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('revisions_pk', ['commons_id', 'revision'])
      .execute();

    await db.schema
      .createTable('deployments')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('commons_id', text, (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('kind', text, (c) => c.notNull())
      .addColumn('phase', text, (c) => c.notNull())
      .addColumn('message', text, (c) => c.notNull())
      .addColumn('command_id', text, (c) => c.notNull().unique())
      .addColumn('gitops_state', text, (c) => c.notNull())
      .addColumn('gitops_path', text)
      .addColumn('gitops_commit', text)
      .addColumn('plan_services_json', text, (c) => c.notNull())
      .addColumn('actor', text, (c) => c.notNull())
      .addColumn('actor_kind', text, (c) => c.notNull())
      .addColumn('role', text, (c) => c.notNull())
      .addColumn('author_name', text, (c) => c.notNull())
      .addColumn('author_email', text, (c) => c.notNull())
      .addColumn('reason', text, (c) => c.notNull())
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('deployments_commons_created').on('deployments').columns(['commons_id', 'created_at']).execute();
    await db.schema.createIndex('deployments_phase').on('deployments').column('phase').execute();
  },
});

// The certificate an agent renewed from stays valid only until the new one is first used.
const agentCertRotation = ({ text }: Types): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('agents').addColumn('prev_cert_serial', text).execute();
  },
});

// Who applies a deployment in the cluster: the agent, or ArgoCD syncing the
// GitOps commit (the agent only follows); and the services a config change
// restarts once it is applied (they read the changed keys as env at start).
const deploymentAppliedBy = ({ text }: Types): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('deployments').addColumn('applied_by', text, (c) => c.notNull().defaultTo('agent')).execute();
    await db.schema.alterTable('deployments').addColumn('restart_after_json', text, (c) => c.notNull().defaultTo('[]')).execute();
  },
});

// Several replicas on one PostgreSQL: the replica holding a commons' agent
// writes its live state here for the others (backend/cluster/live-sync.ts).
const commonsLive = ({ text }: Types): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('commons_live')
      .addColumn('commons_id', text, (c) => c.primaryKey())
      .addColumn('replica_id', text, (c) => c.notNull())
      .addColumn('connected', 'integer', (c) => c.notNull())
      .addColumn('live_json', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();
  },
});

// Labels on commons and saved groups of commons (a label selector with a name).
const groups = ({ text }: Types): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('commons_labels')
      .addColumn('commons_id', text, (c) => c.notNull())
      .addColumn('key', text, (c) => c.notNull())
      .addColumn('value', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('commons_labels_pk', ['commons_id', 'key'])
      .execute();
    await db.schema
      .createTable('groups')
      .addColumn('name', text, (c) => c.primaryKey())
      .addColumn('description', text, (c) => c.notNull())
      .addColumn('selector_json', text, (c) => c.notNull())
      .addColumn('updated_by', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();
  },
});

// Policies per group, and approvals: a change held until someone else approves it (backend/policies/).
const policies = ({ text }: Types): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('policies')
      .addColumn('name', text, (c) => c.primaryKey())
      .addColumn('group_name', text, (c) => c.notNull())
      .addColumn('description', text, (c) => c.notNull().defaultTo(''))
      .addColumn('rules_json', text, (c) => c.notNull())
      .addColumn('updated_by', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('policies_group').on('policies').column('group_name').execute();
    await db.schema
      .createTable('approvals')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('kind', text, (c) => c.notNull())
      .addColumn('commons_id', text, (c) => c.notNull())
      .addColumn('state', text, (c) => c.notNull())
      .addColumn('requester', text, (c) => c.notNull())
      .addColumn('requester_kind', text, (c) => c.notNull())
      .addColumn('requester_role', text, (c) => c.notNull())
      .addColumn('requester_owner', text)
      .addColumn('reason', text, (c) => c.notNull())
      .addColumn('summary', text, (c) => c.notNull())
      .addColumn('release', text)
      .addColumn('request_json', text, (c) => c.notNull())
      .addColumn('policies_json', text, (c) => c.notNull())
      .addColumn('approver_role', text, (c) => c.notNull())
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('expires_at', text, (c) => c.notNull())
      .addColumn('decided_by', text)
      .addColumn('decided_at', text)
      .addColumn('decision_reason', text)
      .addColumn('consumed_at', text)
      .addColumn('result_json', text)
      .addColumn('error', text)
      .execute();
    await db.schema.createIndex('approvals_state').on('approvals').columns(['state', 'expires_at']).execute();
  },
});

// Maintenance and deny windows, and the runs of maintenance windows (one per occurrence, keyed so it starts once).
const windows = ({ text }: Types): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('windows')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('kind', text, (c) => c.notNull())
      .addColumn('spec_json', text, (c) => c.notNull())
      .addColumn('created_by', text, (c) => c.notNull())
      .addColumn('author_json', text, (c) => c.notNull())
      .addColumn('updated_by', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .addColumn('deleted_at', text)
      .execute();
    await db.schema
      .createTable('window_runs')
      .addColumn('window_id', text, (c) => c.notNull())
      .addColumn('starts_at', text, (c) => c.notNull())
      .addColumn('ends_at', text, (c) => c.notNull())
      .addColumn('state', text, (c) => c.notNull())
      .addColumn('started_at', text, (c) => c.notNull())
      .addColumn('ended_at', text)
      .addColumn('late', 'integer', (c) => c.notNull())
      .addColumn('commons_json', text, (c) => c.notNull())
      .addColumn('silence_ids_json', text, (c) => c.notNull())
      .addColumn('maintenance_json', text, (c) => c.notNull())
      .addColumn('results_json', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('window_runs_pk', ['window_id', 'starts_at'])
      .execute();
    await db.schema.createIndex('window_runs_state').on('window_runs').column('state').execute();
  },
});

// Progressive rollouts: one row per rollout, one per commons it targets with
// that commons' state and the deployment it made (written in the deployment's
// own transaction, so a restart never deploys a commons twice).
const rollouts = ({ text }: Types): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('rollouts')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('state', text, (c) => c.notNull())
      .addColumn('message', text, (c) => c.notNull())
      .addColumn('target_json', text, (c) => c.notNull())
      .addColumn('change_json', text, (c) => c.notNull())
      .addColumn('max_in_flight', 'integer', (c) => c.notNull())
      .addColumn('soak_seconds', 'integer', (c) => c.notNull())
      .addColumn('reason', text, (c) => c.notNull())
      .addColumn('actor', text, (c) => c.notNull())
      .addColumn('actor_kind', text, (c) => c.notNull())
      .addColumn('role', text)
      .addColumn('failure_json', text)
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('rollout_targets')
      .addColumn('rollout_id', text, (c) => c.notNull())
      .addColumn('commons_id', text, (c) => c.notNull())
      .addColumn('wave', 'integer', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('state', text, (c) => c.notNull())
      .addColumn('message', text, (c) => c.notNull())
      .addColumn('deployment_id', text)
      .addColumn('from_revision', 'integer')
      .addColumn('to_revision', 'integer')
      .addColumn('rollback_deployment_id', text)
      .addColumn('soak_since', text)
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('rollout_targets_pk', ['rollout_id', 'commons_id'])
      .execute();
  },
});

// Scoped roles: a DCOC role granted to a Grafana team (name or id) on a saved group's commons.
const teamGrants = ({ text }: Types): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('team_grants')
      .addColumn('team', text, (c) => c.notNull())
      .addColumn('group_name', text, (c) => c.notNull())
      .addColumn('role', text, (c) => c.notNull())
      .addColumn('updated_by', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('team_grants_pk', ['team', 'group_name'])
      .execute();
  },
});

// Gen3 database backups: one row per backup (its command carries state, size and
// result), keyed so a scheduled occurrence starts once; and each commons' schedule.
const backups = ({ text }: Types): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('backups')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('commons_id', text, (c) => c.notNull())
      .addColumn('command_id', text, (c) => c.notNull())
      .addColumn('trigger', text, (c) => c.notNull())
      .addColumn('requested_by', text, (c) => c.notNull())
      .addColumn('databases_json', text, (c) => c.notNull())
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('occurrence', text)
      .addColumn('note', text)
      .execute();
    await db.schema.createIndex('backups_commons_created').on('backups').columns(['commons_id', 'created_at']).execute();
    await db.schema.createIndex('backups_occurrence').on('backups').columns(['commons_id', 'occurrence']).unique().execute();
    await db.schema
      .createTable('backup_schedules')
      .addColumn('commons_id', text, (c) => c.primaryKey())
      .addColumn('cron', text, (c) => c.notNull())
      .addColumn('time_zone', text, (c) => c.notNull())
      .addColumn('databases_json', text)
      .addColumn('author_json', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();
  },
});

// A hash chain over the audit log (backend/audit/chain.ts): the rows already
// there are chained in the order they were written (by id), from the genesis hash.
const auditChain = ({ text }: Types): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('audit').addColumn('seq', 'integer').execute();
    await db.schema.alterTable('audit').addColumn('prev_hash', text).execute();
    await db.schema.alterTable('audit').addColumn('hash', text).execute();
    await db.schema
      .createTable('audit_chain')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('start_seq', 'integer', (c) => c.notNull())
      .addColumn('start_hash', text, (c) => c.notNull())
      .addColumn('pruned', 'integer', (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();
    const d = db as unknown as Kysely<Database>;
    await d.insertInto('audit_chain').values({ id: 1, start_seq: 0, start_hash: GENESIS_HASH, pruned: 0, updated_at: new Date().toISOString() }).execute();
    let prev = GENESIS_HASH;
    let seq = 0;
    let afterId = 0;
    for (;;) {
      const rows = await d.selectFrom('audit').selectAll().where('id', '>', afterId).orderBy('id').limit(1000).execute();
      if (!rows.length) break;
      for (const r of rows) {
        seq++;
        const hash = auditHash({ ...r, seq }, prev);
        await d.updateTable('audit').set({ seq, prev_hash: prev, hash }).where('id', '=', r.id).execute();
        prev = hash;
        afterId = r.id;
      }
    }
    await db.schema.createIndex('audit_seq').on('audit').column('seq').unique().execute();
  },
});

// The deadline sweep reads only the open commands whose deadline has passed
// (state, deadline), and command retention finds finished commands by age
// (state, updated_at), skipping those a deployment, backup or config revision points
// at (looked up by command_id; deployments.command_id is unique, so indexed
// already), instead of scanning the tables.
const commandSweepIndexes = (): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('commands_state_deadline').on('commands').columns(['state', 'deadline']).execute();
    await db.schema.createIndex('commands_state_updated').on('commands').columns(['state', 'updated_at']).execute();
    await db.schema.createIndex('backups_command').on('backups').column('command_id').execute();
    await db.schema.createIndex('config_revisions_command').on('config_revisions').column('command_id').execute();
  },
});

const ALL = { '0001_initial': initial, '0002_deployments': deployments, '0003_agent_cert_rotation': agentCertRotation, '0004_deployment_applied_by': deploymentAppliedBy, '0005_commons_live': commonsLive, '0006_groups': groups, '0007_team_grants': teamGrants, '0008_rollouts': rollouts, '0009_windows': windows, '0010_policies': policies, '0011_backups': backups, '0012_audit_chain': auditChain, '0013_command_sweep_indexes': commandSweepIndexes };

/** The names of the migrations this build knows, oldest first. */
export const MIGRATION_NAMES = Object.keys(ALL);

export function migrationsFor(engine: Engine): MigrationProvider {
  const types = TYPES[engine];
  return { getMigrations: () => Promise.resolve(Object.fromEntries(Object.entries(ALL).map(([name, m]) => [name, m(types)]))) };
}
