// The audit hash chain in the store, on SQLite and PostgreSQL: every entry the
// store writes is chained; the migration chains the entries already there;
// retention prunes the oldest and the rest still verifies; `dcoc-control audit
// verify`, run as a process, names an entry edited with SQL and exits 1; two
// replicas writing at once on one PostgreSQL keep one linear chain.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { auditEntry } from '../../backend/audit/record';
import { AuditRetention } from '../../backend/audit/retention';
import { createLogger } from '../../lib/logger';
import { verifyChain } from '../../backend/audit/verify';
import { migrationsFor } from '../../backend/store/migrations';
import { openPostgresStore } from '../../backend/store/open-postgres';
import { openEmbeddedStore } from '../../backend/store/open-sqlite';
import type { Database } from '../../backend/store/schema';
import type { SqlStore } from '../../backend/store/sql-store';
import { createTestDatabase, skipWithoutPostgres } from '../support/postgres';
import { raw } from '../support/store-engines';

const ROOT = resolve(import.meta.dirname, '../..');
const system = { actor: 'system:test', kind: 'system' as const };

function entry(i: number, at = new Date().toISOString()) {
  return { ...auditEntry(system, { action: 'service.restart', outcome: 'accepted', commons: 'midrc', service: 'fence', detail: { i } }), at };
}

async function verifyStore(store: SqlStore) {
  return verifyChain(store.auditLog.chain(), { start: await store.auditLog.start() });
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function auditCli(args: string[], env: Record<string, string>): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DCOC_'))) as Record<string, string>;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'backend/main.ts', 'audit', ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

interface Opened {
  store: SqlStore;
  /** The settings `dcoc-control` needs to find this store. */
  env: Record<string, string>;
}

interface Engine {
  name: 'sqlite' | 'postgres';
  skip: false | string;
  /** A store with the schema up to `upTo` (written with `seed`) before it is opened and migrated to the latest. */
  open(seed?: { upTo: string; write: (db: Kysely<Database>) => Promise<void> }): Promise<Opened>;
  cleanup(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

const sqlite: Engine = {
  name: 'sqlite',
  skip: false,
  async open(seed) {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-auditchain-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    if (seed) {
      const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new Sqlite(join(dir, 'dcoc.sqlite')) }) });
      const { error } = await new Migrator({ db, provider: migrationsFor('sqlite') }).migrateTo(seed.upTo);
      if (error) throw error;
      await seed.write(db);
      await db.destroy();
    }
    const store = await openEmbeddedStore(dir);
    cleanups.push(() => store.close());
    return { store, env: { DCOC_DATA_DIR: dir } };
  },
  cleanup: () => Promise.resolve(),
};

const postgresSkip = await skipWithoutPostgres();
const postgres: Engine = {
  name: 'postgres',
  skip: postgresSkip,
  async open(seed) {
    const tdb = await createTestDatabase('auditchain');
    cleanups.push(() => tdb.drop());
    if (seed) {
      const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: tdb.url, max: 1 }) }) });
      const { error } = await new Migrator({ db, provider: migrationsFor('postgres') }).migrateTo(seed.upTo);
      if (error) throw error;
      await seed.write(db);
      await db.destroy();
    }
    const store = await openPostgresStore(tdb.url, { poolSize: 4 });
    cleanups.push(() => store.close());
    return { store, env: { DCOC_DATABASE_URL: tdb.url } };
  },
  cleanup: () => Promise.resolve(),
};

