// Maps Kubernetes objects to Gen3 services and their workload facts, by the
// gen3-helm names and labels (gen3-facts.md §2.3): Deployment
// `<chart>-deployment` (ssjdispatcher and sower without suffix,
// presigned-url-fence), pod label `app: <chart>`.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { type RolloutStatus, rolloutStatus } from '../core/rollout-status';
import type { WorkloadFacts } from '../core/types';
import { GEN3_SERVICES } from '../gen3/catalog';

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
  };
}

/** The release a commons runs: the most common YYYY.MM tag among its Gen3 images. */
export function releaseOf(images: string[]): string {
  const counts = new Map<string, number>();
  for (const img of images) {
    const tag = img.slice(img.lastIndexOf(':') + 1);
    if (/^\d{4}\.\d{2}$/.test(tag)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0]))[0]?.[0] ?? '';
}
