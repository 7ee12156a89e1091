// The `backup` command on Kubernetes: creates the backup Job (one per backup
// id: a repeat of the command finds it and follows it), follows it to the
// end and reports each database's dump size from its container's termination
// message, and where the dumps are.
import type { BackupResult } from '../../contracts/backups';
import { ExecError, type Executor, readTarget, waitUntil } from '../executors/executor';
import { type KubeClients, statusOf } from '../kubernetes/kube-client';
import { type BackupDestination, backupJobName, readDumpReport, renderBackupJob } from './backup-job';

const FIELD_MANAGER = 'dcoc-agent';

export function kubeBackupExecutor(d: { k: KubeClients; namespace: string; dest: BackupDestination | null; pollMs?: number }): Executor {
  const { k, namespace } = d;
  return {
    kind: 'backup',
    method: 'kube-job',
    async execute(cmd, ctx) {
      const t = readTarget('backup', cmd.target);
      if (!d.dest) throw new ExecError('this agent has no backup destination: start it with --backup-pvc <claim> (and --backup-image) and retry');
      const dest = d.dest;
      const name = backupJobName(t.backupId);
      try {
        await k.batch.readNamespacedJob({ name, namespace });
        ctx.progress(`backup job ${name} already started; following it`, 0);
      } catch (e) {
        if (statusOf(e) !== 404) throw e;
        await k.batch.createNamespacedJob({ namespace, body: renderBackupJob({ namespace, backupId: t.backupId, databases: t.databases, dest, commandId: cmd.id }), fieldManager: FIELD_MANAGER });
        ctx.progress(`backup job ${name} created: ${t.databases.join(', ')} to pvc ${dest.pvc}`, 0);
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
          return { done: done || !!f, message: `backup job ${name}: ${done ? 'succeeded' : f ? 'failed' : 'running'}`, percent: done ? 100 : 0 };
        },
        Math.max(d.pollMs ?? 200, 500),
      );
      const databases = await sizes(k, namespace, name, t.databases);
      const result: BackupResult = { job: name, location: `pvc://${dest.pvc}/${t.backupId}/`, databases };
      if (failed) {
        ctx.progress(`backup job ${name} failed`, 100, result);
        throw new ExecError(`backup job ${name} failed (${failed}); see its pod logs (kubectl logs job/${name} --all-containers)`);
      }
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
