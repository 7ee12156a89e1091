// Store.writable() (what /readyz asks): true while the service's own
// transaction is open between two awaits (the probe must not mistake its own
// write lock for a fault), false while another process holds the lock.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../../backend/store/schema';
import { openEmbeddedStore, type SqlStore } from '../../backend/store/sql-store';

describe('the store probe', () => {
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
