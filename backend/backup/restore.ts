// `dcoc-control restore`: a backup into an empty data directory or database.
// Everything that can refuse is checked before the target is touched: the
// manifest and every checksum, the schema against this build's, the engine,
// a control service still running on the target, and a target that already
// holds a store (replaced only with --force).
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Env } from '../config/env';
import { DataDirLockedError, lockDataDir } from '../store/data-dir-lock';
import { MIGRATION_NAMES } from '../store/migrations';
import { DB_FILES } from '../store/open-sqlite';
import { openStore } from '../store/open-store';
import { caAtTarget, restoreCa } from './ca-files';
import { type CaLocation, caLocation } from '../pki/ca-location';
import { BackupError } from './errors';
import { CA_CERT, CA_KEY, type Manifest, STORE_FILE, readManifest, sha256File } from './manifest';
import { controlServicesOn, dropTables, migrationsInDump, restorePostgres, shownUrl, tablesIn, tablesInDump } from './postgres';
import { migrationsInSqliteCopy, restoreSqlite } from './sqlite';

export interface RestoreOptions {
  /** The backup directory. */
  from: string;
  /** Replace a store (and CA) already at the target. */
  force?: boolean;
  /** Restore a backup that has no CA key: every agent will have to enroll again. */
  withoutCa?: boolean;
  progress?: (line: string) => void;
}

/** What is lost when the CA key is not restored; the operator reads it before choosing --without-ca. */
export const WITHOUT_CA_CONSEQUENCES =
  'Without the CA key the control service makes a new CA at its next start: every agent must enroll again ' +
  '(their client certificates were signed by the old CA and no longer verify, and they do not trust the new server certificate). ' +
  "For each agent: delete its identity (agent.key.pem, agent.crt.pem, ca.pem, agent.json in its data directory, or its identity Secret), " +
  'give it a new enrollment token and the new CA certificate, and revoke its old agent entry. ' +
  "Commands, revisions, audit and API tokens are kept; the Grafana plugin is unaffected (it uses the plugin secret, not the CA).";

async function verifyFiles(from: string, m: Manifest, say: (l: string) => void): Promise<void> {
  const storePath = STORE_FILE[m.engine];
  if (!m.files.some((f) => f.path === storePath)) throw new BackupError(`the backup's manifest does not list its store copy (${storePath}); the backup is damaged: use another one`);
  for (const f of m.files) {
    const file = join(from, f.path);
    if (!existsSync(file)) throw new BackupError(`${f.path} is missing from the backup ${from}; the backup is incomplete: use another one (nothing was changed)`);
    const bytes = statSync(file).size;
    const sha = await sha256File(file);
    if (bytes !== f.bytes || sha !== f.sha256) {
      throw new BackupError(`${f.path} in ${from} does not match its checksum in the manifest (the file was changed or damaged after the backup); use another backup (nothing was changed)`);
    }
  }
  say(`checked ${m.files.length} file${m.files.length === 1 ? '' : 's'} against their SHA-256 in the manifest`);
}

function refuseNewerSchema(migrations: string[], m: Manifest, what: string): void {
  const unknown = migrations.filter((n) => !MIGRATION_NAMES.includes(n));
  if (unknown.length) {
    throw new BackupError(
      `${what} has migrations this dcoc-control does not know (${unknown.join(', ')}; this build's latest is ${MIGRATION_NAMES[MIGRATION_NAMES.length - 1]}): ` +
        `it was taken by dcoc-control ${m.dcocVersion}. Restore it with that version or newer (nothing was changed)`,
    );
  }
}

