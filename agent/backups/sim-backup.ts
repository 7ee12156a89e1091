// The `backup` command on the simulated commons: no database to dump, so a
// Job that "runs" for a moment and reports a plausible size per database
// (stable per backup id), as the Kubernetes executor reports a real one.
import { createHash } from 'node:crypto';
import type { BackupResult } from '../../contracts/backups';
import { type Executor, readTarget, waitUntil } from '../executors/executor';
import { backupJobName } from './backup-job';

const RUN_MS = 1500;

export function simBackupExecutor(o: { namespace: string }): Executor {
  const started = new Map<string, number>();
  return {
    kind: 'backup',
    method: 'simulated',
    async execute(cmd, ctx) {
      const t = readTarget('backup', cmd.target);
      const name = backupJobName(t.backupId);
      const at = started.get(name) ?? Date.now();
      started.set(name, at);
      ctx.progress(`backup job ${name} created: ${t.databases.join(', ')} (simulated)`, 0);
      const message = await waitUntil(cmd, ctx, () => {
        const done = Date.now() >= at + RUN_MS;
        return { done, message: `backup job ${name}: ${done ? 'succeeded' : 'running'}`, percent: done ? 100 : 0 };
      });
      const bytes = (service: string) => 1_000_000 + (createHash('sha256').update(`${t.backupId}/${service}`).digest().readUInt32BE(0) % 50_000_000);
      const result: BackupResult = {
        job: name,
        location: `pvc://dcoc-backups/${t.backupId}/`,
        databases: t.databases.map((service) => ({ service, database: `${service}_${o.namespace}`.replace(/-/g, '_'), bytes: bytes(service) })),
      };
      return { message, result };
    },
  };
}
