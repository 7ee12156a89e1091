// `dcoc-control backup`: an online, consistent copy of the store and the CA
// into a new directory, with a manifest of checksums. Runs beside a live
// control service (same settings), never stopping or locking it.
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Env } from '../config/env';
import { backupCa } from './ca-files';
import { caLocation } from '../pki/ca-location';
import { BackupError } from './errors';
import { CA_KEY, FORMAT_VERSION, MANIFEST, type FileEntry, type Manifest, STORE_FILE, sha256File } from './manifest';
import { dumpPostgres, migrationsInDump, shownUrl } from './postgres';
import { backupSqlite } from './sqlite';
import { VERSION } from '../../lib/version';

export interface BackupOptions {
  /** The directory to write; must not exist, or be empty. */
  out: string;
  /** One line per step, for the operator. */
  progress?: (line: string) => void;
}

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), base) : [relative(base, join(dir, e.name))]))
    .sort();
}

export async function backup(env: Env, opts: BackupOptions): Promise<Manifest> {
  const say = opts.progress ?? (() => undefined);
  const out = resolve(opts.out);
  if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0)) {
    throw new BackupError(`${out} already exists and is not an empty directory; give --out a new directory (a backup never overwrites another)`);
  }
  if (!existsSync(dirname(out))) throw new BackupError(`${dirname(out)} does not exist; create it, or give --out a directory under an existing one`);
  // Written under a temporary name and renamed at the end: a directory named
  // `out` is always a finished backup.
  const tmp = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { mode: 0o700 });
  chmodSync(tmp, 0o700);
  try {
    const engine = env.DCOC_DATABASE_URL ? 'postgres' : 'sqlite';
    const storeFile = join(tmp, STORE_FILE[engine]);
    let migrations: string[];
    if (env.DCOC_DATABASE_URL) {
      say(`copying the PostgreSQL store ${shownUrl(env.DCOC_DATABASE_URL)} with pg_dump (one consistent snapshot; the service keeps running)`);
      await dumpPostgres(env.DCOC_DATABASE_URL, storeFile);
      migrations = await migrationsInDump(storeFile);
    } else {
      say(`copying the SQLite store in ${resolve(env.DCOC_DATA_DIR)} with SQLite's online backup (one consistent snapshot; the service keeps running)`);
      migrations = await backupSqlite(env.DCOC_DATA_DIR, storeFile);
    }
    if (migrations.length === 0) {
      throw new BackupError('the store has no schema yet (no migrations applied): start the control service once on it before backing it up, or check DCOC_DATA_DIR / DCOC_DATABASE_URL');
    }
    say(`store copied: ${statSync(storeFile).size} bytes, schema at ${migrations[migrations.length - 1]} (${migrations.length} migrations)`);

    const paths = caLocation(env);
    const ca = backupCa(paths, tmp);
    if (ca.cert && ca.key) say(`CA certificate and key copied from ${paths.source === 'files' ? 'DCOC_CA_CERT_FILE and DCOC_CA_KEY_FILE' : dirname(paths.key)}`);
    if (!ca.key) {
      say(
        `WARNING: the CA key (${paths.key}) ${ca.keyExists ? 'is not readable by this user' : 'does not exist (the control service makes it at its first start)'}, so it is NOT in this backup. Keep it safe on its own` +
          `${paths.source === 'files' ? ' (it is the Secret or files DCOC_CA_KEY_FILE points at)' : ''}: restoring without it makes every agent enroll again`,
      );
    }

    const files: FileEntry[] = [];
    for (const path of filesUnder(tmp)) {
      const file = join(tmp, path);
      files.push({ path: path.split('\\').join('/'), sha256: await sha256File(file), bytes: statSync(file).size });
    }
    const manifest: Manifest = {
      format: 'dcoc-backup',
      formatVersion: FORMAT_VERSION,
      dcocVersion: VERSION,
      engine,
      migrations,
      createdAt: new Date().toISOString(),
      ca: { source: paths.source, cert: ca.cert, key: ca.key },
      files,
    };
    writeFileSync(join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    if (existsSync(out)) rmSync(out, { recursive: true });
    renameSync(tmp, out);
    say(
      `backup written to ${out} (${files.length} file${files.length === 1 ? '' : 's'}, SHA-256 of each in ${MANIFEST}). ` +
        `It holds ${files.some((f) => f.path === CA_KEY) ? 'the CA key and ' : ''}token hashes: keep it as private as the data directory`,
    );
    return manifest;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
