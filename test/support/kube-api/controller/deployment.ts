// Deployment controller, following pkg/controller/deployment: a template
// change creates ReplicaSet `<deploy>-<pod-template-hash>` with the next
// revision; RollingUpdate scales it up within maxSurge and old ReplicaSets
// down within maxUnavailable (Recreate: old to zero first); status and the
// Available/Progressing conditions are computed as the real controller does,
// so `kubectl rollout status` logic (observedGeneration, updatedReplicas,
// availableReplicas, NewReplicaSetAvailable, ProgressDeadlineExceeded) works.
import type { Registry } from '../registry';
import { storageType } from '../resources';
import type { Condition, Deployment, ReplicaSet } from '../types';
import { clone, deepEqual, podTemplateHash, rfc3339 } from '../util';
import type { EventRecorder } from './events';
import { ownedBy } from './replicaset';

const REVISION = 'deployment.kubernetes.io/revision';
const DESIRED = 'deployment.kubernetes.io/desired-replicas';
const MAX = 'deployment.kubernetes.io/max-replicas';
/** Annotations the controller does not copy from a Deployment to its ReplicaSets. */
const NOT_COPIED = new Set([REVISION, 'deployment.kubernetes.io/revision-history', DESIRED, MAX, 'kubectl.kubernetes.io/last-applied-configuration']);

