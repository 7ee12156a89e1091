// The `backup` and `restore` commands on the simulated commons: no database
// to dump, so a Job that "runs" for a moment and reports a plausible size per
// database (stable per backup id), as the Kubernetes executor reports a real
// one. A restore succeeds for a backup this simulated commons made.
import { createHash } from 'node:crypto';
import type { BackupResult, RestoreResult } from '../../contracts/backups';
import { ExecError, type Executor, readTarget, waitUntil } from '../executors/executor';
import { backupJobName, restoreJobName } from './backup-job';

const RUN_MS = 1500;
const SIM_PVC = 'dcoc-backups';
/** As the agent's --backup-keep default. */
const SIM_KEEP_LAST = 14;

export function simBackupExecutors(o: { namespace: string }): Executor[] {
  const started = new Map<string, number>();
  const made = new Map<string, string[]>();
  const follow = (name: string) => {
    const at = started.get(name) ?? Date.now();
    started.set(name, at);
    return () => {
      const done = Date.now() >= at + RUN_MS;
      return { done, message: `${name}: ${done ? 'succeeded' : 'running'}`, percent: done ? 100 : 0 };
    };
  };
  return [
    {
      kind: 'backup',
      method: 'simulated',
      async execute(cmd, ctx) {
        const t = readTarget('backup', cmd.target);
        const name = backupJobName(t.backupId);
        ctx.progress(`backup job ${name} created: ${t.databases.join(', ')} (simulated)`, 0);
        const message = await waitUntil(cmd, ctx, follow(name));
        const bytes = (service: string) => 1_000_000 + (createHash('sha256').update(`${t.backupId}/${service}`).digest().readUInt32BE(0) % 50_000_000);
        made.set(t.backupId, t.databases);
        const result: BackupResult = {
          job: name,
          location: `pvc://${SIM_PVC}/${t.backupId}/`,
          databases: t.databases.map((service) => ({ service, database: `${service}_${o.namespace}`.replace(/-/g, '_'), bytes: bytes(service) })),
          keepLast: SIM_KEEP_LAST,
        };
        return { message, result };
      },
    },
    {
      kind: 'restore',
      method: 'simulated',
      async execute(cmd, ctx) {
        const t = readTarget('restore', cmd.target);
        const name = restoreJobName(t.backupId, t.service);
        if (!made.get(t.backupId)?.includes(t.service)) throw new ExecError(`restore job ${name} failed: no dump /backups/${t.backupId}/${t.service}.dump on the claim (simulated)`);
        ctx.progress(`restore job ${name} created (simulated)`, 0);
        const message = await waitUntil(cmd, ctx, follow(name));
        const result: RestoreResult = { job: name, source: `pvc://${SIM_PVC}/${t.backupId}/${t.service}.dump`, secret: t.secret ?? `${t.service}-dbcreds` };
        return { message, result };
      },
    },
  ];
}
