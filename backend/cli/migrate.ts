// `dcoc-control migrate`: brings the store's schema up to this build's and
// exits, for an upgrade step that runs before the new version serves (a Helm
// pre-upgrade Job, or by hand after a backup). The service does the same at
// start, so this is never required; it refuses a newer schema the same way.
import { parseArgs } from 'node:util';
import { loadEnv } from '../config/env';
import { MIGRATION_NAMES } from '../store/migrations';
import { openStore } from '../store/open-store';
import { type Subcommand, UsageError } from './subcommand';

const HELP = `usage: dcoc-control migrate

Brings the store named by the settings (DCOC_DATABASE_URL, else
DCOC_DATA_DIR/dcoc.sqlite) up to this build's schema, prints what was applied,
and exits. Take a backup first (dcoc-control backup). On SQLite, stop the
service first (one process per data directory); on PostgreSQL, replicas may run.

Exit status: 0 up to date, 1 refused or failed (a schema newer than this
build: run that version, or restore a backup), 2 usage error.
`;

export const migrate: Subcommand = {
  name: 'migrate',
  summary: "bring the store's schema up to this version's, then exit",
  help: () => HELP,
  async run(argv) {
    try {
      parseArgs({ args: argv, options: {}, strict: true, allowPositionals: false });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const env = loadEnv();
    let store;
    try {
      store = await openStore(env);
    } catch (e) {
      process.stderr.write(`dcoc-control migrate: ${(e as Error).message}\n`);
      return 1;
    }
    try {
      const applied = await store.appliedMigrations();
      process.stdout.write(`schema up to date (${store.kind}): ${applied.length} of ${MIGRATION_NAMES.length} migrations, latest ${applied.at(-1) ?? 'none'}\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
