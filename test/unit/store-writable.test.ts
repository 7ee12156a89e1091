// Store.writable() (what /readyz asks): true while the service's own
// transaction is open between two awaits (the probe must not mistake its own
// write lock for a fault), false while another process holds the lock
// (SQLite) or the database turns read-only (PostgreSQL).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../../backend/store/schema';
import { openEmbeddedStore } from '../../backend/store/open-sqlite';
import type { SqlStore } from '../../backend/store/sql-store';
import { createTestDatabase, skipWithoutPostgres } from '../support/postgres';
import { openPostgresStore } from '../../backend/store/open-postgres';
import pg from 'pg';

describe('the store probe (sqlite)', () => {
  let dir: string;
  let store: SqlStore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dcoc-writable-'));
    store = await openEmbeddedStore(dir);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is writable while one of its own transactions is open', async () => {
    // A request's transaction awaits between statements; /readyz can run in that gap. Kysely is the store's own.
    const db = (store as unknown as { db: Kysely<Database> }).db;
    const probed = await db.transaction().execute(async (tx) => {
      await tx.insertInto('releases').values({ version: '2026.11', name: null, images_json: '{}', format: 'manifest', imported_by: 'x', imported_at: new Date().toISOString() }).execute();
      return store.writable();
    });
    assert.deepEqual(probed, { ok: true });
    assert.deepEqual(await store.writable(), { ok: true });
  });

  it('is not writable while another process holds the write lock', async () => {
    const other = new Sqlite(join(dir, 'dcoc.sqlite'));
    try {
      other.exec('BEGIN IMMEDIATE');
      const r = await store.writable();
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.reason, /locked/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    assert.deepEqual(await store.writable(), { ok: true });
  });
});

const ownTransaction = (store: SqlStore) =>
  (store as unknown as { db: Kysely<Database> }).db.transaction().execute(async (tx) => {
    await tx.insertInto('releases').values({ version: '2026.12', name: null, images_json: '{}', format: 'manifest', imported_by: 'x', imported_at: new Date().toISOString() }).execute();
    return store.writable();
  });

describe('the store probe (postgres)', { skip: await skipWithoutPostgres() }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: SqlStore;
  before(async () => {
    db = await createTestDatabase('writable');
    store = await openPostgresStore(db.url, { poolSize: 2 });
  });
  after(async () => {
    await store.close();
    await db.drop();
  });

  it('is writable while one of its own transactions is open', async () => {
    assert.deepEqual(await ownTransaction(store), { ok: true });
    assert.deepEqual(await store.writable(), { ok: true });
  });

  it('is not writable while the database is read-only, and is again after', async () => {
    // New connections get the setting; ending the store's own (from outside) makes its pool open new ones.
    const outside = async (text: string) => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        await c.query(text);
      } finally {
        await c.end();
      }
    };
    const reconnect = () => outside(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db.name}' AND pid <> pg_backend_pid()`);
    // Each connection that was just ended fails its next query once (the pool then drops it): ask past them.
    const probe = async (until: (r: Awaited<ReturnType<SqlStore['writable']>>) => boolean) => {
      let r = await store.writable();
      for (let i = 0; i < 4 && !until(r); i++) r = await store.writable();
      return r;
    };
    await outside(`ALTER DATABASE ${db.name} SET default_transaction_read_only = on`);
    await reconnect();
    try {
      const r = await probe((x) => !x.ok && /read-only/.test(x.reason));
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.reason, /read-only \(default_transaction_read_only is on\)/);
    } finally {
      await outside(`BEGIN; SET TRANSACTION READ WRITE; ALTER DATABASE ${db.name} SET default_transaction_read_only = off; COMMIT`);
      await reconnect();
    }
    assert.deepEqual(await probe((x) => x.ok), { ok: true });
  });
});
