// The PostgreSQL store's copy: pg_dump --format=custom (one consistent
// snapshot of the database while the replicas write) and pg_restore, both
// from PATH (Debian: postgresql-client). The password goes to them in
// PGPASSWORD, never on a command line another user could read with ps.
import { spawn } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import pg from 'pg';
import { BackupError } from './errors';

/** The database URL without its password, and the environment that carries it. */
export function libpqTarget(url: string, appName: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { dbname: u.toString(), env: { ...process.env, PGAPPNAME: appName, ...(password ? { PGPASSWORD: password } : {}) } };
}

/** The URL as it may be shown: no password. */
export function shownUrl(url: string): string {
  return libpqTarget(url, '').dbname;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new BackupError(`${tool} is not on PATH: install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client), of the server's major version or newer`)
          : new BackupError(`${tool} could not be started (${e.message})`),
      ),
    );
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function toolFailed(tool: string, r: Run, next: string): BackupError {
  const detail = r.stderr.trim().split('\n').slice(-5).join('\n  ');
  const hint = /server version mismatch|aborting because of server version/i.test(r.stderr)
    ? `; this ${tool} is older than the server: install the postgresql-client of the server's major version`
    : /password authentication failed|no password supplied/i.test(r.stderr)
      ? '; check the user and password in DCOC_DATABASE_URL'
      : '';
  return new BackupError(`${tool} failed (exit ${r.code})${hint}:\n  ${detail}\n${next}`);
}

/** pg_dump of the whole database at `url` into `dest` (custom format). */
export async function dumpPostgres(url: string, dest: string): Promise<void> {
  const { dbname, env } = libpqTarget(url, 'dcoc-control backup');
  const r = await run('pg_dump', ['--format=custom', `--file=${dest}`, `--dbname=${dbname}`], env);
  if (r.code !== 0) {
    rmSync(dest, { force: true });
    throw toolFailed('pg_dump', r, 'Nothing was written. Fix the cause above, then run the backup again.');
  }
  chmodSync(dest, 0o600);
}

/**
 * The migrations a dump holds, read from the dump itself: pg_restore prints
 * the kysely_migration table's rows as COPY text (name, then timestamp).
 */
export async function migrationsInDump(file: string): Promise<string[]> {
  const r = await run('pg_restore', ['--data-only', '--table=kysely_migration', '--file=-', file], process.env);
  if (r.code !== 0) throw toolFailed('pg_restore', r, 'The dump cannot be read: use another backup.');
  const lines = r.stdout.split('\n');
  const start = lines.findIndex((l) => /^COPY \S*kysely_migration \(name, "?timestamp"?\) FROM stdin;$/.test(l));
  if (start < 0) return [];
  const rows: { name: string; at: string }[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === '\\.') break;
    const [name, at] = line.split('\t');
    rows.push({ name, at });
  }
  return rows.sort((a, b) => (a.at === b.at ? (a.name < b.name ? -1 : 1) : a.at < b.at ? -1 : 1)).map((r) => r.name);
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, application_name: 'dcoc-control restore', connectionTimeoutMillis: 10_000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
  } catch (e) {
    throw new BackupError(`cannot connect to ${shownUrl(url)} (${(e as Error).message}); check DCOC_DATABASE_URL and that the database exists (create it empty: createdb)`);
  }
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The tables in the schema the store uses (the connection's current schema, normally public). */
export function tablesIn(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ t: string }>('select tablename as t from pg_tables where schemaname = current_schema() order by 1')).rows.map((r) => r.t));
}

/** Control services connected to the database (their application_name is dcoc-control [replica]). */
export function controlServicesOn(url: string): Promise<{ pid: number; name: string; client: string | null }[]> {
  return withClient(url, async (c) =>
    (
      await c.query<{ pid: number; name: string; client: string | null }>(
        `select pid, application_name as name, client_addr::text as client from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()
            and (application_name = 'dcoc-control' or application_name like 'dcoc-control %')
            and application_name not in ('dcoc-control backup', 'dcoc-control restore')`,
      )
    ).rows,
  );
}

/** Drops every table of the store's schema (restore --force): pg_restore then starts from an empty schema. */
export function dropTables(url: string, tables: string[]): Promise<void> {
  return withClient(url, async (c) => {
    await c.query('begin');
    try {
      for (const t of tables) await c.query(`drop table if exists ${pg.escapeIdentifier(t)} cascade`);
      await c.query('commit');
    } catch (e) {
      await c.query('rollback');
      throw new BackupError(`dropping the tables of ${shownUrl(url)} failed (${(e as Error).message}); nothing was changed. Drop them as their owner, or restore into a new empty database`);
    }
  });
}

/** The tables a dump creates. */
export async function tablesInDump(file: string): Promise<string[]> {
  const r = await run('pg_restore', ['--list', file], process.env);
  if (r.code !== 0) throw toolFailed('pg_restore', r, 'The dump cannot be read: use another backup.');
  return [...r.stdout.matchAll(/^\d+; \d+ \d+ TABLE \S+ (\S+) /gm)].map((m) => m[1]);
}

/**
 * pg_restore of `file` into `url`, all in one transaction: on any error nothing
 * is restored. `clean` drops the dump's tables first, in that same transaction.
 */
export async function restorePostgres(url: string, file: string, opts: { clean: boolean }): Promise<void> {
  const { dbname, env } = libpqTarget(url, 'dcoc-control restore');
  const clean = opts.clean ? ['--clean', '--if-exists'] : [];
  const r = await run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', ...clean, `--dbname=${dbname}`, file], env);
  if (r.code !== 0) throw toolFailed('pg_restore', r, 'It ran in one transaction: nothing was restored. Fix the cause above, then run the restore again.');
}