for (const engine of [sqlite, postgres]) {
  describe(`the audit chain on ${engine.name}`, { skip: engine.skip }, () => {

    it('chains every entry the store writes, in order, from the genesis', async () => {
      const { store } = await engine.open();
      await store.appendAudit(entry(1));
      await store.putApiToken({ id: 'tok-1', name: 'ops', token_hash: 'h1', role: 'operator', created_by: 'x', created_at: new Date().toISOString(), revoked: 0 }, entry(2));
      await store.appendAudit(entry(3));
      const rows = [];
      for await (const r of store.auditLog.chain()) rows.push(r);
      assert.deepEqual(rows.map((r) => r.seq), [1, 2, 3]);
      const v = await verifyStore(store);
      assert.deepEqual(v.findings, []);
      assert.deepEqual(v.head, await store.auditLog.head());
    });

    it('the migration chains the entries written before it, in the order they were written', async () => {
      const { store } = await engine.open({
        upTo: '0006_groups',
        write: async (db) => {
          for (let i = 0; i < 3; i++) await db.insertInto('audit').values(entry(i, `2026-0${i + 1}-01T00:00:00.000Z`)).execute();
        },
      });
      await store.appendAudit(entry(3));
      const v = await verifyStore(store);
      assert.deepEqual(v.findings, []);
      assert.equal(v.checked, 4);
      const rows = await store.listAudit({ limit: 10 });
      assert.deepEqual(rows.map((r) => [r.seq, JSON.parse(r.detail_json).i]), [[4, 3], [3, 2], [2, 1], [1, 0]]);
    });

    it('retention prunes the oldest entries in batches, moves the checkpoint, and the rest still verifies', async () => {
      const { store } = await engine.open();
      const old = '2025-01-01T00:00:00.000Z';
      for (let i = 0; i < 5; i++) await store.appendAudit(entry(i, old));
      await store.appendAudit(entry(5, '2026-12-01T00:00:00.000Z'));
      await store.appendAudit(entry(6, old)); // old, but after a young one: kept (no gap)
      const now = '2026-12-02T00:00:00.000Z';
      assert.equal(await store.auditLog.pruneBefore('2026-01-01T00:00:00.000Z', 3, now), 3);
      assert.equal(await store.auditLog.pruneBefore('2026-01-01T00:00:00.000Z', 3, now), 2);
      assert.equal(await store.auditLog.pruneBefore('2026-01-01T00:00:00.000Z', 3, now), 0);
      const start = await store.auditLog.start();
      assert.equal(start.seq, 5);
      const v = await verifyStore(store);
      assert.deepEqual(v.findings, []);
      assert.equal(v.checked, 2);
      // A new entry after pruning continues the chain.
      await store.appendAudit(entry(7));
      assert.deepEqual((await verifyStore(store)).findings, []);
      assert.equal((await store.auditLog.head()).seq, 8);
    });

    it('the retention sweep prunes entries past DCOC_AUDIT_RETENTION_DAYS, audits that it did, and 0 keeps everything', async () => {
      const { store } = await engine.open();
      const now = Date.parse('2026-12-01T00:00:00.000Z');
      for (let i = 0; i < 7; i++) await store.appendAudit(entry(i, new Date(now - (40 - i) * 86_400_000).toISOString()));
      await store.appendAudit(entry(7, new Date(now - 86_400_000).toISOString()));
      const log = createLogger('test', 'error');
      assert.equal(await new AuditRetention(store.auditLog, { days: 0 }, log).sweep(now), 0);
      // 30 days: the 7 entries 34 to 40 days old go, in batches of 3.
      assert.equal(await new AuditRetention(store.auditLog, { days: 30, batch: 3 }, log).sweep(now), 7);
      const kept = await store.listAudit({ limit: 10 });
      assert.deepEqual(kept.map((r) => r.action), ['audit.prune', 'service.restart']);
      assert.deepEqual(JSON.parse(kept[0].detail_json).pruned, 7);
      const v = await verifyStore(store);
      assert.deepEqual(v.findings, []);
      assert.equal(v.checked, 2);
      assert.equal((await store.auditLog.start()).seq, 7);
    });

    it('`dcoc-control audit verify` passes an intact log, then names a row edited with SQL and exits 1', async () => {
      const { store, env } = await engine.open();
      for (let i = 0; i < 4; i++) await store.appendAudit(entry(i));
      let r = await auditCli(['verify'], env);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /audit chain intact: 4 entries checked \(seq 1–4\)/);
      const head = /head (\d+:[0-9a-f]{64})/.exec(r.stdout)?.[1];
      assert.ok(head, r.stdout);

      const victim = (await store.listAudit({ limit: 10 })).find((a) => JSON.parse(a.detail_json).i === 1)!;
      await raw(store, `update audit set actor = 'mallory@example.org' where id = ${victim.id}`);
      r = await auditCli(['verify', '--expect-head', head], env);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`EDITED: audit entry id ${victim.id} \\(seq 2, at [^,]+, actor mallory@example.org, action service.restart\\)`));
      assert.match(r.stdout, /audit chain BROKEN: 1 finding/);

      const gone = (await store.listAudit({ limit: 10 })).find((a) => JSON.parse(a.detail_json).i === 2)!;
      await raw(store, `delete from audit where id = ${gone.id}`);
      await raw(store, `insert into audit (at, actor, actor_kind, role, action, commons_id, service, detail_json, outcome, command_id) values ('2026-12-01T00:00:00.000Z', 'ghost', 'system', null, 'x', null, null, '{}', 'accepted', null)`);
      r = await auditCli(['verify'], env);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /DELETED: 1 entry \(seq 3\) between entry id \d+ \(seq 2.* and entry id \d+ \(seq 4/);
      assert.match(r.stdout, /INSERTED: audit entry id \d+ \(seq none, .*actor ghost/);

      // The anchor shows the newest entry deleted, which leaves no gap.
      await raw(store, `delete from audit where seq = 4`);
      r = await auditCli(['verify', '--from', '1', '--expect-head', head], env);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /ANCHOR: the expected head 4:/);
    });

    it('`dcoc-control audit export` writes JSON Lines with seq and hash; usage errors exit 2', async () => {
      const { store, env } = await engine.open();
      for (let i = 0; i < 3; i++) await store.appendAudit(entry(i));
      const r = await auditCli(['export', '--format', 'jsonl'], env);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { seq: number; hash: string });
      assert.deepEqual(lines.map((l) => l.seq), [1, 2, 3]);
      assert.match(r.stderr, new RegExp(`audit head 3:${lines[2].hash}`));
      assert.equal((await auditCli(['export', '--format', 'xml'], env)).code, 2);
      assert.equal((await auditCli(['verify', '--expect-head', 'nope'], env)).code, 2);
    });
  });
}


describe('two replicas on one PostgreSQL', { skip: postgresSkip }, () => {
  it('writing audit entries at once keep one linear, verifiable chain', async () => {
    const tdb = await createTestDatabase('auditrace');
    cleanups.push(() => tdb.drop());
    // Two stores with pools of their own: what two control service replicas hold.
    const a = await openPostgresStore(tdb.url, { poolSize: 4 });
    const b = await openPostgresStore(tdb.url, { poolSize: 4 });
    cleanups.push(() => a.close(), () => b.close());
    const writes = [];
    for (let i = 0; i < 40; i++) {
      writes.push(a.appendAudit(entry(i)));
      writes.push(b.putApiToken({ id: `t-${i}`, name: 'n', token_hash: `h-${i}`, role: 'viewer', created_by: 'x', created_at: new Date().toISOString(), revoked: 0 }, entry(100 + i)));
    }
    await Promise.all(writes);
    const v = await verifyStore(a);
    assert.deepEqual(v.findings, []);
    assert.equal(v.checked, 80);
    assert.equal(v.head.seq, 80);
  });
});
