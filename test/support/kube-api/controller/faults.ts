// Pod faults a test can switch on: per pod, or per workload (a Deployment or
// Job name) for its current and future pods. The kubelet simulation reads
// them on every tick; clearing a fault lets the pod recover.
import type { Store } from '../store';
import type { KubeObject } from '../types';

export type PodFault = 'CrashLoopBackOff' | 'ImagePullBackOff' | 'Pending' | 'Evicted';

export class FaultState {
  private readonly pods = new Map<string, PodFault>();
  private readonly workloads = new Map<string, { fault: PodFault; at: number }>();
  /** Logical clock: a workload fault hits pods that first became ready at or after it was set. */
  private seq = 0;

  get clock(): number {
    return this.seq;
  }

  setPod(ns: string, pod: string, fault: PodFault | null): void {
    if (fault) this.pods.set(`${ns}/${pod}`, fault);
    else this.pods.delete(`${ns}/${pod}`);
  }

  setWorkload(ns: string, workload: string, fault: PodFault | null): void {
    if (fault) this.workloads.set(`${ns}/${workload}`, { fault, at: ++this.seq });
    else this.workloads.delete(`${ns}/${workload}`);
  }

  get empty(): boolean {
    return this.pods.size === 0 && this.workloads.size === 0;
  }

  clear(): void {
    this.pods.clear();
    this.workloads.clear();
  }

  /** The fault for a pod: set on the pod itself (`direct`), or on its workload at logical time `at`. */
  forPod(store: Store, pod: KubeObject): { fault: PodFault; direct: boolean; at: number } | undefined {
    if (this.empty) return undefined;
    const ns = pod.metadata.namespace ?? '';
    const direct = this.pods.get(`${ns}/${pod.metadata.name}`);
    if (direct) return { fault: direct, direct: true, at: 0 };
    const workload = workloadOf(store, pod);
    const inherited = workload ? this.workloads.get(`${ns}/${workload}`) : undefined;
    return inherited ? { fault: inherited.fault, direct: false, at: inherited.at } : undefined;
  }
}

/** Deployment name (via the owning ReplicaSet) or Job name of a pod. */
export function workloadOf(store: Store, pod: KubeObject): string | undefined {
  const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
  if (!ref) return undefined;
  if (ref.kind === 'Job') return ref.name;
  if (ref.kind !== 'ReplicaSet') return ref.name;
  const rs = store.peek('replicasets', pod.metadata.namespace, ref.name);
  return rs?.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Deployment')?.name ?? ref.name;
}
