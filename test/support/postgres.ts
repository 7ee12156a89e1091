// A PostgreSQL database of its own for a test: created on the server .ci/run
// starts (.ci/postgres prints its URL; DCOC_TEST_DATABASE_URL, or the default
// scripts/tools/throwaway-database.ts names), dropped at the end. No server:
// the caller skips loudly, and under CI that is a failure.
import { type ThrowawayDatabase, adminUrlFromEnv, createThrowawayDatabase, withAdmin } from '../../scripts/tools/throwaway-database';

export type TestDatabase = ThrowawayDatabase;

let reachable: Promise<string | null> | undefined;

/** Why there is no PostgreSQL to test against, or null when there is one. */
export function postgresMissing(): Promise<string | null> {
  reachable ??= withAdmin(adminUrlFromEnv(), (c) => c.query('select 1')).then(
    () => null,
    (e: Error) => `${e.message} (it prints DCOC_TEST_DATABASE_URL)`,
  );
  return reachable;
}

/** A test's skip option for PostgreSQL: false when there is a server; a loud reason otherwise; throws under CI. */
export async function skipWithoutPostgres(): Promise<false | string> {
  const missing = await postgresMissing();
  if (!missing) return false;
  if (process.env.CI) throw new Error(`CI is set and ${missing}`);
  process.stderr.write(`\n*** SKIPPED (PostgreSQL): ${missing}\n\n`);
  return missing;
}

/**
 * Sorted as most production clusters sort text (en-US), not the C locale a
 * bare test cluster has: the store must not depend on the server's collation.
 */
export function createTestDatabase(label = 't'): Promise<TestDatabase> {
  return createThrowawayDatabase(adminUrlFromEnv(), { prefix: `dcoc_${label.slice(0, 30)}`, icuLocale: 'en-US' });
}
