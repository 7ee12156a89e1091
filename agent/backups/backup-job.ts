// The backup and restore Jobs the agent renders. A backup runs one init
// container per service database (sequentially, as init containers run):
// `pg_dump --format=custom` with libpq's PG* variables read from the service's
// `<service>-dbcreds` Secret (gen3-helm 42cc46bc,
// helm/common/templates/_db_setup_job.tpl), so the password is never in the
// Job spec nor in any DCOC message. Each writes its dump's size as its
// termination message. The main container then applies retention: it runs
// only when every dump succeeded, so a failed backup never deletes a good one.
import type { V1Container, V1EnvVar, V1Job, V1PodSpec } from '@kubernetes/client-node';
import { DBCREDS_KEYS } from '../../contracts/backups';

/** Where the operator keeps backups: a PersistentVolumeClaim in the commons namespace. */
export interface BackupDestination {
  /** The claim's name. */
  pvc: string;
  /** An image with pg_dump/pg_restore of the server's major version (or newer) and a POSIX shell. */
  image: string;
  /** Backups kept on the claim (the newest); older folders are deleted by the backup Job. */
  keepLast: number;
}

export const BACKUP_MOUNT = '/backups';
export const BACKUP_LABEL = 'dcoc.gen3.org/backup';
export const BACKUP_KIND_LABEL = 'dcoc.gen3.org/backup-kind';
export const TERMINATION_LOG = '/dev/termination-log';
/** Finished backup and restore Jobs are deleted by Kubernetes' TTL controller after a week (the agent needs no delete). */
export const JOB_TTL_SECONDS = 7 * 24 * 3600;

const fromSecret = (name: string, secret: string, key: string): V1EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key, optional: false } } });

/** libpq's connection variables from a Secret with the keys of `<service>-dbcreds`. */
function pgEnv(secret: string): V1EnvVar[] {
  return [
    fromSecret('PGHOST', secret, DBCREDS_KEYS.host),
    fromSecret('PGPORT', secret, DBCREDS_KEYS.port),
    fromSecret('PGUSER', secret, DBCREDS_KEYS.username),
    fromSecret('PGPASSWORD', secret, DBCREDS_KEYS.password),
    fromSecret('PGDATABASE', secret, DBCREDS_KEYS.database),
  ];
}

// Written to a partial file first: a dump that stops half way never looks complete.
const DUMP_SCRIPT = [
  'set -eu',
  'mkdir -p "$BACKUP_DIR"',
  'pg_dump --format=custom --no-owner --no-privileges --file="$BACKUP_DIR/$SERVICE.dump.partial"',
  'mv "$BACKUP_DIR/$SERVICE.dump.partial" "$BACKUP_DIR/$SERVICE.dump"',
  'bytes=$(wc -c < "$BACKUP_DIR/$SERVICE.dump" | tr -d " ")',
  'printf \'{"service":"%s","database":"%s","bytes":%s}\' "$SERVICE" "$PGDATABASE" "$bytes" > "$REPORT_FILE"',
].join('\n');

// Backup folders are named by UTC time first, so a reverse name sort is newest
// first. This backup and the complete ones before it up to KEEP_LAST stay;
// older complete ones and the folders of failed backups before it (no
// COMPLETE: partial dumps) are removed. Folders newer than this one (a backup
// still running) are left alone.
const RETENTION_SCRIPT = [
  'set -eu',
  'touch "$BACKUP_DIR/COMPLETE"',
  'cd "$BACKUP_ROOT"',
  'seen=0',
  'kept=0',
  'for d in $(ls -1 | grep -E \'^[0-9]{8}T[0-9]{6}Z-[a-z0-9]+$\' | sort -r); do',
  '  if [ "$seen" = 0 ]; then',
  '    if [ "$d" = "$BACKUP_ID" ]; then seen=1; kept=1; fi',
  '    continue',
  '  fi',
  '  if [ -f "$d/COMPLETE" ] && [ "$kept" -lt "$KEEP_LAST" ]; then kept=$((kept + 1)); continue; fi',
  '  rm -rf -- "$d"; echo "retention: removed $d"',
  'done',
  'printf \'{"kept":%s}\' "$kept" > "$REPORT_FILE"',
].join('\n');

const volumeMounts = [{ name: 'backups', mountPath: BACKUP_MOUNT }];
/** Every container of these Jobs: no privilege escalation, no capabilities. */
const RESTRICTED = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

/** A Job run once (no retries, no service account token), deleted by Kubernetes a week after it ends. */
function oneShotJob(metadata: V1Job['metadata'] & { labels: Record<string, string> }, pod: Pick<V1PodSpec, 'initContainers' | 'containers' | 'volumes'>): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: JOB_TTL_SECONDS,
      template: { metadata: { labels: metadata.labels }, spec: { restartPolicy: 'Never', automountServiceAccountToken: false, ...pod } },
    },
  };
}

