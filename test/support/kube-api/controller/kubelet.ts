// Scheduler + kubelet simulation: moves pods through the phases and status
// shapes a real node reports (Pending/unscheduled → ContainerCreating →
// Running+Ready; job pods → Succeeded), applies injected faults
// (CrashLoopBackOff, ImagePullBackOff, unschedulable Pending, Evicted), and
// completes graceful deletions. Time is counted in controller ticks.
import { createHash } from 'node:crypto';
import type { Registry } from '../registry';
import type { Condition, ContainerStatus, Pod } from '../types';
import { clone, hex, rfc3339 } from '../util';
import type { EventRecorder } from './events';
import type { FaultState, PodFault } from './faults';

export interface KubeletTiming {
  /** Ticks a new pod waits before it is bound to a node. */
  scheduleTicks: number;
  /** Ticks from bound to containers running and ready (image pull, start). */
  startTicks: number;
  /** Ticks a deleted pod stays Terminating. */
  terminateTicks: number;
  /** Ticks a Job's pod runs before it succeeds. */
  jobRunTicks: number;
  /** Ticks between restarts of a crash-looping container. */
  crashLoopTicks: number;
}

const DEFAULT_NODES = ['ip-10-0-1-23.ec2.internal', 'ip-10-0-2-41.ec2.internal', 'ip-10-0-3-17.ec2.internal'];

function setCondition(pod: Pod, type: string, status: Condition['status'], reason?: string, message?: string): void {
  const conds = (pod.status!.conditions ??= []);
  const now = rfc3339();
  const existing = conds.find((c) => c.type === type);
  const next: Condition = { type, status, lastProbeTime: null, lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : now };
  if (reason) next.reason = reason;
  if (message) next.message = message;
  const idx = conds.findIndex((c) => c.type === type);
  if (idx >= 0) conds[idx] = next;
  else conds.push(next);
}

