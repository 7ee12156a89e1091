// Maps Kubernetes objects to Gen3 services and their workload facts, by the
// gen3-helm names and labels (gen3-facts.md §2.3): Deployment
// `<chart>-deployment` (ssjdispatcher and sower without suffix,
// presigned-url-fence), pod label `app: <chart>`; and CronJobs to the Jobs
// each one owns.
import type { V1CronJob, V1Deployment, V1Job, V1Pod } from '@kubernetes/client-node';
import { gitopsOwner } from './gitops-owner';
import { type RolloutStatus, rolloutStatus } from '../core/rollout-status';
import type { CronJobFacts, JobRunFacts, WorkloadFacts } from '../core/types';
import { JOB_RUNS_MAX } from '../../contracts/api';
import { GEN3_SERVICES } from '../../contracts/gen3/catalog';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const PENDING_TOO_LONG_MS = 5 * 60_000;
const FATAL_WAITING = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'InvalidImageName']);

/** The Gen3 service a Deployment runs, or undefined for anything else in the namespace. */
export function serviceOfDeployment(d: V1Deployment): string | undefined {
  const name = d.metadata?.name ?? '';
  const byName = GEN3_SERVICES.find((s) => s.deployment === name);
  if (byName) return byName.name;
  const app = d.metadata?.labels?.app ?? d.spec?.template?.metadata?.labels?.app;
  return GEN3_SERVICES.find((s) => s.name === app)?.name;
}

export function selects(d: V1Deployment, pod: V1Pod): boolean {
  const match = d.spec?.selector?.matchLabels ?? {};
  const labels = pod.metadata?.labels ?? {};
  const keys = Object.keys(match);
  return keys.length > 0 && keys.every((k) => labels[k] === match[k]);
}

/** The first problem a pod shows, worst first. */
export function podProblem(pod: V1Pod, now = Date.now()): { reason: string; fatal: boolean } | undefined {
  if (pod.status?.reason === 'Evicted') return { reason: `Evicted (pod ${pod.metadata?.name})`, fatal: false };
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const c of statuses) {
    const waiting = c.state?.waiting?.reason;
    if (waiting && FATAL_WAITING.has(waiting)) return { reason: `${waiting} (pod ${pod.metadata?.name}, ${c.restartCount} restarts)`, fatal: true };
  }
  if (pod.status?.phase === 'Pending') {
    const created = Date.parse(String(pod.metadata?.creationTimestamp ?? '')) || now;
    if (now - created > PENDING_TOO_LONG_MS) return { reason: `Pending for ${Math.round((now - created) / 60_000)} min (pod ${pod.metadata?.name})`, fatal: false };
  }
  return undefined;
}

/**
 * kubectl rollout status of a Deployment (agent/core/rollout-status.ts).
 * `generation`: one the caller wrote, which this (watched) copy may not show
 * yet; until it does, the spec update is not observed.
 */
export function deploymentRollout(d: V1Deployment, generation = 0): RolloutStatus {
  const st = d.status ?? {};
  return rolloutStatus({
    name: d.metadata?.name ?? '',
    generation: Math.max(d.metadata?.generation ?? 0, generation),
    observedGeneration: st.observedGeneration ?? 0,
    desired: d.spec?.replicas,
    replicas: st.replicas ?? 0,
    updated: st.updatedReplicas ?? 0,
    available: st.availableReplicas ?? 0,
    deadlineExceeded: st.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded') ?? false,
  });
}

/** kubectl's rollout status line while a rollout runs (or has failed), '' once it is done. */
export function rolloutText(d: V1Deployment): string {
  const r = deploymentRollout(d);
  return r.done ? '' : r.message;
}

export function workloadFacts(service: string, d: V1Deployment, pods: readonly V1Pod[], now = Date.now()): WorkloadFacts {
  const containers = d.spec?.template?.spec?.containers ?? [];
  const main = containers.find((c) => c.name === service) ?? containers[0];
  const own = pods.filter((p) => selects(d, p));
  const problems = own.map((p) => podProblem(p, now)).filter((x): x is { reason: string; fatal: boolean } => !!x);
  const worst = problems.find((p) => p.fatal) ?? problems[0];
  return {
    name: service,
    deployment: d.metadata?.name ?? '',
    desired: d.spec?.replicas ?? 1,
    ready: d.status?.readyReplicas ?? 0,
    updated: d.status?.updatedReplicas ?? 0,
    image: main?.image ?? '',
    restartedAt: d.spec?.template?.metadata?.annotations?.[RESTARTED_AT] ?? null,
    restartCount: own.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m, c) => m + (c.restartCount ?? 0), 0), 0),
    reason: worst?.reason ?? '',
    reasonIsFatal: worst?.fatal ?? false,
    rollout: rolloutText(d),
    gitopsOwner: gitopsOwner(d),
  };
}

