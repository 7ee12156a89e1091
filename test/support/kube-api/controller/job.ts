// Job controller for the NonIndexed, completions=1 Jobs Gen3 runs (usersync,
// db migrations, `kubectl create job --from=cronjob/...`): one pod at a time,
// retries up to backoffLimit, then the terminal conditions the real
// controller sets (SuccessCriteriaMet+Complete, or FailureTarget+Failed).
import type { Registry } from '../registry';
import { storageType } from '../resources';
import type { Condition, Job, Pod } from '../types';
import { clone, deepEqual, randomSuffix, rfc3339 } from '../util';
import type { EventRecorder } from './events';
import { isPodActive, isPodReady, ownedBy } from './replicaset';

function terminal(j: Job): boolean {
  return (j.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

function cond(type: string, reason: string, message: string): Condition {
  const now = rfc3339();
  return { type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message };
}

export class JobController {
  constructor(
    private readonly registry: Registry,
    private readonly recorder: EventRecorder,
  ) {}

  tick(): void {
    for (const obj of this.registry.store.scan('jobs')) this.sync(obj as Job);
  }

  private sync(job: Job): void {
    if (job.metadata.deletionTimestamp || terminal(job) || job.spec.suspend) return;
    const ns = job.metadata.namespace!;
    const source = { component: 'job-controller' };
    const pods = this.registry.store.scan('pods', ns).filter(ownedBy(job.metadata.uid)) as Pod[];
    const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
    const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
    let active = pods.filter(isPodActive);
    const completions = job.spec.completions ?? 1;
    const parallelism = job.spec.parallelism ?? 1;
    const status: NonNullable<Job['status']> = clone(job.status ?? {});
    status.startTime ??= rfc3339();

    if (succeeded >= completions) {
      const now = rfc3339();
      status.completionTime = now;
      const msg = 'Reached expected number of succeeded pods';
      status.conditions = [...(status.conditions ?? []), cond('SuccessCriteriaMet', 'CompletionsReached', msg), cond('Complete', 'CompletionsReached', msg)];
      this.recorder.record(job, 'Normal', 'Completed', 'Job completed', source);
    } else if (failed > (job.spec.backoffLimit ?? 6)) {
      const msg = 'Job has reached the specified backoff limit';
      status.conditions = [...(status.conditions ?? []), cond('FailureTarget', 'BackoffLimitExceeded', msg), cond('Failed', 'BackoffLimitExceeded', msg)];
      for (const p of active) this.registry.delete(storageType('pods'), ns, p.metadata.name!);
      active = [];
      this.recorder.record(job, 'Warning', 'BackoffLimitExceeded', msg, source);
    } else if (active.length < parallelism && succeeded + active.length < completions) {
      const tmpl = clone(job.spec.template);
      const pod: Pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${job.metadata.name}-${randomSuffix(5)}`,
          generateName: `${job.metadata.name}-`,
          namespace: ns,
          labels: tmpl.metadata?.labels,
          ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name!, uid: job.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: { ...(tmpl.spec ?? {}), containers: tmpl.spec?.containers ?? [] },
      };
      const created = this.registry.create(storageType('pods'), ns, pod);
      active.push(created as Pod);
      this.recorder.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, source);
    }

    status.active = active.length;
    status.ready = active.filter(isPodReady).length;
    status.terminating = pods.filter((p) => p.metadata.deletionTimestamp).length;
    status.uncountedTerminatedPods = {};
    if (succeeded > 0) status.succeeded = succeeded;
    if (failed > 0) status.failed = failed;
    if (status.active === 0) delete status.active;
    if (!deepEqual(status, job.status)) {
      const fresh = this.registry.store.get('jobs', ns, job.metadata.name!) as Job;
      fresh.status = status;
      this.registry.writeAsController('jobs', fresh);
    }
  }
}
