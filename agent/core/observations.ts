// The agent's picture of its commons. Collectors write facts in; the stream
// reads a full snapshot on connect and the services that changed since the
// last read as deltas.
import { EventEmitter } from 'node:events';
import { serviceState } from './service-status';
import type { CommonsIdentity, ConfigFacts, CronJobFacts, HealthResult, MetricSample, ServiceState, WorkloadFacts } from './types';

export class Observations extends EventEmitter {
  identity: CommonsIdentity | null = null;
  release = '';
  config: ConfigFacts = { revision: 0, data: {} };
  private readonly workloads = new Map<string, WorkloadFacts>();
  private readonly health = new Map<string, HealthResult>();
  private readonly sent = new Map<string, string>();
  private removed = new Set<string>();
  private configSent = '';
  private releaseSent = '';
  private samples: MetricSample[] = [];
  /** Cumulative series a collector keeps (request counters): read at each flush, so a batch carries their current values once. */
  private readonly samplers = new Set<() => MetricSample[]>();
  /** False when no health collector runs; status then rests on workloads alone. */
  healthExpected = true;
  /** The commons' CronJobs, sorted by name; null until a collector reports them (or when it cannot). */
  private cronjobList: CronJobFacts[] | null = null;
  private cronjobsSent = 'null';

  setIdentity(identity: CommonsIdentity): void {
    this.identity = identity;
  }

  /** Replaces every workload (a collector's full view). */
  setWorkloads(list: WorkloadFacts[], release: string): void {
    const names = new Set(list.map((w) => w.name));
    for (const name of this.workloads.keys()) {
      if (!names.has(name)) {
        this.workloads.delete(name);
        this.health.delete(name);
        this.removed.add(name);
      }
    }
    for (const w of list) this.workloads.set(w.name, w);
    this.release = release;
    this.emit('change');
  }

  setWorkload(w: WorkloadFacts): void {
    this.workloads.set(w.name, w);
    this.emit('change');
  }

  setHealth(name: string, h: HealthResult): void {
    this.health.set(name, h);
    this.emit('change');
  }

  setConfig(config: ConfigFacts): void {
    this.config = config;
    this.emit('change');
  }

  /** Replaces the CronJobs (a collector's full view); null: not known. */
  setCronJobs(list: CronJobFacts[] | null): void {
    const next = list && [...list].sort((a, b) => a.name.localeCompare(b.name));
    if (JSON.stringify(next) === JSON.stringify(this.cronjobList)) return;
    this.cronjobList = next;
    this.emit('change');
  }

  cronjobs(): CronJobFacts[] | null {
    return this.cronjobList;
  }

  serviceNames(): string[] {
    return [...this.workloads.keys()];
  }

  services(): ServiceState[] {
    return [...this.workloads.values()].map((w) => serviceState(w, this.health.get(w.name) ?? null, this.healthExpected));
  }

  service(name: string): ServiceState | undefined {
    const w = this.workloads.get(name);
    return w && serviceState(w, this.health.get(name) ?? null, this.healthExpected);
  }

  /** Everything, and marks it all as sent. */
  takeSnapshot(): { services: ServiceState[]; config: ConfigFacts; release: string; cronjobs: CronJobFacts[] | null } {
    const services = this.services();
    this.cronjobsSent = JSON.stringify(this.cronjobList);
    this.sent.clear();
    for (const s of services) this.sent.set(s.name, JSON.stringify(s));
    this.removed.clear();
    this.configSent = this.configKey();
    this.releaseSent = this.release;
    return { services, config: this.config, release: this.release, cronjobs: this.cronjobList };
  }

  /** What changed since the last snapshot or delta; undefined when nothing did. */
  takeDelta(): { services: ServiceState[]; removed: string[]; config: ConfigFacts | null; release: string; cronjobs: CronJobFacts[] | null } | undefined {
    const changed: ServiceState[] = [];
    for (const s of this.services()) {
      const key = JSON.stringify(s);
      if (this.sent.get(s.name) !== key) {
        changed.push(s);
        this.sent.set(s.name, key);
      }
    }
    const removed = [...this.removed];
    this.removed = new Set();
    for (const r of removed) this.sent.delete(r);
    const config = this.configKey() !== this.configSent ? this.config : null;
    this.configSent = this.configKey();
    const release = this.release !== this.releaseSent ? this.release : '';
    this.releaseSent = this.release;
    // CronJobs go whole when any of them changed (a commons has a handful).
    const cronjobsKey = JSON.stringify(this.cronjobList);
    const cronjobs = cronjobsKey !== this.cronjobsSent ? this.cronjobList : null;
    this.cronjobsSent = cronjobsKey;
    if (!changed.length && !removed.length && !config && !release && !cronjobs) return undefined;
    return { services: changed, removed, config, release, cronjobs };
  }

  private configKey(): string {
    return `${this.config.revision}/${this.config.resourceVersion ?? ''}`;
  }

  recordSample(s: MetricSample): void {
    // Bounded: a long disconnect keeps the newest samples only.
    if (this.samples.length >= 10_000) this.samples.shift();
    this.samples.push(s);
  }

  /** Adds a sampler read by every takeSamples(); returns its removal. */
  addSampler(fn: () => MetricSample[]): () => void {
    this.samplers.add(fn);
    return () => void this.samplers.delete(fn);
  }

  takeSamples(): MetricSample[] {
    const out = this.samples;
    this.samples = [];
    for (const f of this.samplers) out.push(...f());
    return out;
  }
}