/** The release a commons runs, read honestly from its Gen3 services' images: agent/core/release-of.ts. */
export { releaseOf } from '../core/release-of';

/** A time as client-node hands it over (a Date from a list, a string from a watch event), as RFC 3339; null when absent or invalid. */
export function isoTime(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  const ms = v instanceof Date ? v.getTime() : Date.parse(String(v));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

const conditionTrue = (j: V1Job, type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');

/**
 * Where a Job stands, from its conditions as the Job controller writes them:
 * Complete or Failed, or before them (while its pods terminate) the
 * SuccessCriteriaMet or FailureTarget that decides it; times from the final one.
 */
export function jobRun(j: V1Job): JobRunFacts {
  const failed = conditionTrue(j, 'Failed') ?? conditionTrue(j, 'FailureTarget');
  const complete = conditionTrue(j, 'Complete') ?? conditionTrue(j, 'SuccessCriteriaMet');
  const result = failed ? 'failed' : complete ? 'succeeded' : 'running';
  return {
    name: j.metadata?.name ?? '',
    result,
    startedAt: isoTime(j.status?.startTime) ?? isoTime(j.metadata?.creationTimestamp),
    finishedAt: result === 'succeeded' ? (isoTime(j.status?.completionTime) ?? isoTime(complete?.lastTransitionTime)) : result === 'failed' ? isoTime(failed?.lastTransitionTime) : null,
    reason: failed ? [failed.reason, failed.message].filter(Boolean).join(': ') : '',
    manual: j.metadata?.annotations?.['cronjob.kubernetes.io/instantiate'] === 'manual',
  };
}

/** The CronJob that controls a Job (its owner reference, by uid where both have one), if any. */
function ownerCronJob(j: V1Job, byUid: Map<string, V1CronJob>, byName: Map<string, V1CronJob>): V1CronJob | undefined {
  const ref = j.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob' && o.apiVersion?.startsWith('batch/'));
  if (!ref) return undefined;
  if (ref.uid && byUid.has(ref.uid)) return byUid.get(ref.uid);
  // A Job left by an earlier CronJob of the same name (deleted, created again) is not this one's.
  const named = byName.get(ref.name);
  return named && (!ref.uid || !named.metadata?.uid) ? named : undefined;
}

const createdMs = (j: V1Job) => Date.parse(isoTime(j.metadata?.creationTimestamp) ?? '') || Date.parse(isoTime(j.status?.startTime) ?? '') || 0;

/** Newest first: by creation, then (created in the same second) by name, as the CronJob controller's minute-stamped names sort. */
const newestFirst = (a: V1Job, b: V1Job) => createdMs(b) - createdMs(a) || byCodeUnits(b.metadata?.name ?? '', a.metadata?.name ?? '');
const byCodeUnits = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);


/**
 * The namespace's CronJobs, each with the Jobs it owns, newest first (started
 * by its schedule, by `kubectl create job --from`, or by DCOC's run-job): what
 * `kubectl get cronjobs` and `kubectl get jobs` together say. The CronJob
 * controller's history limits decide how many finished ones are still there.
 */
export function cronJobFacts(cronjobs: readonly V1CronJob[], jobs: readonly V1Job[]): CronJobFacts[] {
  const byUid = new Map(cronjobs.filter((c) => c.metadata?.uid).map((c) => [c.metadata!.uid!, c]));
  const byName = new Map(cronjobs.map((c) => [c.metadata?.name ?? '', c]));
  const owned = new Map<V1CronJob, V1Job[]>();
  for (const j of jobs) {
    const owner = ownerCronJob(j, byUid, byName);
    if (!owner) continue;
    const list = owned.get(owner);
    if (list) list.push(j);
    else owned.set(owner, [j]);
  }
  return cronjobs
    .map((c) => {
      const recentRuns = (owned.get(c) ?? []).sort(newestFirst).slice(0, JOB_RUNS_MAX).map(jobRun);
      return {
        name: c.metadata?.name ?? '',
        schedule: c.spec?.schedule ?? '',
        suspended: c.spec?.suspend ?? false,
        lastScheduleTime: isoTime(c.status?.lastScheduleTime),
        lastSuccessfulTime: isoTime(c.status?.lastSuccessfulTime),
        lastRun: recentRuns[0] ?? null,
        recentRuns,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
