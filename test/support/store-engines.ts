// Runs a store test on every engine the store supports: SQLite in a temporary
// data directory and PostgreSQL in a database of its own. `raw` reaches under
// the store (to write a row the code would refuse), in the engine's own SQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { openPostgresStore } from '../../backend/store/open-postgres';
import { openEmbeddedStore } from '../../backend/store/open-sqlite';
import type { Database } from '../../backend/store/schema';
import type { SqlStore } from '../../backend/store/sql-store';
import { createTestDatabase, skipWithoutPostgres } from './postgres';

export interface EngineUnderTest {
  name: 'sqlite' | 'postgres';
  /** false, or why this engine cannot be tested here (printed; fails under CI). */
  skip: false | string;
  /** A new, empty store; `close` it (or let `cleanup` do it). */
  open(): Promise<SqlStore>;
  /** Closes what `open` made and removes its files or database. */
  cleanup(): Promise<void>;
}

/** Runs `text` on the store's own connection (tests only). */
export async function raw(store: SqlStore, text: string): Promise<void> {
  await sql.raw(text).execute((store as unknown as { db: Kysely<Database> }).db);
}

function sqliteEngine(label: string): EngineUnderTest {
  const dirs: string[] = [];
  const stores: SqlStore[] = [];
  return {
    name: 'sqlite',
    skip: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), `dcoc-${label}-`));
      dirs.push(dir);
      const s = await openEmbeddedStore(dir);
      stores.push(s);
      return s;
    },
    async cleanup() {
      for (const s of stores.splice(0)) await s.close().catch(() => undefined);
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

function postgresEngine(label: string, skip: false | string): EngineUnderTest {
  const dbs: { drop(): Promise<void> }[] = [];
  const stores: SqlStore[] = [];
  return {
    name: 'postgres',
    skip,
    async open() {
      const db = await createTestDatabase(label);
      dbs.push(db);
      const s = await openPostgresStore(db.url, { poolSize: 4 });
      stores.push(s);
      return s;
    },
    async cleanup() {
      for (const s of stores.splice(0)) await s.close().catch(() => undefined);
      for (const d of dbs.splice(0)) await d.drop();
    },
  };
}

/** Both engines; use with top-level await: `for (const e of await storeEngines('x')) describe(..., { skip: e.skip }, ...)`. */
export async function storeEngines(label: string): Promise<EngineUnderTest[]> {
  return [sqliteEngine(label), postgresEngine(label, await skipWithoutPostgres())];
}