/** The CA the restore will install, or what the operator must do about it. */
function planCa(from: string, m: Manifest, paths: CaLocation, opts: RestoreOptions, say: (l: string) => void): { write: boolean; after: string[]; agentsKeep: boolean } {
  const hasKey = m.ca.key && m.files.some((f) => f.path === CA_KEY) && m.files.some((f) => f.path === CA_CERT);
  const backupCert = m.files.some((f) => f.path === CA_CERT) ? readFileSync(join(from, CA_CERT), 'utf8') : null;
  const atTarget = caAtTarget(paths, backupCert);
  if (paths.source === 'files') {
    // The operator's CA (a Secret, cert-manager): never written by us.
    if (atTarget === 'same') return { write: false, agentsKeep: true, after: ['the CA at DCOC_CA_CERT_FILE is the backup\'s: agents keep their certificates'] };
    if (hasKey) {
      return {
        write: false,
        agentsKeep: false,
        after: [
          `NEXT: the CA DCOC_CA_CERT_FILE/DCOC_CA_KEY_FILE name is ${atTarget === 'absent' ? 'not there' : 'not the backup\'s'}. ` +
            `Put the backup's ${join(from, CA_CERT)} and ${join(from, CA_KEY)} there before starting the service ` +
            '(e.g. kubectl create secret tls <name> --cert=... --key=...), or agents will have to enroll again',
        ],
      };
    }
    if (!opts.withoutCa) throw new BackupError(`the backup has no CA key and the CA at DCOC_CA_CERT_FILE is ${atTarget === 'absent' ? 'missing' : 'a different one'}. ${WITHOUT_CA_CONSEQUENCES} To restore anyway, run again with --without-ca; to keep the agents, find the original CA key first`);
    return { write: false, agentsKeep: false, after: [`WARNING: restored without the backup's CA. ${WITHOUT_CA_CONSEQUENCES}`] };
  }
  if (hasKey) return { write: atTarget !== 'same', agentsKeep: true, after: [] };
  if (atTarget === 'same') return { write: false, agentsKeep: true, after: [`the backup has no CA key, but the CA in ${join(paths.key, '..')} is the backup's: kept, agents keep their certificates`] };
  if (!opts.withoutCa) {
    throw new BackupError(`the backup ${from} has no CA key (pki/ca.key.pem). ${WITHOUT_CA_CONSEQUENCES} To restore anyway, run again with --without-ca; to keep the agents, put the original key at ${join(from, CA_KEY)} first (nothing was changed)`);
  }
  say('restoring without the CA: the control service will make a new one at its next start');
  return { write: false, agentsKeep: false, after: [`WARNING: restored without the backup's CA. ${WITHOUT_CA_CONSEQUENCES}`] };
}

