// The SQLite store's copy: SQLite's online backup API from a read-only
// connection of our own, so it runs while the control service writes (WAL:
// readers do not block the writer) without taking the data directory's lock.
// All pages are copied in one step, inside one read transaction: the copy is
// the database as it was at one instant, every committed write or none of it.
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { DB_FILES } from '../store/open-sqlite';
import { BackupError } from './errors';

/** The migrations applied to a SQLite file, oldest first. */
export function sqliteMigrations(db: Sqlite.Database): string[] {
  const table = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
  if (!table) return [];
  return (db.prepare('select name from kysely_migration order by timestamp, name').all() as { name: string }[]).map((r) => r.name);
}

/** Copies the live store of `dataDir` to `dest` (a new file); returns the copy's migrations. */
export async function backupSqlite(dataDir: string, dest: string): Promise<string[]> {
  const src = join(dataDir, DB_FILES[0]);
  if (!existsSync(src)) {
    throw new BackupError(
      `there is no store at ${src}: point DCOC_DATA_DIR at the control service's data directory (or set DCOC_DATABASE_URL when the store is on PostgreSQL)`,
    );
  }
  let source: Sqlite.Database;
  try {
    source = new Sqlite(src, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new BackupError(`cannot open ${src} to read it (${(e as Error).message}); run the backup as the user the control service runs as`);
  }
  try {
    // A writer holding the lock briefly (a checkpoint) makes us wait, not fail.
    source.pragma('busy_timeout = 10000');
    // The largest step there is: one step, so one consistent read of every page.
    await source.backup(dest, { progress: () => 0x7fffffff });
  } catch (e) {
    rmSync(dest, { force: true });
    throw new BackupError(`the online copy of ${src} failed (${(e as Error).message}); check free space where the backup goes, then retry`);
  } finally {
    source.close();
  }
  chmodSync(dest, 0o600);
  const copy = new Sqlite(dest);
  try {
    // One self-contained file (no -wal beside it), checked before it is called a backup.
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`the copy of ${src} fails SQLite's integrity check (${String(check)}); the store itself may be damaged: run \`sqlite3 ${src} 'pragma integrity_check'\``);
    return sqliteMigrations(copy);
  } finally {
    copy.close();
  }
}

/** The migrations a backup's SQLite copy has, read from the copy itself. */
export function migrationsInSqliteCopy(file: string): string[] {
  const db = new Sqlite(file, { readonly: true, fileMustExist: true });
  try {
    return sqliteMigrations(db);
  } finally {
    db.close();
  }
}

/**
 * Puts `copy` in place as the store of `dataDir`, replacing whatever is there
 * (the caller has checked it may). The file lands under a temporary name and is
 * renamed, so a failed restore leaves no half-written store; a WAL left by the
 * old database is removed first, or SQLite would replay it onto the new one.
 */
export async function restoreSqlite(copy: string, dataDir: string): Promise<void> {
  const tmp = join(dataDir, `.${DB_FILES[0]}.restore-${process.pid}`);
  try {
    await copyFile(copy, tmp);
    chmodSync(tmp, 0o600);
    const fd = openSync(tmp, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    for (const f of DB_FILES) rmSync(join(dataDir, f), { force: true });
    renameSync(tmp, join(dataDir, DB_FILES[0]));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new BackupError(`writing the store into ${dataDir} failed (${(e as Error).message}); check free space and permissions there, then retry`);
  }
}
