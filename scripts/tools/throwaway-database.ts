// A PostgreSQL database of its own for a test or a bench run, made through an
// admin URL (a role that may CREATE DATABASE; `.ci/postgres` makes one) and
// dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where `.ci/postgres` puts its server and role. */
export const DEFAULT_ADMIN_URL = 'postgres://dcoc_test:dcoc_test@127.0.0.1:5432/postgres';

/** The admin URL: DCOC_TEST_DATABASE_URL, else the one `.ci/postgres` makes. */
export const adminUrlFromEnv = () => process.env.DCOC_TEST_DATABASE_URL || DEFAULT_ADMIN_URL;

/** The URL with its password hidden, for messages. */
export const redact = (url: string): string => url.replace(/:[^:@/]*@/, ':***@');

/** Runs `fn` on a connection to `adminUrl`; a server that cannot be reached is an error saying how to start one. */
export async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
  } catch (e) {
    throw new Error(`no PostgreSQL at ${redact(adminUrl)} (${(e as Error).message}); start one with \`bash .ci/postgres\``, { cause: e });
  }
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface ThrowawayDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A new database named `<prefix>_<random>`. `icuLocale` sorts its text as
 * that locale does (e.g. en-US, as most production clusters), not as the
 * server's default.
 */
export async function createThrowawayDatabase(adminUrl: string, opts: { prefix: string; icuLocale?: string }): Promise<ThrowawayDatabase> {
  const name = `${opts.prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase().slice(0, 40)}_${randomBytes(5).toString('hex')}`;
  const locale = opts.icuLocale ? ` template template0 locale_provider icu icu_locale '${opts.icuLocale.replace(/[^A-Za-z0-9_-]/g, '')}' locale 'C.UTF-8'` : '';
  await withAdmin(adminUrl, (c) => c.query(`create database ${name}${locale}`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: () => withAdmin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