function imageId(image: string): string {
  const repo = image.split('@')[0].replace(/:[^/:]+$/, '');
  return `${repo}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

export class KubeletSim {
  private readonly progress = new Map<string, { stage: string; ticks: number }>();
  /** Fault clock value when each pod first became ready (see FaultState). */
  private readonly readyAt = new Map<string, number>();
  private nextNode = 0;

  constructor(
    private readonly registry: Registry,
    private readonly recorder: EventRecorder,
    private readonly faults: FaultState,
    private readonly timing: KubeletTiming,
  ) {}

  private nodes(): string[] {
    const names = this.registry.store.list('nodes').map((n) => n.metadata.name!);
    return names.length > 0 ? names : DEFAULT_NODES;
  }

  /** Ticks spent in `stage` (resets when the stage changes). */
  private age(uid: string, stage: string): number {
    const p = this.progress.get(uid);
    if (!p || p.stage !== stage) {
      this.progress.set(uid, { stage, ticks: 0 });
      return 0;
    }
    return ++p.ticks;
  }

  tick(): void {
    const live = new Set<string>();
    for (const obj of this.registry.store.scan('pods')) {
      const pod = obj as Pod;
      live.add(pod.metadata.uid!);
      if (!this.idle(pod)) this.step(clone(pod));
    }
    for (const uid of this.progress.keys()) if (!live.has(uid)) this.progress.delete(uid);
    for (const uid of this.readyAt.keys()) if (!live.has(uid)) this.readyAt.delete(uid);
  }

  /** Steady pods (running and ready, or finished) need no work; most pods are, most of the time. */
  private idle(pod: Pod): boolean {
    if (pod.metadata.deletionTimestamp) return false;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return true;
    if (phase !== 'Running' || this.faults.forPod(this.registry.store, pod)) return false;
    if (pod.metadata.ownerReferences?.some((r) => r.kind === 'Job' && r.controller)) return false;
    return (pod.status?.containerStatuses ?? []).every((cs) => cs.ready && cs.state.running);
  }

  private write(pod: Pod): void {
    this.registry.writeAsController('pods', pod);
  }

  private kubeletEvent(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    this.recorder.record(pod, type, reason, message, { component: 'kubelet', host: pod.spec.nodeName }, container ? `spec.containers{${container}}` : undefined);
  }

  private step(pod: Pod): void {
    const uid = pod.metadata.uid!;
    pod.status ??= { phase: 'Pending' };
    const phase = pod.status.phase ?? 'Pending';
    const f = this.faults.forPod(this.registry.store, pod);
    // A fault set on the pod hits it now; one set on its workload hits pods not ready before it was set.
    const readyAt = this.readyAt.get(uid);
    const fault: PodFault | undefined = f && (f.direct || readyAt === undefined || readyAt >= f.at) ? f.fault : undefined;

    if (pod.metadata.deletionTimestamp) {
      if (this.age(uid, 'terminating') === 0) {
        for (const c of pod.spec.containers) this.kubeletEvent(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, c.name);
      }
      if (phase === 'Succeeded' || phase === 'Failed' || this.progress.get(uid)!.ticks >= this.timing.terminateTicks)
        this.registry.store.remove('pods', pod.metadata.namespace, pod.metadata.name!);
      return;
    }
    if (phase === 'Succeeded' || phase === 'Failed') return;

    if (fault === 'Pending' && f?.direct && pod.spec.nodeName) {
      // Test shortcut: a pod told to be Pending goes back to unschedulable.
      delete pod.spec.nodeName;
      pod.status = { phase: 'Pending', qosClass: pod.status.qosClass };
      this.write(pod);
      return;
    }

    if (!pod.spec.nodeName) return this.schedule(pod, fault);
    if (fault === 'Evicted') return this.evict(pod);
    if (phase === 'Pending') return this.start(pod, fault);
    return this.run(pod, fault);
  }

  private schedule(pod: Pod, fault: PodFault | undefined): void {
    const uid = pod.metadata.uid!;
    const ticks = this.age(uid, fault === 'Pending' ? 'unschedulable' : 'unscheduled');
    if (fault === 'Pending') {
      const n = this.nodes().length;
      const message = `0/${n} nodes are available: ${n} Insufficient cpu. preemption: 0/${n} nodes are available: ${n} No preemption victims found for incoming pod.`;
      setCondition(pod, 'PodScheduled', 'False', 'Unschedulable', message);
      if (ticks % 10 === 0) this.recorder.record(pod, 'Warning', 'FailedScheduling', message, { component: 'default-scheduler' });
      this.write(pod);
      return;
    }
    if (ticks < this.timing.scheduleTicks) return;
    const nodes = this.nodes();
    const node = nodes[this.nextNode++ % nodes.length];
    pod.spec.nodeName = node;
    const hostIP = /ip-(\d+)-(\d+)-(\d+)-(\d+)/.exec(node)?.slice(1).join('.') ?? '10.0.0.10';
    const podIP = `10.0.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 2}`;
    const now = rfc3339();
    pod.status = {
      ...pod.status,
      phase: 'Pending',
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: now,
    };
    setCondition(pod, 'PodReadyToStartContainers', 'False');
    setCondition(pod, 'Initialized', 'True');
    setCondition(pod, 'Ready', 'False', 'ContainersNotReady', `containers with unready status: [${pod.spec.containers.map((c) => c.name).join(' ')}]`);
    setCondition(pod, 'ContainersReady', 'False', 'ContainersNotReady', `containers with unready status: [${pod.spec.containers.map((c) => c.name).join(' ')}]`);
    setCondition(pod, 'PodScheduled', 'True');
    pod.status.containerStatuses = pod.spec.containers.map(
      (c): ContainerStatus => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready: false,
        started: false,
        restartCount: 0,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
      }),
    );
    this.write(pod);
    this.recorder.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`, {
      component: 'default-scheduler',
    });
  }

  private start(pod: Pod, fault: PodFault | undefined): void {
    const uid = pod.metadata.uid!;
    const ticks = this.age(uid, fault === 'ImagePullBackOff' ? 'pull-failing' : 'creating');
    if (fault === 'ImagePullBackOff') {
      if (ticks > 0 && ticks % 3 !== 0) return;
      const first = ticks === 0;
      for (const cs of pod.status!.containerStatuses ?? []) {
        const reason = first ? 'ErrImagePull' : 'ImagePullBackOff';
        const message = first
          ? `failed to pull and unpack image "${cs.image}": failed to resolve reference "${cs.image}": ${cs.image}: not found`
          : `Back-off pulling image "${cs.image}"`;
        cs.state = { waiting: { reason, message } };
        if (first) {
          this.kubeletEvent(pod, 'Normal', 'Pulling', `Pulling image "${cs.image}"`, cs.name);
          this.kubeletEvent(pod, 'Warning', 'Failed', `Failed to pull image "${cs.image}": ${message}`, cs.name);
          this.kubeletEvent(pod, 'Warning', 'Failed', 'Error: ErrImagePull', cs.name);
        } else {
          this.kubeletEvent(pod, 'Normal', 'BackOff', `Back-off pulling image "${cs.image}"`, cs.name);
          this.kubeletEvent(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', cs.name);
        }
      }
      setCondition(pod, 'PodReadyToStartContainers', 'True');
      this.write(pod);
      return;
    }
    if (ticks < this.timing.startTicks) return;
    const now = rfc3339();
    for (const cs of pod.status!.containerStatuses ?? []) {
      this.kubeletEvent(pod, 'Normal', 'Pulled', `Container image "${cs.image}" already present on machine`, cs.name);
      this.kubeletEvent(pod, 'Normal', 'Created', `Created container: ${cs.name}`, cs.name);
      this.kubeletEvent(pod, 'Normal', 'Started', `Started container ${cs.name}`, cs.name);
      cs.imageID = imageId(cs.image);
      cs.containerID = `containerd://${hex(32)}`;
      cs.state = { running: { startedAt: now } };
      cs.started = true;
      cs.ready = true;
    }
    pod.status!.phase = 'Running';
    setCondition(pod, 'PodReadyToStartContainers', 'True');
    this.markReady(pod, true);
    this.write(pod);
  }

  private markReady(pod: Pod, ready: boolean): void {
    const names = (pod.status!.containerStatuses ?? []).filter((c) => !c.ready).map((c) => c.name);
    if (ready) {
      setCondition(pod, 'Ready', 'True');
      setCondition(pod, 'ContainersReady', 'True');
      if (!this.readyAt.has(pod.metadata.uid!)) this.readyAt.set(pod.metadata.uid!, this.faults.clock);
    } else {
      const msg = `containers with unready status: [${names.join(' ')}]`;
      setCondition(pod, 'Ready', 'False', 'ContainersNotReady', msg);
      setCondition(pod, 'ContainersReady', 'False', 'ContainersNotReady', msg);
    }
  }

  private run(pod: Pod, fault: PodFault | undefined): void {
    const uid = pod.metadata.uid!;
    const isJobPod = pod.metadata.ownerReferences?.some((r) => r.kind === 'Job' && r.controller);
    const restartPolicy = pod.spec.restartPolicy ?? 'Always';
    const now = rfc3339();

    if (fault === 'CrashLoopBackOff') {
      const ticks = this.age(uid, 'crashing');
      if (ticks % this.timing.crashLoopTicks !== 0) return;
      for (const cs of pod.status!.containerStatuses ?? []) {
        const startedAt = cs.state.running?.startedAt ?? cs.lastState.terminated?.finishedAt ?? now;
        const terminated = { exitCode: 1, reason: 'Error', startedAt, finishedAt: now, containerID: cs.containerID };
        if (restartPolicy === 'Never') {
          cs.state = { terminated };
          cs.ready = false;
          cs.started = false;
          continue;
        }
        cs.restartCount += 1;
        const backoff = Math.min(300, 10 * 2 ** (cs.restartCount - 1));
        cs.lastState = { terminated };
        cs.state = {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${backoff >= 60 ? `${Math.floor(backoff / 60)}m${backoff % 60}s` : `${backoff}s`} restarting failed container=${cs.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${uid})`,
          },
        };
        cs.ready = false;
        cs.started = false;
        this.kubeletEvent(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${cs.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${uid})`, cs.name);
      }
      if (restartPolicy === 'Never') {
        pod.status!.phase = 'Failed';
        setCondition(pod, 'Ready', 'False', 'PodFailed');
        setCondition(pod, 'ContainersReady', 'False', 'PodFailed');
      } else this.markReady(pod, false);
      this.write(pod);
      return;
    }

    if (fault === 'ImagePullBackOff') {
      for (const cs of pod.status!.containerStatuses ?? []) {
        cs.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${cs.image}"` } };
        cs.ready = false;
        cs.started = false;
      }
      this.markReady(pod, false);
      this.write(pod);
      return;
    }

    // Recovered from a fault: containers run again.
    const statuses = pod.status!.containerStatuses ?? [];
    if (statuses.some((cs) => !cs.ready || !cs.state.running)) {
      for (const cs of statuses) {
        if (cs.state.running && cs.ready) continue;
        cs.state = { running: { startedAt: now } };
        cs.imageID ||= imageId(cs.image);
        cs.containerID = `containerd://${hex(32)}`;
        cs.ready = true;
        cs.started = true;
        this.kubeletEvent(pod, 'Normal', 'Started', `Started container ${cs.name}`, cs.name);
      }
      this.markReady(pod, true);
      this.write(pod);
      return;
    }

    if (isJobPod && this.age(uid, 'job-running') >= this.timing.jobRunTicks) {
      for (const cs of statuses) {
        cs.state = { terminated: { exitCode: 0, reason: 'Completed', startedAt: cs.state.running?.startedAt, finishedAt: now, containerID: cs.containerID } };
        cs.ready = false;
        cs.started = false;
      }
      pod.status!.phase = 'Succeeded';
      setCondition(pod, 'Ready', 'False', 'PodCompleted');
      setCondition(pod, 'ContainersReady', 'False', 'PodCompleted');
      this.write(pod);
    }
  }

  private evict(pod: Pod): void {
    const c = pod.spec.containers[0];
    const message = `The node was low on resource: memory. Threshold quantity: 100Mi, available: 81Mi. Container ${c.name} was using 1523Mi, request is 128Mi, has larger consumption of memory. `;
    const now = rfc3339();
    pod.status!.phase = 'Failed';
    pod.status!.reason = 'Evicted';
    pod.status!.message = message;
    for (const cs of pod.status!.containerStatuses ?? []) {
      cs.state = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', startedAt: cs.state.running?.startedAt, finishedAt: now } };
      cs.ready = false;
      cs.started = false;
    }
    setCondition(pod, 'DisruptionTarget', 'True', 'TerminationByKubelet', message);
    setCondition(pod, 'Ready', 'False', 'PodFailed');
    setCondition(pod, 'ContainersReady', 'False', 'PodFailed');
    this.write(pod);
    this.kubeletEvent(pod, 'Warning', 'Evicted', message);
  }
}
