// The default store: one SQLite file under DCOC_DATA_DIR in WAL mode with
// synchronous=FULL, so a write that was acknowledged survives kill -9 of the
// process (and a power cut). One control service per data directory.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, type SqliteDatabase, SqliteDialect } from 'kysely';
import { lockDataDir } from './data-dir-lock';
import { storeFault } from './faults';
import type { Database } from './schema';
import { SqlStore, type StoreEngine } from './sql-store';

/** The database and its WAL and shared-memory files: readable by this user only (they hold token hashes and audit history). */
export const DB_FILES = ['dcoc.sqlite', 'dcoc.sqlite-wal', 'dcoc.sqlite-shm'];

/**
 * SQLite ends a transaction by itself on some errors (SQLITE_FULL, SQLITE_IOERR);
 * Kysely's ROLLBACK after that fails with "no transaction is active" and hides
 * the error that matters. A ROLLBACK with no transaction open is a no-op here.
 */
function keepingTransactionErrors(file: Sqlite.Database): SqliteDatabase {
  const noop = { reader: false, all: () => [], run: () => ({ changes: 0, lastInsertRowid: 0 }), iterate: () => [][Symbol.iterator]() };
  const prepare = cachedStatements(file);
  return {
    close: () => file.close(),
    prepare: (sql: string) => (/^\s*rollback\s*$/i.test(sql) && !file.inTransaction ? noop : prepare(sql)),
  };
}

/** Statements kept for reuse, by SQL text; the oldest is dropped past this. */
export const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; compiling the SQL was 5-8 % of the control
 * service's CPU with 5,000 agents connected (CPU profile of `npm run bench`).
 * A statement still being iterated is busy: that query gets a fresh one.
 */
export function cachedStatements(file: { prepare(sql: string): Sqlite.Statement }, size = STATEMENT_CACHE_SIZE): (sql: string) => Sqlite.Statement {
  const cache = new Map<string, Sqlite.Statement>();
  return (sql) => {
    const hit = cache.get(sql);
    if (hit && !hit.busy) return hit;
    const stmt = file.prepare(sql);
    if (!hit) {
      cache.set(sql, stmt);
      if (cache.size > size) cache.delete(cache.keys().next().value!);
    }
    return stmt;
  };
}

function sqliteEngine(handle: Sqlite.Database, dir: string, minFreeBytes: number, release: () => void): StoreEngine {
  return {
    kind: 'sqlite',
    async writable() {
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
    },
    // One connection, one writer at a time: transactions already run one after another.
    serialize: () => Promise.resolve(),
    closed: release,
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
    const store = new SqlStore(
      new Kysely<Database>({ dialect: new SqliteDialect({ database: keepingTransactionErrors(file) }) }),
      sqliteEngine(file, dataDir, opts.minFreeBytes ?? 0, release),
    );
    await store.migrate();
    return store;
  } catch (e) {
    release();
    throw e;
  }
}
