// The audit log read by `dcoc-control audit verify|export` beside a running
// service: SQLite opened read-only (WAL lets it read while the service writes;
// the data directory's lock is the writer's, not taken here), PostgreSQL with a
// small pool of its own. Nothing is migrated: a schema without the audit chain
// is refused with what to run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Env } from '../config/env';
import { AuditStore } from './audit-store';
import { DB_FILES } from './open-sqlite';
import { postgresPool } from './open-postgres';
import type { Database } from './schema';

export interface AuditReader {
  audit: AuditStore;
  where: string;
  /**
   * Runs `fn` on one snapshot of the store: a walk of the chain does not see
   * entries pruned half way through it as deleted, nor the checkpoint move.
   */
  snapshot<T>(fn: (audit: AuditStore) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openAuditReader(env: Env): Promise<AuditReader> {
  let db: Kysely<Database>;
  let where: string;
  if (env.DCOC_DATABASE_URL) {
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: postgresPool(env.DCOC_DATABASE_URL, { poolSize: 2, applicationName: 'dcoc-control audit' }) }) });
    where = 'PostgreSQL (DCOC_DATABASE_URL)';
  } else {
    const file = join(env.DCOC_DATA_DIR, DB_FILES[0]);
    if (!existsSync(file)) throw new Error(`there is no store at ${file}; set DCOC_DATA_DIR (or DCOC_DATABASE_URL) to the service's`);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new Sqlite(file, { readonly: true, fileMustExist: true }) }) });
    where = file;
  }
  try {
    const tables = await db.introspection.getTables();
    if (!tables.some((t) => t.name === 'audit_chain')) {
      throw new Error(`the store at ${where} has no audit chain yet (its schema is older than this build): run \`dcoc-control migrate\` (or start the service) first`);
    }
    await sql`select 1`.execute(db);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  // Reading only: nothing to serialize.
  const noLock = () => Promise.resolve();
  const postgres = !!env.DCOC_DATABASE_URL;
  return {
    audit: new AuditStore(db, noLock),
    where,
    // PostgreSQL: a repeatable-read transaction is one snapshot; SQLite (WAL): a read transaction is.
    snapshot: (fn) => (postgres ? db.transaction().setIsolationLevel('repeatable read') : db.transaction()).execute((tx) => fn(new AuditStore(tx, noLock))),
    close: () => db.destroy(),
  };
}
