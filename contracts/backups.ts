// Gen3 database backups: what a backup command asks of the agent, what the
// agent reports back, and what the API serves. A backup is a Kubernetes Job
// the agent renders (agent/backups/): one pg_dump per service database, each
// reading its credentials from the service's `<service>-dbcreds` Secret, so
// no password ever passes through DCOC.
import { z } from 'zod';
import { COMMAND } from './states';

/**
 * The Gen3 services with a PostgreSQL database of their own: each has a
 * db-init.yaml (helm/common/templates/_db_setup_job.tpl) that writes Secret
 * `<service>-dbcreds` with keys host, port, username, password, database
 * (gen3-helm 42cc46bc, helm/<service>/templates/db-init.yaml). peregrine
 * reads sheepdog's database and is left out.
 */
export const GEN3_DATABASE_SERVICES = ['arborist', 'audit', 'fence', 'indexd', 'metadata', 'requestor', 'sheepdog', 'wts'] as const;

/** The keys of a `<service>-dbcreds` Secret (_db_setup_job.tpl, gen3-helm 42cc46bc). */
export const DBCREDS_KEYS = { host: 'host', port: 'port', username: 'username', password: 'password', database: 'database' } as const;

/** A Kubernetes DNS label: a service name as it names a Secret and an init container. */
const ServiceName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/, 'a Gen3 service name (lowercase letters, digits, dashes)');

/** A backup id: UTC time then the command's short id; sorts oldest first, names the dump folder. */
export const BackupId = z.string().regex(/^\d{8}T\d{6}Z-[a-z0-9]{1,16}$/, 'YYYYMMDDTHHMMSSZ-<id>');

/** Target of a `backup` command. */
export const BackupTarget = z.looseObject({
  backupId: BackupId,
  /** The service databases to dump, each by its `<service>-dbcreds` Secret. */
  databases: z.array(ServiceName).min(1).max(32),
});
export type BackupTarget = z.infer<typeof BackupTarget>;

/** A Kubernetes Secret name. */
const SecretName = z.string().regex(/^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/, 'a Secret name (lowercase letters, digits, dots, dashes)');

/**
 * Target of a `restore` command: pg_restore of one service's dump of backup
 * `backupId` into the database `secret` names (default `<service>-dbcreds`),
 * which must be empty: the restore runs in one transaction and stops at the
 * first object that already exists, so it never half-overwrites a database.
 */
export const RestoreTarget = z.looseObject({
  backupId: BackupId,
  service: ServiceName,
  secret: SecretName.optional(),
});
export type RestoreTarget = z.infer<typeof RestoreTarget>;

/** What the agent reports when a restore Job ends. */
export const RestoreResult = z.looseObject({ job: z.string().max(253), source: z.string().max(1024), secret: z.string().max(253) });
export type RestoreResult = z.infer<typeof RestoreResult>;

export const BackupDatabaseResult = z.object({
  service: ServiceName,
  /** The database name pg_dump read (from the Secret). */
  database: z.string().max(253),
  bytes: z.number().int().min(0).nullable(),
});
export type BackupDatabaseResult = z.infer<typeof BackupDatabaseResult>;

/** What the agent reports when a backup Job ends (the command's result_json). */
export const BackupResult = z.looseObject({
  job: z.string().max(253),
  /** Where the dumps are: pvc://<claim>/<backupId>/ */
  location: z.string().max(1024),
  databases: z.array(BackupDatabaseResult).max(32),
  /** How many complete backups the claim keeps (the agent's --backup-keep): older ones are removed by this backup's retention. */
  keepLast: z.number().int().min(1).optional(),
});
export type BackupResult = z.infer<typeof BackupResult>;

/** queued: not started by the agent yet; failed also covers expired, cancelled and not started (refused by the change gate). */
export const BackupStatus = z.enum(['queued', 'running', 'succeeded', 'failed']);
export type BackupStatus = z.infer<typeof BackupStatus>;
export const BackupTrigger = z.enum(['on-demand', 'schedule']);
export type BackupTrigger = z.infer<typeof BackupTrigger>;

/** One backup of a commons as GET /commons/{id}/backups serves it. */
export const BackupView = z.object({
  id: BackupId,
  commonsId: z.string(),
  commandId: z.string(),
  status: BackupStatus,
  trigger: BackupTrigger,
  requestedBy: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  location: z.string().nullable(),
  message: z.string(),
  databases: z.array(BackupDatabaseResult.extend({ database: z.string().nullable() })),
  totalBytes: z.number().int().nullable(),
  /** false for a succeeded backup a newer one's retention removed from the claim: it can no longer be restored. */
  retained: z.boolean(),
});
export type BackupView = z.infer<typeof BackupView>;


/** POST /commons/{id}/backups: databases default to every service database the commons runs. */
export const BackupRequest = z.strictObject({
  databases: z.array(ServiceName).min(1).max(32).optional(),
  reason: z.string().max(500).optional(),
});
export type BackupRequest = z.infer<typeof BackupRequest>;

export const BackupPath = z.strictObject({ id: z.string().min(1).max(253), backupId: BackupId });

/** POST /commons/{id}/backups/{backupId}/restore: admins only, with a reason. */
export const RestoreRequest = z.strictObject({
  /** The service whose dump is restored. */
  service: ServiceName,
  /**
   * The Secret (host, port, username, password, database keys, as `<service>-dbcreds`) naming the
   * database restored into, which must be empty; default the service's own `<service>-dbcreds`.
   */
  secret: SecretName.optional(),
  reason: z.string().trim().min(1, 'a reason is required').max(500),
});
export type RestoreRequest = z.infer<typeof RestoreRequest>;

/** A commons' backup schedule: a five-field cron expression read in an IANA time zone. */
export const BackupScheduleSpec = z.strictObject({
  cron: z.string().min(9).max(100),
  timeZone: z.string().min(1).max(64),
  /** The service databases; default every one the commons runs at each occurrence. */
  databases: z.array(ServiceName).min(1).max(32).optional(),
});
export type BackupScheduleSpec = z.infer<typeof BackupScheduleSpec>;

export const BackupScheduleView = BackupScheduleSpec.extend({
  commonsId: z.string(),
  updatedBy: z.string(),
  updatedAt: z.string(),
  /** The next occurrences (ISO instants). */
  next: z.array(z.string()),
  maxAgeSeconds: z.number().int(),
});
export type BackupScheduleView = z.infer<typeof BackupScheduleView>;

export const BackupList = z.object({
  items: z.array(BackupView),
  /** When the last successful backup finished, or null. */
  lastSuccessAt: z.string().nullable(),
  /** How old the last good backup may get before DCOCBackupStale fires (seconds): 1.5 × the longest gap between scheduled backups. */
  maxAgeSeconds: z.number().int(),
  schedule: BackupScheduleView.nullable(),
});
export type BackupList = z.infer<typeof BackupList>;

/** 202 of POST /commons/{id}/backups: the command to follow and the backup as it starts. */
export const BackupAccepted = z.object({
  command: z.object({ id: z.string(), state: z.enum(COMMAND.states), kind: z.literal('backup') }),
  backup: BackupView,
});
export type BackupAccepted = z.infer<typeof BackupAccepted>;
