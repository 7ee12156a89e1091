// An in-process model of a Gen3 commons that behaves like a cluster would:
// a restart rolls pods one by one (readiness dips, then recovers), a scale
// changes ready replicas over time, a config write bumps a revision. Faults
// can be injected. Its durable part (what etcd would hold) is saved to a file
// so that an agent killed mid-command finds the commons as it left it.
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { rolloutStatus } from '../core/rollout-status';
import type { CommonsIdentity, ConfigFacts, CronJobFacts, WorkloadFacts } from '../core/types';
import { type ChartCronJob, cronFiresAt, lastFireTime, renderedCronJobs } from '../gen3/cronjobs';
import { JOB_RUNS_MAX } from '../../contracts/api';
import { DEFAULT_ENABLED, gen3Service, imageFor } from '../../contracts/gen3/catalog';
import { writeFileDurably } from '../core/durable-file';
import { releaseOf } from '../kubernetes/workloads';
import { SimPodLogs } from './sim-logs';

/** down: no ready pod; crashloop: pods restart; slow: answers late; error: pods up, the service answers 500 as it really does. */
export type Fault = 'none' | 'down' | 'slow' | 'crashloop' | 'error';

/**
 * The CronJobs of a simulated commons: those gen3-helm 42cc46bc renders for
 * its services' charts with the default values, or with `values` (see
 * agent/gen3/cronjobs.ts): usersync only with 'fence.usersync.usersync'.
 */
export function simCronJobs(services: readonly string[], values?: Readonly<Record<string, boolean>>): ChartCronJob[] {
  // presigned-url-fence is rendered by the fence chart; every other service by its own.
  const charts = services.map((s) => (s === 'presigned-url-fence' ? 'fence' : s));
  return renderedCronJobs(charts, values);
}
export const FAULTS: readonly Fault[] = ['none', 'down', 'slow', 'crashloop', 'error'];

export interface SimOptions extends CommonsIdentity {
  release: string;
  services?: string[];
  /** Replica count per service; defaults follow production commons (gen3-facts §6.1). */
  replicas?: Record<string, number>;
  tickMs?: number;
  podStartMs?: number;
  stateFile?: string;
  /** gen3-helm values that switch CronJobs on or off, by umbrella path ('fence.usersync.usersync': true). */
  cronJobValues?: Record<string, boolean>;
}

/** A Job of the simulated commons, started by a CronJob's schedule or by hand. */
interface SimJob {
  name: string;
  cronjob: string;
  startedAt: number;
  completesAt: number;
  manual: boolean;
}

interface SimCronJob {
  spec: ChartCronJob;
  lastScheduleTime: number | null;
  lastSuccessfulTime: number | null;
  /** The Jobs it owns, newest first, at most SIM_JOB_HISTORY (older ones are gone, as history limits remove them). */
  runs: SimJob[];
}

/** How many Jobs a simulated CronJob keeps: as many as the agent reports (CronJobState.recent_runs). */
export const SIM_JOB_HISTORY = JOB_RUNS_MAX;
/** Past scheduled runs a new simulated commons starts with, as one that has been up a while shows. */
const SEEDED_RUNS = 3;

interface Pod {
  name: string;
  template: string;
  startedAt: number;
  readyAt: number;
}

/** A change to the commons' pods, for what writes their logs and events (sim-activity.ts). */
export type PodChange =
  | { type: 'started'; service: string; pod: string; replicaSet: string; image: string; atMs: number }
  | { type: 'removed'; service: string; pod: string; replicaSet: string; atMs: number }
  | { type: 'restarted'; service: string; pod: string; atMs: number }
  | { type: 'scaled'; service: string; deployment: string; replicaSet: string; from: number; to: number; atMs: number };

/** A pod as the simulated kubelet has it. */
export interface SimPodState {
  name: string;
  service: string;
  replicaSet: string;
  startedAt: number;
  ready: boolean;
}

