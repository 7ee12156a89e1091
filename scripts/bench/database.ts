// A throwaway PostgreSQL database for one bench run, created through an
// admin URL (a role that may CREATE DATABASE) and dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { procStats } from './measure';

/** Where `.ci/postgres` puts its server, unless --database-url or DCOC_TEST_DATABASE_URL says otherwise. */
export const DEFAULT_ADMIN_URL = 'postgres://dcoc_test:dcoc_test@127.0.0.1:5432/postgres';

/** A failure the operator fixes from its message alone (no stack trace printed). */
export class BenchSetupError extends Error {}

export const redact = (url: string): string => url.replace(/:[^:@/]*@/, ':***@');

export interface BenchDatabase {
  url: string;
  name: string;
  /** CPU seconds used so far by the server backends serving this database; null when they are not local processes. */
  backendCpuS(): Promise<number | null>;
  drop(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
  } catch (e) {
    throw new BenchSetupError(`no PostgreSQL at ${redact(adminUrl)} (${(e as Error).message}); start one with \`bash .ci/postgres\` or pass --database-url`, { cause: e });
  }
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `dcoc_bench_${randomBytes(5).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`create database ${name}`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  // Backends come and go with the pools; a backend seen once keeps its last reading.
  const seen = new Map<number, number>();
  return {
    url: u.toString(),
    name,
    async backendCpuS() {
      const pids = await withAdmin(adminUrl, (c) => c.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [name]));
      for (const { pid } of pids.rows) {
        const s = procStats(pid);
        if (!s) return null;
        seen.set(pid, s.cpuS);
      }
      return [...seen.values()].reduce((x, y) => x + y, 0);
    },
    drop: () => withAdmin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
