// Upgrading (docs/operating.md, "Upgrade"): a store written by 0.1.0 (its
// schema is migrations 0001 to 0004) is brought to this build's schema when
// the new version starts, on SQLite and on PostgreSQL, and keeps every row.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { MIGRATION_NAMES, migrationsFor } from '../../backend/store/migrations';
import { openPostgresStore } from '../../backend/store/open-postgres';
import { openEmbeddedStore } from '../../backend/store/open-sqlite';
import type { Database } from '../../backend/store/schema';
import type { SqlStore } from '../../backend/store/sql-store';
import { createTestDatabase, skipWithoutPostgres } from '../support/postgres';

/** The schema 0.1.0 shipped: its last migration. */
const V0_1_0 = '0004_deployment_applied_by';
const at = '2026-12-01T00:00:00.000Z';

/** Writes what a 0.1.0 service would have: its schema and a commons, an agent, a command with its audit entry. */
async function writeAsV010(db: Kysely<Database>, engine: 'sqlite' | 'postgres'): Promise<void> {
  const { error } = await new Migrator({ db, provider: migrationsFor(engine) }).migrateTo(V0_1_0);
  if (error) throw error;
  await db.insertInto('commons').values({ id: 'midrc', name: 'MIDRC', hostname: 'data.midrc.org', environment: 'midrcprod', namespace: 'default', agent_id: 'agent-1', release: '2026.06', config_revision: 3, config_json: '{"A":"1"}', created_at: at, updated_at: at }).execute();
  await db.insertInto('agents').values({ id: 'agent-1', commons_id: 'midrc', hostname: 'data.midrc.org', version: '0.1.0', cert_serial: 'ab', prev_cert_serial: null, cert_not_after: at, revoked: 0, enrolled_at: at, last_seen: at, enrollment_token_id: 't1' }).execute();
  await db.insertInto('commands').values({ id: 'c-1', kind: 'restart', commons_id: 'midrc', service: 'fence', target_json: '{"restartedAt":"x"}', state: 'succeeded', message: 'done', percent: 100, actor: 'token:ops', created_at: at, updated_at: at, deadline: at, attempts: 1, result_json: null }).execute();
  await db.insertInto('audit').values({ at, actor: 'token:ops', actor_kind: 'token', role: 'operator', action: 'service.restart', commons_id: 'midrc', service: 'fence', detail_json: '{}', outcome: 'accepted', command_id: 'c-1' }).execute();
}

async function assertUpgraded(store: SqlStore): Promise<void> {
  assert.deepEqual(await store.appliedMigrations(), MIGRATION_NAMES);
  assert.equal((await store.getCommons('midrc'))?.config_revision, 3);
  assert.equal((await store.getAgent('agent-1'))?.cert_serial, 'ab');
  assert.equal((await store.getCommand('c-1'))?.state, 'succeeded');
  assert.deepEqual((await store.listAudit({ limit: 10 })).map((a) => a.action), ['service.restart']);
  // What the new migrations add works at once.
  await store.putCommonsLive({ commons_id: 'midrc', replica_id: 'r', connected: 1, live_json: '{}', updated_at: at });
  assert.equal((await store.listCommonsLive()).length, 1);
}

const postgresSkip = await skipWithoutPostgres();

describe('upgrading a 0.1.0 store', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  it('SQLite: migrated at start, every row kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-upgrade-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const old = new Kysely<Database>({ dialect: new SqliteDialect({ database: new Sqlite(join(dir, 'dcoc.sqlite')) }) });
    await writeAsV010(old, 'sqlite');
    await old.destroy();
    const store = await openEmbeddedStore(dir);
    cleanup.push(() => store.close());
    await assertUpgraded(store);
  });

  it('`dcoc-control migrate` upgrades it without serving, and refuses a newer schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-upgrade-cli-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const old = new Kysely<Database>({ dialect: new SqliteDialect({ database: new Sqlite(join(dir, 'dcoc.sqlite')) }) });
    await writeAsV010(old, 'sqlite');
    const migrate = () => spawnSync(process.execPath, ['--import', 'tsx', 'backend/main.ts', 'migrate'], { env: { ...process.env, DCOC_DATA_DIR: dir }, encoding: 'utf8' });
    let r = migrate();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`schema up to date \\(sqlite\\): ${MIGRATION_NAMES.length} of ${MIGRATION_NAMES.length} migrations, latest ${MIGRATION_NAMES.at(-1)}`));
    await old.insertInto('releases').values({ version: 'x', name: null, images_json: '{}', format: 'manifest', imported_by: 't', imported_at: at }).execute(); // still usable
    await old.destroy();
    const raw = new Sqlite(join(dir, 'dcoc.sqlite'));
    raw.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_newer', 'x')").run();
    raw.close();
    r = migrate();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /migrations this dcoc-control does not know \(9999_newer/);
  });

  it('PostgreSQL: migrated at start, every row kept', { skip: postgresSkip }, async () => {
    const db = await createTestDatabase('upgrade');
    cleanup.push(() => db.drop());
    const old = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: db.url, max: 1 }) }) });
    await writeAsV010(old, 'postgres');
    await old.destroy();
    const store = await openPostgresStore(db.url, { poolSize: 2 });
    cleanup.push(() => store.close());
    await assertUpgraded(store);
  });
});
