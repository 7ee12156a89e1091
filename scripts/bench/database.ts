// A throwaway PostgreSQL database for one bench run, created through an
// admin URL (a role that may CREATE DATABASE) and dropped at the end.
import { type ThrowawayDatabase, createThrowawayDatabase, withAdmin } from '../tools/throwaway-database';
import { procStats } from './measure';

export { DEFAULT_ADMIN_URL, redact } from '../tools/throwaway-database';

/** A failure the operator fixes from its message alone (no stack trace printed). */
export class BenchSetupError extends Error {}

export interface BenchDatabase extends ThrowawayDatabase {
  /** CPU seconds used so far by the server backends serving this database; null when they are not local processes. */
  backendCpuS(): Promise<number | null>;
}

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  let db: ThrowawayDatabase;
  try {
    db = await createThrowawayDatabase(adminUrl, { prefix: 'dcoc_bench' });
  } catch (e) {
    throw new BenchSetupError(`${(e as Error).message} or pass --database-url`, { cause: e });
  }
  // Backends come and go with the pools; a backend seen once keeps its last reading.
  const seen = new Map<number, number>();
  return {
    ...db,
    async backendCpuS() {
      const pids = await withAdmin(adminUrl, (c) => c.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [db.name]));
      for (const { pid } of pids.rows) {
        const s = procStats(pid);
        if (!s) return null;
        seen.set(pid, s.cpuS);
      }
      return [...seen.values()].reduce((x, y) => x + y, 0);
    },
  };
}