function intOrPercent(v: number | string | undefined, total: number, roundUp: boolean, dflt: string): number {
  const value = v ?? dflt;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number(value) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** maxSurge / maxUnavailable resolved against spec.replicas (both 0 → maxUnavailable 1). */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  const replicas = d.spec.replicas ?? 1;
  if (d.spec.strategy?.type === 'Recreate') return { surge: 0, unavailable: 0 };
  const ru = d.spec.strategy?.rollingUpdate;
  const surge = intOrPercent(ru?.maxSurge, replicas, true, '25%');
  let unavailable = intOrPercent(ru?.maxUnavailable, replicas, false, '25%');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function maxUnavailable(d: Deployment): number {
  const replicas = d.spec.replicas ?? 1;
  if (d.spec.strategy?.type !== 'RollingUpdate' || replicas === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, replicas);
}

function revisionOf(rs: ReplicaSet): number {
  return Number(rs.metadata.annotations?.[REVISION] ?? 0);
}

function templateWithoutHash(rs: ReplicaSet): unknown {
  const t = clone(rs.spec.template);
  if (t.metadata?.labels) {
    delete t.metadata.labels['pod-template-hash'];
  }
  return t;
}

const sum = (list: ReplicaSet[], f: (rs: ReplicaSet) => number | undefined) => list.reduce((n, rs) => n + (f(rs) ?? 0), 0);

function setCondition(conds: Condition[], c: Condition): Condition[] {
  const existing = conds.find((x) => x.type === c.type);
  if (existing && existing.status === c.status && existing.reason === c.reason) return conds;
  if (existing && existing.status === c.status) c.lastTransitionTime = existing.lastTransitionTime;
  return [...conds.filter((x) => x.type !== c.type), c];
}

function condition(type: string, status: Condition['status'], reason: string, message: string): Condition {
  const now = rfc3339();
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/** `kubectl rollout status` success: the spec is observed and every replica is updated and available. */
export function rolloutComplete(d: Deployment): boolean {
  const s = d.status ?? {};
  const replicas = d.spec.replicas ?? 1;
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return false;
  const updated = s.updatedReplicas ?? 0;
  return updated >= replicas && (s.replicas ?? 0) <= updated && (s.availableReplicas ?? 0) >= updated;
}

export class DeploymentController {
  constructor(
    private readonly registry: Registry,
    private readonly recorder: EventRecorder,
  ) {}

  tick(): void {
    for (const obj of this.registry.store.scan('deployments')) this.sync(obj as Deployment);
  }

  private replicaSets(d: Deployment): ReplicaSet[] {
    return (this.registry.store.scan('replicasets', d.metadata.namespace).filter(ownedBy(d.metadata.uid)) as ReplicaSet[]).sort(
      (a, b) => Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '') || revisionOf(a) - revisionOf(b),
    );
  }

  private scaleRS(d: Deployment, rs: ReplicaSet, replicas: number): ReplicaSet {
    const fresh = this.registry.store.get('replicasets', rs.metadata.namespace, rs.metadata.name!) as ReplicaSet;
    const old = fresh.spec.replicas ?? 0;
    const annotations = { ...fresh.metadata.annotations, [DESIRED]: String(d.spec.replicas ?? 1), [MAX]: String((d.spec.replicas ?? 1) + resolveFenceposts(d).surge) };
    if (old === replicas && deepEqual(annotations, fresh.metadata.annotations)) return fresh;
    fresh.metadata.annotations = annotations;
    if (old !== replicas) {
      fresh.spec.replicas = replicas;
      fresh.metadata.generation = (fresh.metadata.generation ?? 1) + 1;
    }
    const written = this.registry.writeAsController('replicasets', fresh) as ReplicaSet;
    if (old !== replicas)
      this.recorder.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${replicas > old ? 'up' : 'down'} replica set ${rs.metadata.name} from ${old} to ${replicas}`, {
        component: 'deployment-controller',
      });
    return written;
  }

  /** `d` and the ReplicaSets read here are the stored objects (read-only); writes use fresh copies. */
  private sync(d: Deployment): void {
    if (d.metadata.deletionTimestamp) return;
    const ns = d.metadata.namespace!;
    const all = this.replicaSets(d);
    let newRS = all.find((rs) => deepEqual(templateWithoutHash(rs), d.spec.template));
    let olds = all.filter((rs) => rs !== newRS);
    const replicas = d.spec.replicas ?? 1;
    let conditions = clone(d.status?.conditions ?? []);
    const maxRevision = Math.max(0, ...olds.map(revisionOf));

    if (!d.spec.paused) {
      if (!newRS) {
        newRS = this.createNewRS(d, all, maxRevision + 1);
        conditions = setCondition(conditions, condition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${newRS.metadata.name}"`));
      } else if (revisionOf(newRS) <= maxRevision) {
        // Rolling back to an older template: that ReplicaSet becomes the newest revision.
        const fresh = clone(newRS);
        fresh.metadata.annotations = { ...fresh.metadata.annotations, [REVISION]: String(maxRevision + 1) };
        newRS = this.registry.writeAsController('replicasets', fresh) as ReplicaSet;
      }
      const revision = newRS.metadata.annotations?.[REVISION];
      if (revision && d.metadata.annotations?.[REVISION] !== revision) {
        const fresh = this.registry.store.get('deployments', ns, d.metadata.name!) as Deployment;
        fresh.metadata.annotations = { ...fresh.metadata.annotations, [REVISION]: revision };
        d = this.registry.writeAsController('deployments', fresh) as Deployment;
      }
      if (d.spec.strategy?.type === 'Recreate') this.recreate(d, newRS, olds);
      else this.rolling(d, newRS, olds);
      newRS = this.registry.store.get('replicasets', ns, newRS.metadata.name!) as ReplicaSet;
      olds = this.replicaSets(d).filter((rs) => rs.metadata.uid !== newRS!.metadata.uid);
      this.cleanup(d, olds);
      olds = this.replicaSets(d).filter((rs) => rs.metadata.uid !== newRS!.metadata.uid);
    }

    const rsAll = newRS ? [...olds, newRS] : olds;
    const available = sum(rsAll, (rs) => rs.status?.availableReplicas);
    const total = sum(rsAll, (rs) => rs.spec.replicas);
    const status: NonNullable<Deployment['status']> = {
      observedGeneration: d.metadata.generation,
      replicas: sum(rsAll, (rs) => rs.status?.replicas),
      updatedReplicas: newRS?.status?.replicas ?? 0,
      readyReplicas: sum(rsAll, (rs) => rs.status?.readyReplicas),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      terminatingReplicas: sum(rsAll, (rs) => rs.status?.terminatingReplicas),
    };
    if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
    conditions =
      available >= replicas - maxUnavailable(d)
        ? setCondition(conditions, condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'))
        : setCondition(conditions, condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'));
    conditions = this.progress(d, newRS, status, conditions);
    status.conditions = conditions;
    // Go's omitempty: zero counts are absent on the wire (client code must treat undefined as 0).
    for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) if (status[k] === 0) delete status[k];
    if (!deepEqual(status, d.status)) {
      const fresh = this.registry.store.get('deployments', ns, d.metadata.name!) as Deployment;
      fresh.status = status;
      this.registry.writeAsController('deployments', fresh);
    }
  }

  /** Progressing condition (syncRolloutStatus). */
  private progress(d: Deployment, newRS: ReplicaSet | undefined, s: NonNullable<Deployment['status']>, conds: Condition[]): Condition[] {
    if (d.spec.paused) return setCondition(conds, condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'));
    const current = conds.find((c) => c.type === 'Progressing');
    const replicas = d.spec.replicas ?? 1;
    const rsName = newRS?.metadata.name;
    const complete =
      s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
    // Already complete and nothing new rolled out: the condition is left alone (even while scaling).
    if ((s.replicas ?? 0) === (s.updatedReplicas ?? 0) && current?.reason === 'NewReplicaSetAvailable') return conds;
    if (complete) return setCondition(conds, condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`));
    const prev = d.status ?? {};
    const progressed =
      (s.updatedReplicas ?? 0) > (prev.updatedReplicas ?? 0) ||
      (s.readyReplicas ?? 0) > (prev.readyReplicas ?? 0) ||
      (s.availableReplicas ?? 0) > (prev.availableReplicas ?? 0) ||
      (s.replicas ?? 0) - (s.updatedReplicas ?? 0) < (prev.replicas ?? 0) - (prev.updatedReplicas ?? 0);
    if (progressed) {
      const c = condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
      if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
      return [...conds.filter((x) => x.type !== 'Progressing'), c];
    }
    const deadline = d.spec.progressDeadlineSeconds ?? 600;
    if (current && current.reason !== 'NewReplicaSetAvailable' && current.reason !== 'ProgressDeadlineExceeded') {
      const since = Date.parse(current.lastUpdateTime ?? '');
      if (Number.isFinite(since) && since + deadline * 1000 < Date.now())
        return setCondition(conds, condition('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`));
    }
    return conds;
  }

  private createNewRS(d: Deployment, all: ReplicaSet[], revision: number): ReplicaSet {
    const hash = podTemplateHash(d.spec.template, d.status?.collisionCount);
    const template = clone(d.spec.template);
    template.metadata ??= {};
    template.metadata.labels = { ...template.metadata.labels, 'pod-template-hash': hash };
    const replicas = d.spec.replicas ?? 1;
    const { surge } = resolveFenceposts(d);
    // NewRSNewReplicas: the first ReplicaSet gets everything; later ones start within maxSurge.
    let initial = replicas;
    if (d.spec.strategy?.type !== 'Recreate' && all.length > 0) {
      const current = sum(all, (rs) => rs.spec.replicas);
      initial = Math.max(0, Math.min(replicas + surge - current, replicas));
    } else if (d.spec.strategy?.type === 'Recreate' && all.some((rs) => (rs.spec.replicas ?? 0) > 0)) initial = 0;
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!NOT_COPIED.has(k)) annotations[k] = v;
    annotations[DESIRED] = String(replicas);
    annotations[MAX] = String(replicas + surge);
    annotations[REVISION] = String(revision);
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: template.metadata.labels,
        annotations,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        replicas: initial,
        minReadySeconds: d.spec.minReadySeconds ?? 0,
        selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector.matchLabels, 'pod-template-hash': hash } },
        template,
      },
    };
    const created = this.registry.create(storageType('replicasets'), d.metadata.namespace, rs, { keepStatus: true }) as ReplicaSet;
    if (initial > 0)
      this.recorder.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${initial}`, {
        component: 'deployment-controller',
      });
    return created;
  }

  private rolling(d: Deployment, newRS: ReplicaSet, olds: ReplicaSet[]): void {
    const replicas = d.spec.replicas ?? 1;
    const { surge } = resolveFenceposts(d);
    const all = [...olds, newRS];
    const newReplicas = newRS.spec.replicas ?? 0;
    // reconcileNewReplicaSet
    if (newReplicas > replicas) {
      this.scaleRS(d, newRS, replicas);
      return;
    }
    if (newReplicas < replicas) {
      const current = sum(all, (rs) => rs.spec.replicas);
      const maxTotal = replicas + surge;
      if (current < maxTotal) {
        const target = newReplicas + Math.min(maxTotal - current, replicas - newReplicas);
        this.scaleRS(d, newRS, target);
        return;
      }
    } else this.scaleRS(d, newRS, newReplicas); // refresh desired/max annotations
    // reconcileOldReplicaSets
    const oldPods = sum(olds, (rs) => rs.spec.replicas);
    if (oldPods === 0) return;
    const allPods = sum(all, (rs) => rs.spec.replicas);
    const minAvailable = replicas - maxUnavailable(d);
    const newUnavailable = (newRS.spec.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;
    // cleanupUnhealthyReplicas: old pods that are not available go first.
    let cleaned = 0;
    const current = olds.map((rs) => this.registry.store.get('replicasets', rs.metadata.namespace, rs.metadata.name!) as ReplicaSet);
    for (let i = 0; i < current.length && cleaned < maxScaledDown; i++) {
      const rs = current[i];
      const unhealthy = (rs.spec.replicas ?? 0) - (rs.status?.availableReplicas ?? 0);
      if ((rs.spec.replicas ?? 0) === 0 || unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - cleaned, unhealthy);
      current[i] = this.scaleRS(d, rs, (rs.spec.replicas ?? 0) - n);
      cleaned += n;
    }
    // scaleDownOldReplicaSetsForRollingUpdate
    const availableNow = sum([...current, newRS], (rs) => rs.status?.availableReplicas);
    if (availableNow <= minAvailable) return;
    let budget = availableNow - minAvailable;
    for (const rs of current) {
      if (budget <= 0) break;
      const r = rs.spec.replicas ?? 0;
      if (r === 0) continue;
      const n = Math.min(r, budget);
      this.scaleRS(d, rs, r - n);
      budget -= n;
    }
  }

  private recreate(d: Deployment, newRS: ReplicaSet, olds: ReplicaSet[]): void {
    const active = olds.filter((rs) => (rs.spec.replicas ?? 0) > 0);
    for (const rs of active) this.scaleRS(d, rs, 0);
    if (active.length > 0) return;
    const stillRunning = this.registry.store
      .scan('pods', d.metadata.namespace)
      .filter((p) => olds.some((rs) => ownedBy(rs.metadata.uid)(p)));
    if (stillRunning.length > 0) return;
    this.scaleRS(d, newRS, d.spec.replicas ?? 1);
  }

  /** revisionHistoryLimit: old, empty ReplicaSets beyond the limit are deleted, oldest revision first. */
  private cleanup(d: Deployment, olds: ReplicaSet[]): void {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const empty = olds.filter((rs) => (rs.spec.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0).sort((a, b) => revisionOf(a) - revisionOf(b));
    const excess = empty.length - limit;
    for (let i = 0; i < excess; i++) this.registry.delete(storageType('replicasets'), d.metadata.namespace, empty[i].metadata.name!);
  }
}
