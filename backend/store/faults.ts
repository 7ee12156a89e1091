// Storage faults: errors that mean the database cannot be written right now
// (disk full, read-only, locked by another process, I/O error, PostgreSQL
// unreachable), as opposed to bugs. The API answers them 503 with what to
// check, never a bare 500.

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

// PostgreSQL SQLSTATE classes and codes (https://www.postgresql.org/docs/15/errcodes-appendix.html).
const POSTGRES_FAULTS: Record<string, string> = {
  '08': 'the connection to PostgreSQL failed',
  '53': 'PostgreSQL is out of resources (disk, memory or connections)',
  '57P01': 'PostgreSQL is shutting down',
  '57P02': 'PostgreSQL is shutting down',
  '57P03': 'PostgreSQL is starting and cannot take connections yet',
  '25006': 'the database is read-only (a standby, or default_transaction_read_only)',
  '40P01': 'a deadlock was detected; retry',
};

// Node's socket errors when PostgreSQL cannot be reached at all.
const NET_FAULTS: Record<string, string> = {
  ECONNREFUSED: 'PostgreSQL refused the connection',
  ECONNRESET: 'the connection to PostgreSQL was reset',
  ETIMEDOUT: 'the connection to PostgreSQL timed out',
  ENOTFOUND: 'the PostgreSQL host name does not resolve',
  EPIPE: 'the connection to PostgreSQL was closed',
};

/** What is wrong with the store, when `err` is a storage fault; undefined for any other error. */
export function storeFault(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  const message = (err as { message?: unknown })?.message;
  if (typeof code !== 'string') {
    // pg's pool and client say these without a code.
    if (typeof message === 'string' && /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(message)) {
      return `the connection to PostgreSQL failed (${message})`;
    }
    return undefined;
  }
  if (code.startsWith('SQLITE_')) {
    const base = Object.keys(SQLITE_FAULTS).find((k) => code === k || code.startsWith(`${k}_`));
    return base ? `${SQLITE_FAULTS[base]} (${code})` : undefined;
  }
  if (NET_FAULTS[code]) return `${NET_FAULTS[code]} (${code})`;
  if (/^[0-9A-Z]{5}$/.test(code)) {
    const why = POSTGRES_FAULTS[code] ?? POSTGRES_FAULTS[code.slice(0, 2)];
    return why ? `${why} (SQLSTATE ${code})` : undefined;
  }
  return undefined;
}
