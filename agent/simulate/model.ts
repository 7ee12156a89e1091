// An in-process model of a Gen3 commons that behaves like a cluster would:
// a restart rolls pods one by one (readiness dips, then recovers), a scale
// changes ready replicas over time, a config write bumps a revision. Faults
// can be injected. Its durable part (what etcd would hold) is saved to a file
// so that an agent killed mid-command finds the commons as it left it.
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { rolloutStatus } from '../core/rollout-status';
import type { CommonsIdentity, ConfigFacts, WorkloadFacts } from '../core/types';
import { DEFAULT_ENABLED, gen3Service, imageFor } from '../gen3/catalog';
import { writeFileDurably } from '../core/durable-file';

export type Fault = 'none' | 'down' | 'slow' | 'crashloop';

/** CronJobs a gen3-helm commons carries (gen3-facts.md §2.3). */
export const SIM_CRONJOBS = ['usersync', 'fence-visa-update', 'arborist-rm-expired-access', 'hatchery-reaper', 'etl-cronjob', 'fence-db-migrate-cronjob'];
export const FAULTS: readonly Fault[] = ['none', 'down', 'slow', 'crashloop'];

export interface SimOptions extends CommonsIdentity {
  release: string;
  services?: string[];
  /** Replica count per service; defaults follow production commons (gen3-facts §6.1). */
  replicas?: Record<string, number>;
  tickMs?: number;
  podStartMs?: number;
  stateFile?: string;
}

interface Pod {
  name: string;
  template: string;
  readyAt: number;
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
}

const DEFAULT_REPLICAS: Record<string, number> = { indexd: 4, fence: 3, 'presigned-url-fence': 3, revproxy: 4, arborist: 3, peregrine: 3 };

export function templateOf(image: string, restartedAt: string | null): string {
  return createHash('sha256').update(`${image}|${restartedAt ?? ''}`).digest('hex').slice(0, 10);
}

export class SimCommons extends EventEmitter {
  readonly identity: CommonsIdentity;
  release: string;
  config: ConfigFacts = { revision: 1, data: {} };
  configWrites = 0;
  networkCut = false;
  private readonly services = new Map<string, ServiceModel>();
  private readonly tickMs: number;
  private readonly podStartMs: number;
  private timer: NodeJS.Timeout | null = null;
  private podSeq = 0;
  /** Jobs started from CronJobs: name → when it completes. */
  private readonly jobs = new Map<string, number>();

  constructor(private readonly opts: SimOptions) {
    super();
    this.identity = { hostname: opts.hostname, environment: opts.environment, name: opts.name, namespace: opts.namespace };
    this.release = opts.release;
    this.tickMs = opts.tickMs ?? 500;
    this.podStartMs = opts.podStartMs ?? 1500;
    const saved = opts.stateFile && existsSync(opts.stateFile) ? (JSON.parse(readFileSync(opts.stateFile, 'utf8')) as Durable) : null;
    this.config = saved?.config ?? {
      revision: 1,
      data: { hostname: opts.hostname, environment: opts.environment, maintenance_mode: 'off', tier_access_level: 'private', netpolicy: 'on' },
    };
    this.configWrites = saved?.configWrites ?? 0;
    if (saved) this.release = saved.release;
    for (const name of opts.services ?? DEFAULT_ENABLED) {
      const spec = gen3Service(name);
      if (!spec) throw new Error(`unknown Gen3 service ${name}`);
      const s = saved?.services[name];
      const desired = s?.desired ?? opts.replicas?.[name] ?? DEFAULT_REPLICAS[name] ?? 2;
      const image = s?.image ?? imageFor(spec, this.release);
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

  private get(name: string): ServiceModel {
    const s = this.services.get(name);
    if (!s) throw new Error(`no service ${name} in ${this.identity.hostname}`);
    return s;
  }

  private newPod(s: ServiceModel, template: string, startDelay: number): Pod {
    return { name: `${s.deployment}-${template.slice(0, 9)}-${(++this.podSeq).toString(36)}${randomBytes(2).toString('hex')}`, template, readyAt: Date.now() + startDelay };
  }

  private target(s: ServiceModel): string {
    return templateOf(s.image, s.restartedAt);
  }

  private podReady(s: ServiceModel, p: Pod, now: number): boolean {
    return now >= p.readyAt && s.fault !== 'down' && s.fault !== 'crashloop';
  }

  /** Advances every rollout and scale by one step, the way the Deployment controller would (maxUnavailable 1). */
  tick(now = Date.now()): void {
    let settled = false;
    for (const s of this.services.values()) {
      if (s.fault === 'crashloop' && Math.random() < 0.3) s.restartCount += s.pods.length;
      const target = this.target(s);
      const starting = s.pods.some((p) => now < p.readyAt);
      if (s.pods.length > s.desired) {
        // Scale down: old and unready pods go first.
        s.pods.sort((a, b) => Number(a.template === target) - Number(b.template === target) || b.readyAt - a.readyAt);
        s.pods.splice(0, s.pods.length - s.desired);
        settled = true;
      } else if (s.pods.length < s.desired) {
        s.pods.push(this.newPod(s, target, this.podStartMs));
      } else if (!starting) {
        const old = s.pods.findIndex((p) => p.template !== target);
        if (old >= 0) {
          // Terminate one old pod (ready count dips) and start its replacement.
          s.pods.splice(old, 1);
          s.pods.push(this.newPod(s, target, this.podStartMs));
          if (!s.pods.some((p) => p.template !== target)) settled = true;
        }
      }
    }
    if (settled) this.persist();
    this.emit('tick');
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

  /** The release the commons reports, once a deploy has rolled every service to it. */
  setRelease(release: string): void {
    if (this.release === release) return;
    this.release = release;
    this.persist();
    this.emit('tick');
  }

    scale(name: string, replicas: number): boolean {
    const s = this.get(name);
    if (s.desired === replicas) return false;
    s.desired = replicas;
    s.scales += 1;
    this.persist();
    return true;
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

  /** Starts job `jobName` from `cronjob` unless it exists; returns its completion time, or undefined for an unknown CronJob. */
  runJob(cronjob: string, jobName: string): { completesAt: number; started: boolean } | undefined {
    if (!SIM_CRONJOBS.includes(cronjob)) return undefined;
    const existing = this.jobs.get(jobName);
    if (existing) return { completesAt: existing, started: false };
    const completesAt = Date.now() + this.podStartMs * 2;
    this.jobs.set(jobName, completesAt);
    return { completesAt, started: true };
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
    const state: Durable = { release: this.release, config: this.config, configWrites: this.configWrites, services };
    writeFileDurably(this.opts.stateFile, JSON.stringify(state));
  }
}