interface ServiceModel {
  name: string;
  deployment: string;
  desired: number;
  image: string;
  restartedAt: string | null;
  pods: Pod[];
  fault: Fault;
  restartCount: number;
  /** Effects, counted so tests can prove a repeated command had none. */
  rollouts: number;
  scales: number;
}

interface Durable {
  release: string;
  config: ConfigFacts;
  configWrites: number;
  services: Record<string, Omit<ServiceModel, 'pods' | 'name' | 'deployment'> & { runningTemplate: string }>;
  /** `runs` absent in a state file written before runs were kept: `lastRun` alone is known. */
  cronjobs?: Record<string, Omit<SimCronJob, 'spec' | 'runs'> & { runs?: SimJob[]; lastRun?: SimJob | null }>;
}

const DEFAULT_REPLICAS: Record<string, number> = { indexd: 4, fence: 3, 'presigned-url-fence': 3, revproxy: 4, arborist: 3, peregrine: 3 };

/** A Deployment's ReplicaSet for a pod template: `<deployment>-<pod-template-hash>`. */
export function replicaSetName(deployment: string, template: string): string {
  return `${deployment}-${template.slice(0, 9)}`;
}

export function templateOf(image: string, restartedAt: string | null): string {
  return createHash('sha256').update(`${image}|${restartedAt ?? ''}`).digest('hex').slice(0, 10);
}

export class SimCommons extends EventEmitter {
  readonly identity: CommonsIdentity;
  /** The release the commons was seeded with (its images before any deploy). */
  private readonly seededRelease: string;
  config: ConfigFacts = { revision: 1, data: {} };
  configWrites = 0;
  networkCut = false;
  /** Every pod's container logs (sim-logs.ts). */
  readonly logs = new SimPodLogs();
  private readonly services = new Map<string, ServiceModel>();
  private readonly tickMs: number;
  private readonly podStartMs: number;
  private timer: NodeJS.Timeout | null = null;
  private podSeq = 0;
  /** The commons' CronJobs by name, each with its recent Jobs. */
  private readonly cronjobMap = new Map<string, SimCronJob>();
  /** The last minute whose schedules were looked at. */
  private scheduledMinute = 0;

  constructor(private readonly opts: SimOptions) {
    super();
    this.identity = { hostname: opts.hostname, environment: opts.environment, name: opts.name, namespace: opts.namespace };
    this.seededRelease = opts.release;
    this.tickMs = opts.tickMs ?? 500;
    this.podStartMs = opts.podStartMs ?? 1500;
    const saved = opts.stateFile && existsSync(opts.stateFile) ? (JSON.parse(readFileSync(opts.stateFile, 'utf8')) as Durable) : null;
    this.config = saved?.config ?? {
      revision: 1,
      data: { hostname: opts.hostname, environment: opts.environment, maintenance_mode: 'off', tier_access_level: 'private', netpolicy: 'on' },
    };
    this.configWrites = saved?.configWrites ?? 0;
    if (saved) this.seededRelease = saved.release;
    for (const name of opts.services ?? DEFAULT_ENABLED) {
      const spec = gen3Service(name);
      if (!spec) throw new Error(`unknown Gen3 service ${name}`);
      const s = saved?.services[name];
      const desired = s?.desired ?? opts.replicas?.[name] ?? DEFAULT_REPLICAS[name] ?? 2;
      const image = s?.image ?? imageFor(spec, this.seededRelease);
      const model: ServiceModel = {
        name,
        deployment: spec.deployment,
        desired,
        image,
        restartedAt: s?.restartedAt ?? null,
        pods: [],
        fault: s?.fault ?? 'none',
        restartCount: s?.restartCount ?? 0,
        rollouts: s?.rollouts ?? 0,
        scales: s?.scales ?? 0,
      };
      // Pods come back as they last ran; an unfinished rollout resumes.
      const running = s?.runningTemplate ?? templateOf(image, model.restartedAt);
      model.pods = Array.from({ length: desired }, () => this.newPod(model, running, 0));
      this.services.set(name, model);
    }
    this.seedCronJobs(saved?.cronjobs);
  }

