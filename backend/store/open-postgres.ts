// The store on PostgreSQL (DCOC_DATABASE_URL): one database shared by every
// replica of the control service. Migrations run at start (Kysely's migrator
// takes a lock, so replicas starting together apply each migration once).
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../lib/logger';
import { storeFault } from './faults';
import type { Database } from './schema';
import { SqlStore, type StoreEngine } from './sql-store';

export interface PostgresOptions {
  poolSize?: number;
  /** Shown in pg_stat_activity, so an operator sees which replica holds a connection. */
  applicationName?: string;
  log?: Logger;
}

function postgresEngine(db: Kysely<Database>): StoreEngine {
  return {
    kind: 'postgres',
    async writable() {
      try {
        const r = await sql<{ standby: boolean; readOnly: string }>`select pg_is_in_recovery() as standby, current_setting('transaction_read_only') as "readOnly"`.execute(db);
        const row = r.rows[0];
        if (row?.standby) return { ok: false, reason: 'the database is a read-only standby (pg_is_in_recovery); point DCOC_DATABASE_URL at the primary' };
        if (row?.readOnly === 'on') return { ok: false, reason: 'the database is read-only (default_transaction_read_only is on)' };
        return { ok: true };
      } catch (e) {
        return { ok: false, reason: storeFault(e) ?? (e as Error).message };
      }
    },
    async serialize(tx, key) {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`dcoc:${key}`}, 0))`.execute(tx);
    },
    closed: () => undefined,
  };
}

/** A pool on `url`; the caller closes it. Errors of idle connections are logged, never thrown (they would end the process). */
export function postgresPool(url: string, opts: PostgresOptions = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, application_name: opts.applicationName ?? 'dcoc-control', connectionTimeoutMillis: 10_000 });
  pool.on('error', (e) => opts.log?.warn({ err: e }, 'an idle PostgreSQL connection failed; the pool opens a new one when needed'));
  // pg-pool listens for errors only while a client is idle; a connection that breaks while checked out
  // (PostgreSQL restarted, the connection terminated) would emit 'error' with no listener and end the
  // process. Its query fails anyway, and the pool drops the client when it is released.
  pool.on('connect', (client) => client.on('error', (e) => opts.log?.warn({ err: e.message }, 'a PostgreSQL connection in use failed; its query fails and the pool replaces it')));
  return pool;
}

export async function openPostgresStore(url: string, opts: PostgresOptions = {}): Promise<SqlStore> {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: postgresPool(url, opts) }) });
  const store = new SqlStore(db, postgresEngine(db));
  try {
    await store.migrate();
    return store;
  } catch (e) {
    await db.destroy();
    throw e;
  }
}
