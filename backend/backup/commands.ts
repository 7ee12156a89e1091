// `dcoc-control backup` and `dcoc-control restore`, as subcommands the
// dcoc-control dispatcher runs. They read the same DCOC_* settings as the
// service (backend/config/env.ts). Progress and errors go to stderr; backup
// prints the directory it wrote on stdout. Exit 0 done, 1 failed, 2 usage.
import { parseArgs } from 'node:util';
import { loadEnv } from '../config/env';
import { backup } from './backup';
import { BackupError } from './errors';
import { WITHOUT_CA_CONSEQUENCES, restore } from './restore';

import type { Subcommand } from '../cli/subcommand';

/** `text` folded at spaces into lines of at most `width`. */
function wrap(text: string, width = 80): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

const BACKUP_HELP = `usage: dcoc-control backup --out DIR

An online, consistent copy of the control service's store and CA, taken while
the service runs (run it with the service's settings: the same DCOC_* variables).

  --out DIR   the directory to write (must not exist, or be empty); made 0700
  --help      this text

What it writes into DIR:
  manifest.json      format version, dcoc-control version, engine, schema
                     (migrations), time, and the SHA-256 and size of each file
  dcoc.sqlite        SQLite (DCOC_DATABASE_URL unset): SQLite's online backup of
                     DCOC_DATA_DIR/dcoc.sqlite, one consistent snapshot
  dcoc.pgdump        PostgreSQL (DCOC_DATABASE_URL set): pg_dump --format=custom,
                     one consistent snapshot (needs pg_dump on PATH)
  pki/ca.crt.pem     the CA certificate and key (0600), from DCOC_DATA_DIR/pki or
  pki/ca.key.pem     from DCOC_CA_CERT_FILE/DCOC_CA_KEY_FILE when readable

The backup holds the CA key and token hashes: keep it as private as the data
directory. Without the CA key a restore makes every agent enroll again.
Exit status: 0 written, 1 failed (nothing left at DIR), 2 usage error.
`;

const RESTORE_HELP = `usage: dcoc-control restore --from DIR [--force] [--without-ca]

Restores a backup written by \`dcoc-control backup\` into the store these settings
name (DCOC_DATA_DIR for SQLite, DCOC_DATABASE_URL for PostgreSQL) and its CA into
DCOC_DATA_DIR/pki. Stop the control service first (every replica).

  --from DIR     the backup directory
  --force        replace a store (and a different CA) already at the target
  --without-ca   restore a backup that has no CA key (see below)
  --help         this text

Before changing anything it checks every file's SHA-256, refuses a backup whose
schema is newer than this dcoc-control (restore it with that version or newer),
a backup of the other engine (SQLite <-> PostgreSQL is not supported), a target
a control service is using, and a target that already holds a store (unless
--force). Then it opens the restored store once, bringing its schema to this
build's. PostgreSQL: pg_restore --single-transaction (needs pg_restore on PATH).
With DCOC_CA_CERT_FILE/DCOC_CA_KEY_FILE set, the CA is not written: it says
where to put the backup's pki/ files.

${wrap(`--without-ca: ${WITHOUT_CA_CONSEQUENCES}`)}
Exit status: 0 restored, 1 refused or failed, 2 usage error.
`;

type Parsed = { ok: true; values: Record<string, string | boolean | undefined> } | { ok: false; code: number };

function parse(name: string, help: string, argv: string[], options: Record<string, { type: 'string' | 'boolean' }>): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean' } }, allowPositionals: true, strict: true });
    if (values.help) {
      process.stdout.write(help);
      return { ok: false, code: 0 };
    }
    if (positionals.length) throw new Error(`unexpected argument ${positionals[0]}`);
    return { ok: true, values };
  } catch (e) {
    process.stderr.write(`dcoc-control ${name}: ${(e as Error).message}\n\n${help}`);
    return { ok: false, code: 2 };
  }
}

async function running(name: string, fn: (say: (line: string) => void) => Promise<void>): Promise<number> {
  const say = (line: string) => process.stderr.write(`dcoc-control ${name}: ${line}\n`);
  try {
    await fn(say);
    return 0;
  } catch (e) {
    // BackupError and invalid settings carry what to do next; anything else is unexpected.
    const known = e instanceof BackupError || (e as Error).message.startsWith('invalid configuration');
    say(`${known ? '' : 'failed unexpectedly: '}${(e as Error).message}`);
    return 1;
  }
}

export const backupCommand: Subcommand = {
  name: 'backup',
  summary: 'copy the store and the CA into a new directory while the service runs',
  help: () => BACKUP_HELP,
  async run(argv) {
    const p = parse('backup', BACKUP_HELP, argv, { out: { type: 'string' } });
    if (!p.ok) return p.code;
    const out = p.values.out;
    if (typeof out !== 'string' || !out) {
      process.stderr.write(`dcoc-control backup: --out DIR is required\n\n${BACKUP_HELP}`);
      return 2;
    }
    return running('backup', async (say) => {
      await backup(loadEnv(), { out, progress: say });
      process.stdout.write(`${out}\n`);
    });
  },
};

export const restoreCommand: Subcommand = {
  name: 'restore',
  summary: 'restore a backup into an empty data directory or database',
  help: () => RESTORE_HELP,
  async run(argv) {
    const p = parse('restore', RESTORE_HELP, argv, { from: { type: 'string' }, force: { type: 'boolean' }, 'without-ca': { type: 'boolean' } });
    if (!p.ok) return p.code;
    const from = p.values.from;
    if (typeof from !== 'string' || !from) {
      process.stderr.write(`dcoc-control restore: --from DIR is required\n\n${RESTORE_HELP}`);
      return 2;
    }
    return running('restore', (say) => restore(loadEnv(), { from, force: p.values.force === true, withoutCa: p.values['without-ca'] === true, progress: say }));
  },
};
