// The store the settings ask for: PostgreSQL when DCOC_DATABASE_URL is set,
// else SQLite in DCOC_DATA_DIR.
import type { Env } from '../config/env';
import type { Logger } from '../../lib/logger';
import { openPostgresStore } from './open-postgres';
import { openEmbeddedStore } from './open-sqlite';
import type { SqlStore } from './sql-store';

export function openStore(env: Env, log?: Logger, replicaId?: string): Promise<SqlStore> {
  if (env.DCOC_DATABASE_URL) {
    return openPostgresStore(env.DCOC_DATABASE_URL, { poolSize: env.DCOC_DATABASE_POOL_SIZE, applicationName: `dcoc-control ${replicaId ?? ''}`.trim(), log });
  }
  return openEmbeddedStore(env.DCOC_DATA_DIR, { minFreeBytes: env.DCOC_STORE_MIN_FREE_MB * 1024 * 1024 });
}