export function backupJobName(backupId: string): string {
  return `dcoc-backup-${backupId.toLowerCase()}`.slice(0, 63).replace(/-+$/, '');
}

export function restoreJobName(backupId: string, service: string): string {
  return `dcoc-restore-${service}-${backupId.toLowerCase()}`.slice(0, 63).replace(/-+$/, '');
}

/** The backup Job for `databases` (service names) as backup `backupId` on `dest`. */
export function renderBackupJob(o: { namespace: string; backupId: string; databases: string[]; dest: BackupDestination; commandId: string }): V1Job {
  const dir = `${BACKUP_MOUNT}/${o.backupId}`;
  const dumps: V1Container[] = o.databases.map((service) => ({
    name: `dump-${service}`,
    image: o.dest.image,
    command: ['/bin/sh', '-c', DUMP_SCRIPT],
    env: [
      { name: 'SERVICE', value: service },
      { name: 'BACKUP_DIR', value: dir },
      { name: 'REPORT_FILE', value: TERMINATION_LOG },
      ...pgEnv(`${service}-dbcreds`),
    ],
    volumeMounts,
    terminationMessagePath: TERMINATION_LOG,
    securityContext: RESTRICTED,
  }));
  const labels = { 'app.kubernetes.io/managed-by': 'dcoc', [BACKUP_LABEL]: o.backupId, [BACKUP_KIND_LABEL]: 'backup' };
  return oneShotJob(
    { name: backupJobName(o.backupId), namespace: o.namespace, labels, annotations: { 'dcoc.gen3.org/command': o.commandId, 'dcoc.gen3.org/databases': o.databases.join(',') } },
    {
      initContainers: dumps,
      containers: [
        {
          name: 'retention',
          image: o.dest.image,
          command: ['/bin/sh', '-c', RETENTION_SCRIPT],
          env: [
            { name: 'BACKUP_ROOT', value: BACKUP_MOUNT },
            { name: 'BACKUP_DIR', value: dir },
            { name: 'BACKUP_ID', value: o.backupId },
            { name: 'KEEP_LAST', value: String(o.dest.keepLast) },
            { name: 'REPORT_FILE', value: TERMINATION_LOG },
          ],
          volumeMounts,
          terminationMessagePath: TERMINATION_LOG,
          securityContext: RESTRICTED,
        },
      ],
      volumes: [{ name: 'backups', persistentVolumeClaim: { claimName: o.dest.pvc } }],
    },
  );
}

/**
 * The restore Job: pg_restore of one service's dump into the database the
 * `secret` names (default the service's own `<service>-dbcreds`), which must
 * be empty: --exit-on-error stops at the first object that already exists
 * and --single-transaction rolls everything back then, so a restore into a
 * database in use changes nothing. Only an admin's restore command (with a
 * reason) creates one; docs/operating.md "Backups and restore".
 */
export function renderRestoreJob(o: { namespace: string; backupId: string; service: string; dest: BackupDestination; secret?: string }): V1Job {
  const labels = { 'app.kubernetes.io/managed-by': 'dcoc', [BACKUP_LABEL]: o.backupId, [BACKUP_KIND_LABEL]: 'restore' };
  return oneShotJob(
    { name: restoreJobName(o.backupId, o.service), namespace: o.namespace, labels },
    {
      containers: [
        {
          name: `restore-${o.service}`,
          image: o.dest.image,
          command: ['/bin/sh', '-c', 'set -eu\ntest -f "$DUMP_FILE" || { echo "no dump $DUMP_FILE on the claim" >&2; exit 2; }\npg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$PGDATABASE" "$DUMP_FILE"'],
          env: [{ name: 'DUMP_FILE', value: `${BACKUP_MOUNT}/${o.backupId}/${o.service}.dump` }, ...pgEnv(o.secret ?? `${o.service}-dbcreds`)],
          volumeMounts: [{ name: 'backups', mountPath: BACKUP_MOUNT, readOnly: true }],
          securityContext: RESTRICTED,
        },
      ],
      volumes: [{ name: 'backups', persistentVolumeClaim: { claimName: o.dest.pvc, readOnly: true } }],
    },
  );
}

/** A dump container's termination message as a per-database result; null when it is absent or not one. */
export function readDumpReport(message: string | undefined): { service: string; database: string; bytes: number } | null {
  if (!message) return null;
  try {
    const v = JSON.parse(message) as Record<string, unknown>;
    if (typeof v.service === 'string' && typeof v.database === 'string' && Number.isInteger(v.bytes) && (v.bytes as number) >= 0) {
      return { service: v.service, database: v.database, bytes: v.bytes as number };
    }
  } catch {
    /* not ours: reported as unknown size */
  }
  return null;
}