  start(): void {
    if (!this.timer) this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  serviceNames(): string[] {
    return [...this.services.keys()];
  }

  has(name: string): boolean {
    return this.services.has(name);
  }

  /** The names of a service's pods now (its Deployment's, as `kubectl get pods -l app=<service>` lists them). */
  podNames(name: string): string[] {
    return this.get(name).pods.map((p) => p.name);
  }

  private get(name: string): ServiceModel {
    const s = this.services.get(name);
    if (!s) throw new Error(`no service ${name} in ${this.identity.hostname}`);
    return s;
  }

  private newPod(s: ServiceModel, template: string, startDelay: number): Pod {
    const now = Date.now();
    return { name: `${replicaSetName(s.deployment, template)}-${(++this.podSeq).toString(36)}${randomBytes(2).toString('hex')}`, template, startedAt: now, readyAt: now + startDelay };
  }

  /** Starts a pod of the service (it is one of its pods when listeners hear of it). */
  private startPod(s: ServiceModel, template: string): void {
    const pod = this.newPod(s, template, this.podStartMs);
    s.pods.push(pod);
    this.change({ type: 'started', service: s.name, pod: pod.name, replicaSet: replicaSetName(s.deployment, template), image: s.image, atMs: pod.startedAt });
  }

  private change(c: PodChange): void {
    this.emit('pod', c);
  }

  private removed(s: ServiceModel, pods: Pod[], now: number): void {
    for (const p of pods) this.change({ type: 'removed', service: s.name, pod: p.name, replicaSet: replicaSetName(s.deployment, p.template), atMs: now });
  }

  /** A service's pods now, with their readiness. */
  podStates(name: string, now = Date.now()): SimPodState[] {
    const s = this.get(name);
    return s.pods.map((p) => ({ name: p.name, service: name, replicaSet: replicaSetName(s.deployment, p.template), startedAt: p.startedAt, ready: this.podReady(s, p, now) }));
  }

  private target(s: ServiceModel): string {
    return templateOf(s.image, s.restartedAt);
  }

  private podReady(s: ServiceModel, p: Pod, now: number): boolean {
    return now >= p.readyAt && s.fault !== 'down' && s.fault !== 'crashloop';
  }

  /** Advances every rollout and scale by one step, the way the Deployment controller would (maxUnavailable 1). */
  tick(now = Date.now()): void {
    this.runSchedules(now);
    let settled = false;
    for (const s of this.services.values()) {
      if (s.fault === 'crashloop' && Math.random() < 0.3) {
        s.restartCount += s.pods.length;
        for (const p of s.pods) this.change({ type: 'restarted', service: s.name, pod: p.name, atMs: now });
      }
      const target = this.target(s);
      const starting = s.pods.some((p) => now < p.readyAt);
      if (s.pods.length > s.desired) {
        // Scale down: old and unready pods go first.
        s.pods.sort((a, b) => Number(a.template === target) - Number(b.template === target) || b.readyAt - a.readyAt);
        this.removed(s, s.pods.splice(0, s.pods.length - s.desired), now);
        settled = true;
      } else if (s.pods.length < s.desired) {
        this.startPod(s, target);
      } else if (!starting) {
        const old = s.pods.findIndex((p) => p.template !== target);
        if (old >= 0) {
          // Terminate one old pod (ready count dips) and start its replacement.
          const oldRs = s.pods[old]!.template;
          const count = (t: string) => s.pods.filter((p) => p.template === t).length;
          const [oldN, newN] = [count(oldRs), count(target)];
          this.change({ type: 'scaled', service: s.name, deployment: s.deployment, replicaSet: replicaSetName(s.deployment, target), from: newN, to: newN + 1, atMs: now });
          this.change({ type: 'scaled', service: s.name, deployment: s.deployment, replicaSet: replicaSetName(s.deployment, oldRs), from: oldN, to: oldN - 1, atMs: now });
          this.removed(s, s.pods.splice(old, 1), now);
          this.startPod(s, target);
          if (!s.pods.some((p) => p.template !== target)) settled = true;
        }
      }
    }
    if (settled) this.persist();
    this.emit('tick', now);
  }

  workload(name: string, now = Date.now()): WorkloadFacts {
    const s = this.get(name);
    const target = this.target(s);
    const updated = s.pods.filter((p) => p.template === target).length;
    const ready = s.pods.filter((p) => this.podReady(s, p, now)).length;
    const rolling = updated < s.pods.length || s.pods.length !== s.desired || s.pods.some((p) => now < p.readyAt);
    return {
      name,
      deployment: s.deployment,
      desired: s.desired,
      ready,
      updated,
      image: s.image,
      restartedAt: s.restartedAt,
      restartCount: s.restartCount,
      reason: s.fault === 'crashloop' ? 'CrashLoopBackOff' : s.fault === 'down' ? 'Readiness probe failed: service stopped' : '',
      // Worded as kubectl rollout status words a real Deployment's rollout.
      rollout: rolling
        ? rolloutStatus({ name: s.deployment, generation: 1, observedGeneration: 1, desired: s.desired, replicas: s.pods.length, updated, available: ready, deadlineExceeded: false }).message
        : '',
    };
  }

  workloads(): WorkloadFacts[] {
    const now = Date.now();
    return this.serviceNames().map((n) => this.workload(n, now));
  }

  /** Serving pods and the injected fault, for the health endpoints. */
  serving(name: string): { ready: number; fault: Fault } {
    const s = this.get(name);
    const now = Date.now();
    return { ready: s.pods.filter((p) => this.podReady(s, p, now)).length, fault: s.fault };
  }

  /** Target state: pods carry restartedAt. Returns false when they already do. */
  restart(name: string, restartedAt: string): boolean {
    const s = this.get(name);
    if (s.restartedAt === restartedAt) return false;
    s.restartedAt = restartedAt;
    s.rollouts += 1;
    this.persist();
    return true;
  }

  /** Target state: the pod template runs `image`; a change rolls the pods as a restart does. False when it already does. */
  setImage(name: string, image: string): boolean {
    const s = this.get(name);
    if (s.image === image) return false;
    s.image = image;
    s.rollouts += 1;
    this.persist();
    return true;
  }

  /**
   * The release the commons reports: read from the images its Deployments
   * run, as the Kubernetes agent reads it, so a deploy that stopped half way
   * shows what is really running rather than what was there before.
   */
  get release(): string {
    return releaseOf([...this.services.values()].map((s) => s.image));
  }

    scale(name: string, replicas: number): boolean {
    const s = this.get(name);
    if (s.desired === replicas) return false;
    this.change({ type: 'scaled', service: name, deployment: s.deployment, replicaSet: replicaSetName(s.deployment, this.target(s)), from: s.desired, to: replicas, atMs: Date.now() });
    s.desired = replicas;
    s.scales += 1;
    this.persist();
    return true;
  }

  /**
   * An HPA on the service (a deploy's autoscaling values): like the real
   * controller with no load, it keeps the replicas within min–max.
   */
  autoscale(name: string, range: { min: number; max: number } | null): void {
    if (!this.has(name) || !range) return;
    const s = this.get(name);
    const want = Math.min(Math.max(s.desired, range.min), range.max);
    if (want !== s.desired) this.scale(name, want);
  }

  /**
   * manifest-global as a deploy's chart rendered it from global.* (as helm
   * does): the data replaced, the revision counted on when it changed.
   */
  renderConfig(data: Record<string, string>): void {
    if (JSON.stringify(data) === JSON.stringify(this.config.data)) return;
    this.config = { revision: this.config.revision + 1, data: { ...data } };
    this.persist();
    this.emit('tick');
  }

  /** Writes config revision `revision` over `base`; already there → 'already'; a different base → conflict. */
  writeConfig(revision: number, base: number, data: Record<string, string>): 'applied' | 'already' | { conflict: number } {
    if (this.config.revision === revision) return 'already';
    if (this.config.revision !== base) return { conflict: this.config.revision };
    this.config = { revision, data: { ...data } };
    this.configWrites += 1;
    this.persist();
    this.emit('tick');
    return 'applied';
  }

  /**
   * The CronJobs as the chart rendered them; each one's runs are its last few
   * scheduled times in the past two days, as a commons that has been up a
   * while shows (suspended ones and Feb 31st schedules never ran).
   */
  private seedCronJobs(saved: Durable['cronjobs']): void {
    const now = Date.now();
    for (const spec of simCronJobs(this.serviceNames(), this.opts.cronJobValues)) {
      const kept = saved?.[spec.name];
      const c: SimCronJob = kept
        ? { spec, lastScheduleTime: kept.lastScheduleTime, lastSuccessfulTime: kept.lastSuccessfulTime, runs: (kept.runs ?? (kept.lastRun ? [kept.lastRun] : [])).slice(0, SIM_JOB_HISTORY) }
        : { spec, lastScheduleTime: null, lastSuccessfulTime: null, runs: [] };
      if (!kept && !spec.suspend) {
        const fired: number[] = [];
        for (let before = now; fired.length < SEEDED_RUNS; ) {
          const t = lastFireTime(spec.schedule, before)?.getTime();
          if (t === undefined) break;
          fired.push(t);
          before = t - 60_000;
        }
        // Oldest first, each done within 30 s (the newest perhaps still running).
        for (const t of fired.reverse()) this.startJob(c, `${spec.name}-${Math.floor(t / 60_000)}`, t, false, Math.min(now, t + 30_000), false);
      }
      this.cronjobMap.set(spec.name, c);
    }
    this.scheduledMinute = Math.floor(now / 60_000);
  }

  /** Starts what the CronJob controller would have started since the last look (Job name `<cronjob>-<minutes since epoch>`, as it names them). */
  private runSchedules(now: number): void {
    const minute = Math.floor(now / 60_000);
    if (minute <= this.scheduledMinute) return;
    // After a long pause (a laptop asleep) only the latest hour counts, as startingDeadlineSeconds would have it.
    for (let m = Math.max(this.scheduledMinute + 1, minute - 60); m <= minute; m++) {
      for (const c of this.cronjobMap.values()) {
        if (c.spec.suspend || !cronFiresAt(c.spec.schedule, new Date(m * 60_000))) continue;
        if (c.runs[0] && this.jobResult(c.runs[0], now) === 'running') continue;
        this.startJob(c, `${c.spec.name}-${m}`, m * 60_000, false);
      }
    }
    this.scheduledMinute = minute;
  }

  private startJob(c: SimCronJob, name: string, startedAt: number, manual: boolean, completesAt = startedAt + this.podStartMs * 2, persist = true): SimJob {
    const job: SimJob = { name, cronjob: c.spec.name, startedAt, completesAt, manual };
    const previous = c.runs[0];
    if (previous && this.jobResult(previous, startedAt) === 'succeeded') c.lastSuccessfulTime = Math.max(c.lastSuccessfulTime ?? 0, previous.completesAt);
    c.runs = [job, ...c.runs].slice(0, SIM_JOB_HISTORY);
    if (!manual) c.lastScheduleTime = startedAt;
    if (persist) this.persist();
    return job;
  }

  private jobResult(job: SimJob, now: number): 'running' | 'succeeded' {
    return now >= job.completesAt ? 'succeeded' : 'running';
  }

  cronjobNames(): string[] {
    return [...this.cronjobMap.keys()].sort();
  }

  /** The CronJobs with their recent runs (newest first), as the Kubernetes collector reports a namespace's. */
  cronjobs(now = Date.now()): CronJobFacts[] {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return [...this.cronjobMap.values()]
      .sort((a, b) => a.spec.name.localeCompare(b.spec.name))
      .map((c) => {
        const recentRuns = c.runs.map((run) => {
          const result = this.jobResult(run, now);
          return { name: run.name, result, startedAt: iso(run.startedAt), finishedAt: result === 'succeeded' ? iso(run.completesAt) : null, reason: '', manual: run.manual };
        });
        const last = c.runs[0];
        const lastSuccessfulTime = last && this.jobResult(last, now) === 'succeeded' ? Math.max(c.lastSuccessfulTime ?? 0, last.completesAt) : c.lastSuccessfulTime;
        return {
          name: c.spec.name,
          schedule: c.spec.schedule,
          suspended: c.spec.suspend,
          lastScheduleTime: iso(c.lastScheduleTime),
          lastSuccessfulTime: iso(lastSuccessfulTime),
          lastRun: recentRuns[0] ?? null,
          recentRuns,
        };
      });
  }

  /** Starts job `jobName` from `cronjob` unless it exists; returns its completion time, or undefined for a CronJob the commons does not have. */
  runJob(cronjob: string, jobName: string): { completesAt: number; started: boolean } | undefined {
    const c = this.cronjobMap.get(cronjob);
    if (!c) return undefined;
    // A repeat of the command (the agent restarted mid-run) follows the Job it started, while the commons keeps it.
    const existing = c.runs.find((r) => r.name === jobName);
    if (existing) return { completesAt: existing.completesAt, started: false };
    const job = this.startJob(c, jobName, Date.now(), true);
    this.emit('tick');
    return { completesAt: job.completesAt, started: true };
  }

  inject(name: string, fault: Fault): void {
    const s = this.get(name);
    s.fault = fault;
    if (fault === 'none') {
      // Recovered pods come back through their readiness delay.
      const now = Date.now();
      for (const p of s.pods) p.readyAt = Math.max(p.readyAt, now + Math.min(this.podStartMs, 500));
    }
    this.persist();
    this.emit('tick');
  }

  effects(): Record<string, { rollouts: number; scales: number; desired: number; ready: number; fault: Fault; restartedAt: string | null; image: string }> {
    const now = Date.now();
    return Object.fromEntries(
      [...this.services.values()].map((s) => [
        s.name,
        { rollouts: s.rollouts, scales: s.scales, desired: s.desired, ready: s.pods.filter((p) => this.podReady(s, p, now)).length, fault: s.fault, restartedAt: s.restartedAt, image: s.image },
      ]),
    );
  }

  persist(): void {
    if (!this.opts.stateFile) return;
    const services: Durable['services'] = {};
    for (const s of this.services.values()) {
      const target = this.target(s);
      const running = s.pods.every((p) => p.template === target) ? target : (s.pods.find((p) => p.template !== target)?.template ?? target);
      services[s.name] = {
        desired: s.desired,
        image: s.image,
        restartedAt: s.restartedAt,
        fault: s.fault,
        restartCount: s.restartCount,
        rollouts: s.rollouts,
        scales: s.scales,
        runningTemplate: running,
      };
    }
    // lastRun too, so that an older simulator reading this file still finds it.
    const cronjobs: Durable['cronjobs'] = Object.fromEntries([...this.cronjobMap].map(([name, { spec: _spec, ...c }]) => [name, { ...c, lastRun: c.runs[0] ?? null }]));
    const state: Durable = { release: this.seededRelease, config: this.config, configWrites: this.configWrites, services, cronjobs };
    writeFileDurably(this.opts.stateFile, JSON.stringify(state));
  }
}
