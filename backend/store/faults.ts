// Storage faults: errors that mean the database cannot be written right now
// (disk full, read-only, locked by another process, I/O error), as opposed to
// bugs. The API answers them 503 with what to check, never a bare 500.

const SQLITE_FAULTS: Record<string, string> = {
  SQLITE_FULL: 'the disk holding the database is full',
  SQLITE_READONLY: 'the database is read-only',
  SQLITE_BUSY: 'the database is locked by another process',
  SQLITE_LOCKED: 'the database is locked',
  SQLITE_IOERR: 'the disk reported an I/O error',
  SQLITE_CANTOPEN: 'the database file cannot be opened',
  SQLITE_CORRUPT: 'the database file is corrupt',
  SQLITE_NOTADB: 'the database file is not a database',
};

/** What is wrong with the store, when `err` is a storage fault; undefined for any other error. */
export function storeFault(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const base = Object.keys(SQLITE_FAULTS).find((k) => code === k || code.startsWith(`${k}_`));
  return base ? `${SQLITE_FAULTS[base]} (${code})` : undefined;
}
