// The `backup` and `restore` commands on Kubernetes. Each creates its Job
// (one per backup id, or per backup id and service: a repeat of the command
// finds it and follows it), follows it to the end and reports the result: a
// backup each database's dump size from its container's termination message,
// and where the dumps are.
import type { V1Job } from '@kubernetes/client-node';
import type { BackupResult, RestoreResult } from '../../contracts/backups';
import { type CommandSpec, type ExecContext, ExecError, type Executor, readTarget, waitUntil } from '../executors/executor';
import { type KubeClients, statusOf } from '../kubernetes/kube-client';
import { type BackupDestination, backupJobName, readDumpReport, renderBackupJob, renderRestoreJob, restoreJobName } from './backup-job';

const FIELD_MANAGER = 'dcoc-agent';

interface Deps {
  k: KubeClients;
  namespace: string;
  dest: BackupDestination | null;
  pollMs?: number;
}

function destination(d: Deps): BackupDestination {
  if (!d.dest) throw new ExecError('this agent has no backup destination: start it with --backup-pvc <claim> (and --backup-image) and retry');
  return d.dest;
}

/** Creates `job` unless a Job of its name exists, then follows it; the failure reason, or '' when it succeeded. */
async function runJob(d: Deps, cmd: CommandSpec, ctx: ExecContext, job: V1Job, what: string): Promise<{ message: string; failed: string }> {
  const { k, namespace } = d;
  const name = job.metadata!.name!;
  try {
    await k.batch.readNamespacedJob({ name, namespace });
    ctx.progress(`${what} job ${name} already started; following it`, 0);
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
    await k.batch.createNamespacedJob({ namespace, body: job, fieldManager: FIELD_MANAGER });
    ctx.progress(`${what} job ${name} created`, 0);
  }
  let failed = '';
  const message = await waitUntil(
    cmd,
    ctx,
    async () => {
      const j = await k.batch.readNamespacedJob({ name, namespace });
      const f = j.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
      if (f) failed = `${f.reason ?? 'Failed'}: ${f.message ?? ''}`;
      const done = (j.status?.succeeded ?? 0) >= 1;
      return { done: done || !!f, message: `${what} job ${name}: ${done ? 'succeeded' : f ? 'failed' : 'running'}`, percent: done ? 100 : 0 };
    },
    Math.max(d.pollMs ?? 200, 500),
  );
  return { message, failed };
}

export function kubeBackupExecutor(d: Deps): Executor {
  const { k, namespace } = d;
  return {
    kind: 'backup',
    method: 'kube-job',
    async execute(cmd, ctx) {
      const t = readTarget('backup', cmd.target);
      const dest = destination(d);
      const name = backupJobName(t.backupId);
      const job = renderBackupJob({ namespace, backupId: t.backupId, databases: t.databases, dest, commandId: cmd.id });
      ctx.progress(`backup of ${t.databases.join(', ')} to pvc ${dest.pvc}`, 0);
      const { message, failed } = await runJob(d, cmd, ctx, job, 'backup');
      const databases = await sizes(k, namespace, name, t.databases);
      const result: BackupResult = { job: name, location: `pvc://${dest.pvc}/${t.backupId}/`, databases, keepLast: dest.keepLast };
      if (failed) {
        ctx.progress(`backup job ${name} failed`, 100, result);
        throw new ExecError(`backup job ${name} failed (${failed}); see its pod logs (kubectl logs job/${name} --all-containers)`);
      }
      return { message, result };
    },
  };
}

export function kubeRestoreExecutor(d: Deps): Executor {
  const { namespace } = d;
  return {
    kind: 'restore',
    method: 'kube-job',
    async execute(cmd, ctx) {
      const t = readTarget('restore', cmd.target);
      const dest = destination(d);
      const name = restoreJobName(t.backupId, t.service);
      const secret = t.secret ?? `${t.service}-dbcreds`;
      const job = renderRestoreJob({ namespace, backupId: t.backupId, service: t.service, dest, secret });
      const { message, failed } = await runJob(d, cmd, ctx, job, 'restore');
      if (failed) throw new ExecError(`restore job ${name} failed (${failed}): the database of Secret ${secret} must exist and be empty; nothing was restored. See kubectl logs job/${name}`);
      const result: RestoreResult = { job: name, source: `pvc://${dest.pvc}/${t.backupId}/${t.service}.dump`, secret };
      return { message, result };
    },
  };
}

/** Each database's dump size from the Job's pod (its init containers' termination messages); null where not reported. */
async function sizes(k: KubeClients, namespace: string, job: string, services: string[]): Promise<BackupResult['databases']> {
  const pods = await k.core.listNamespacedPod({ namespace, labelSelector: `job-name=${job}` });
  const reports = new Map<string, { database: string; bytes: number }>();
  for (const p of pods.items) {
    for (const s of p.status?.initContainerStatuses ?? []) {
      const r = readDumpReport(s.state?.terminated?.message);
      if (r && services.includes(r.service)) reports.set(r.service, r);
    }
  }
  return services.map((service) => ({ service, database: reports.get(service)?.database ?? '', bytes: reports.get(service)?.bytes ?? null }));
}