export async function restore(env: Env, opts: RestoreOptions): Promise<void> {
  const say = opts.progress ?? (() => undefined);
  const from = resolve(opts.from);
  if (!existsSync(from) || !statSync(from).isDirectory()) throw new BackupError(`${from} is not a directory; give --from the directory \`dcoc-control backup --out\` wrote`);
  const m = readManifest(from);
  say(`backup of a ${m.engine} store taken ${m.createdAt} by dcoc-control ${m.dcocVersion}, schema at ${m.migrations[m.migrations.length - 1] ?? 'none'}`);

  const engine = env.DCOC_DATABASE_URL ? 'postgres' : 'sqlite';
  if (m.engine !== engine) {
    throw new BackupError(
      `the backup is of a ${m.engine} store and these settings use ${engine} (DCOC_DATABASE_URL is ${env.DCOC_DATABASE_URL ? 'set' : 'unset'}); ` +
        `restoring across engines is not supported: restore into ${m.engine === 'postgres' ? 'PostgreSQL (set DCOC_DATABASE_URL)' : 'SQLite (unset DCOC_DATABASE_URL)'} (nothing was changed)`,
    );
  }
  refuseNewerSchema(m.migrations, m, 'the backup');
  await verifyFiles(from, m, say);
  const storeCopy = join(from, STORE_FILE[m.engine]);
  // The manifest is not covered by a checksum: the copy itself must agree with it.
  const copyMigrations = m.engine === 'sqlite' ? migrationsInSqliteCopy(storeCopy) : await migrationsInDump(storeCopy);
  refuseNewerSchema(copyMigrations, m, 'the backup\'s store copy');
  if (copyMigrations.join() !== m.migrations.join()) throw new BackupError(`the store copy's migrations (${copyMigrations.join(', ')}) are not the manifest's (${m.migrations.join(', ')}); the backup is damaged: use another one`);

  const paths = caLocation(env);
  const ca = planCa(from, m, paths, opts, say);
  const caInTheWay = paths.source === 'data-dir' && ca.write && caAtTarget(paths, null) !== 'absent';

  let release: (() => void) | undefined;
  try {
    const dataDir = env.DCOC_DATA_DIR;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (m.engine === 'sqlite') {
      // Held to the end, so no control service starts on a half-restored directory.
      try {
        release = lockDataDir(dataDir);
      } catch (e) {
        if (e instanceof DataDirLockedError) throw new BackupError(`${e.message.replace(/; stop it.*$/, '')}: stop it before restoring (nothing was changed)`);
        throw e;
      }
      const existing = DB_FILES.filter((f) => existsSync(join(dataDir, f)));
      if ((existing.length || caInTheWay) && !opts.force) {
        throw new BackupError(
          `${resolve(dataDir)} already holds ${existing.length ? `a store (${existing.join(', ')})` : ''}${existing.length && caInTheWay ? ' and ' : ''}${caInTheWay ? 'a different CA (pki/)' : ''}; ` +
            'restore into an empty data directory (set DCOC_DATA_DIR to a new one), or add --force to replace it (nothing was changed)',
        );
      }
      say(`writing the store into ${resolve(dataDir)}`);
      await restoreSqlite(storeCopy, dataDir);
    } else {
      const url = env.DCOC_DATABASE_URL!;
      const running = await controlServicesOn(url);
      if (running.length) {
        throw new BackupError(
          `${running.length} control service connection(s) are open on ${shownUrl(url)} (${[...new Set(running.map((r) => `${r.name}${r.client ? ` from ${r.client}` : ''}`))].join(', ')}): ` +
            'stop every replica (e.g. kubectl scale deployment dcoc-control --replicas=0) before restoring (nothing was changed)',
        );
      }
      const tables = await tablesIn(url);
      if ((tables.length || caInTheWay) && !opts.force) {
        throw new BackupError(
          `${tables.length ? `the database ${shownUrl(url)} already has tables (${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', ...' : ''})` : `${resolve(dataDir)}/pki holds a different CA`}; ` +
            'restore into an empty database (createdb a new one and point DCOC_DATABASE_URL at it), or add --force to replace its tables (nothing was changed)',
        );
      }
      const inDump = new Set(await tablesInDump(storeCopy));
      const extra = tables.filter((t) => !inDump.has(t));
      if (extra.length) {
        say(`dropping tables the backup does not have: ${extra.join(', ')}`);
        await dropTables(url, extra);
      }
      say(`restoring the dump into ${shownUrl(url)} with pg_restore (one transaction)`);
      await restorePostgres(url, storeCopy, { clean: tables.length > 0 });
    }
    if (ca.write) {
      restoreCa(from, paths);
      say(`CA certificate and key written to ${resolve(join(paths.key, '..'))} (mode 0600)`);
    }

    // Opened once as the service would: migrations bring it to this build's schema.
    // (SQLite: the store takes over the lock this process holds, and releases it on close.)
    let store: Awaited<ReturnType<typeof openStore>>;
    try {
      store = await openStore(env);
    } catch (e) {
      throw new BackupError(`the restored store does not open (${(e as Error).message}); the target now holds the backup's data as restored: report this with the output above`);
    } finally {
      release = undefined;
    }
    try {
      const applied = await store.appliedMigrations();
      const agents = (await store.listAgents()).filter((a) => !a.revoked).length;
      say(`the restored store opens: schema at ${applied[applied.length - 1]}, ${agents} enrolled agent(s)`);
    } finally {
      await store.close();
    }
  } finally {
    release?.();
  }
  for (const line of ca.after) say(line);
  say(
    'restore done: start the control service with these settings' +
      (ca.agentsKeep ? '; agents reconnect with the certificates they have' : ''),
  );
}
