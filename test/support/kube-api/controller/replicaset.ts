// ReplicaSet controller: keeps the number of active pods at spec.replicas
// (creating `<rs>-<suffix>` pods from the template, deleting the least
// useful ones first) and reports status.{replicas,readyReplicas,
// availableReplicas,...} the way the real controller counts them.
import type { Registry } from '../registry';
import { storageType } from '../resources';
import type { Pod, ReplicaSet } from '../types';
import { clone, deepEqual, randomSuffix } from '../util';
import type { EventRecorder } from './events';

export function isPodActive(p: Pod): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

export function isPodReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function ownedBy(uid: string | undefined) {
  return (o: { metadata: { ownerReferences?: { uid: string; controller?: boolean }[] } }) =>
    o.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller) ?? false;
}

/** Deletion preference of the real controller (controller.ActivePods ordering), simplified. */
function deletionRank(p: Pod): number[] {
  const phaseRank = p.status?.phase === 'Pending' ? 0 : p.status?.phase === 'Unknown' ? 1 : 2;
  const restarts = Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount));
  const created = Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return [p.spec.nodeName ? 1 : 0, phaseRank, isPodReady(p) ? 1 : 0, -restarts, -created];
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** Pods indexed by their controller's uid (one pass over the stored pods). */
export function podsByOwner(registry: Registry): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of registry.store.scan('pods')) {
    const ref = p.metadata.ownerReferences?.find((r) => r.controller);
    if (!ref) continue;
    let list = out.get(ref.uid);
    if (!list) out.set(ref.uid, (list = []));
    list.push(p as Pod);
  }
  return out;
}

export class ReplicaSetController {
  constructor(
    private readonly registry: Registry,
    private readonly recorder: EventRecorder,
  ) {}

  tick(): void {
    const byOwner = podsByOwner(this.registry);
    for (const obj of this.registry.store.scan('replicasets')) this.sync(obj as ReplicaSet, byOwner.get(obj.metadata.uid!) ?? []);
  }

  /** `rs` and `pods` are the stored objects (read-only); writes go through the registry. */
  private sync(rs: ReplicaSet, pods: Pod[]): void {
    if (rs.metadata.deletionTimestamp) return;
    const ns = rs.metadata.namespace!;
    const podType = storageType('pods');
    const source = { component: 'replicaset-controller' };
    const active = pods.filter(isPodActive);
    const want = rs.spec.replicas ?? 1;

    if (active.length < want) {
      for (let i = active.length; i < want; i++) {
        const tmpl = clone(rs.spec.template);
        const pod: Pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${rs.metadata.name}-${randomSuffix(5)}`,
            generateName: `${rs.metadata.name}-`,
            namespace: ns,
            labels: tmpl.metadata?.labels,
            annotations: tmpl.metadata?.annotations,
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }],
          },
          spec: { ...(tmpl.spec ?? {}), containers: tmpl.spec?.containers ?? [] },
        };
        if (!pod.metadata.annotations) delete pod.metadata.annotations;
        const created = this.registry.create(podType, ns, pod) as Pod;
        active.push(created);
        this.recorder.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, source);
      }
    } else if (active.length > want) {
      const victims = [...active].sort((a, b) => compareRank(deletionRank(a), deletionRank(b))).slice(0, active.length - want);
      for (const v of victims) {
        this.registry.delete(podType, ns, v.metadata.name!);
        this.recorder.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${v.metadata.name}`, source);
      }
    }

    const now = this.registry.store.scan('pods', ns).filter(ownedBy(rs.metadata.uid)) as Pod[];
    const nowActive = now.filter(isPodActive);
    const ready = nowActive.filter(isPodReady).length;
    const status: NonNullable<ReplicaSet['status']> = {
      replicas: nowActive.length,
      fullyLabeledReplicas: nowActive.length,
      readyReplicas: ready,
      availableReplicas: ready,
      terminatingReplicas: now.filter((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length,
      observedGeneration: rs.metadata.generation,
    };
    for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const) if (status[k] === 0) delete status[k];
    if (!deepEqual(status, rs.status)) {
      const fresh = this.registry.store.get('replicasets', ns, rs.metadata.name!) as ReplicaSet | undefined;
      if (!fresh) return;
      fresh.status = status;
      this.registry.writeAsController('replicasets', fresh);
    }
  }
}
