// A PostgreSQL database of its own for a test: created on the server .ci/run
// starts (.ci/postgres prints its URL; DCOC_TEST_DATABASE_URL, or the default
// below), dropped at the end. No server: the caller skips loudly, and under CI
// that is a failure.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://dcoc_test:dcoc_test@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

const adminUrl = () => process.env.DCOC_TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 3000 });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

let reachable: Promise<string | null> | undefined;

/** Why there is no PostgreSQL to test against, or null when there is one. */
export function postgresMissing(): Promise<string | null> {
  reachable ??= admin((c) => c.query('select 1')).then(
    () => null,
    (e: Error) =>
      `no PostgreSQL at ${adminUrl().replace(/:[^:@/]*@/, ':***@')} (${e.message}); start one with \`bash .ci/postgres\` (it prints DCOC_TEST_DATABASE_URL)`,
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

export async function createTestDatabase(label = 't'): Promise<TestDatabase> {
  const name = `dcoc_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(5).toString('hex')}`;
  // Sorted as most production clusters sort text (en-US), not the C locale a bare test cluster has:
  // the store must not depend on the server's collation.
  await admin((c) => c.query(`create database ${name} template template0 locale_provider icu icu_locale 'en-US' locale 'C.UTF-8'`));
  return {
    url: withDatabase(adminUrl(), name),
    name,
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
