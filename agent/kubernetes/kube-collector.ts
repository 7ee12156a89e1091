// Kubernetes state of one commons namespace, from watches (no polling):
// Deployments, pods, Events and the manifest-global ConfigMap, mapped to Gen3
// services, and the CronJobs with the Jobs they own, written into the agent's
// observations on every change.
import type { CoreV1Event, V1ConfigMap, V1CronJob, V1Deployment, V1Job, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../lib/logger';
import type { Collector } from '../collectors/collector';
import type { Observations } from '../core/observations';
import { type KubeClients, describeKubeError, statusOf } from './kube-client';
import { MANIFEST_GLOBAL, configFrom, identityFrom } from './manifest-global';
import { WatchCache } from './watch-cache';
import { cronJobFacts, releaseOf, serviceOfDeployment, workloadFacts } from './workloads';

const EVENT_WINDOW_MS = 10 * 60_000;

export class KubeCollector implements Collector {
  readonly name = 'kubernetes';
  readonly deployments: WatchCache<V1Deployment>;
  private readonly pods: WatchCache<V1Pod>;
  private readonly events: WatchCache<CoreV1Event>;
  private readonly configMaps: WatchCache<V1ConfigMap>;
  readonly cronJobs: WatchCache<V1CronJob>;
  private readonly jobs: WatchCache<V1Job>;
  /** False when the Role does not let the agent list CronJobs and Jobs: they are then not reported (unknown), the rest is. */
  private cronJobsWatched = false;
  private obs: Observations | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    k: KubeClients,
    private readonly namespace: string,
    private readonly log: Logger,
  ) {
    const ns = namespace;
    const changed = () => this.refresh();
    this.deployments = new WatchCache(k.kc, `/apis/apps/v1/namespaces/${ns}/deployments`, () => k.apps.listNamespacedDeployment({ namespace: ns }), changed, log);
    this.pods = new WatchCache(k.kc, `/api/v1/namespaces/${ns}/pods`, () => k.core.listNamespacedPod({ namespace: ns }), changed, log);
    this.events = new WatchCache(k.kc, `/api/v1/namespaces/${ns}/events`, () => k.core.listNamespacedEvent({ namespace: ns }), changed, log);
    const field = `metadata.name=${MANIFEST_GLOBAL}`;
    this.configMaps = new WatchCache(k.kc, `/api/v1/namespaces/${ns}/configmaps`, () => k.core.listNamespacedConfigMap({ namespace: ns, fieldSelector: field }), changed, log, field);
    this.cronJobs = new WatchCache(k.kc, `/apis/batch/v1/namespaces/${ns}/cronjobs`, () => k.batch.listNamespacedCronJob({ namespace: ns }), changed, log);
    this.jobs = new WatchCache(k.kc, `/apis/batch/v1/namespaces/${ns}/jobs`, () => k.batch.listNamespacedJob({ namespace: ns }), changed, log);
  }

  async start(obs: Observations): Promise<void> {
    this.obs = obs;
    await Promise.all([this.configMaps.start(), this.deployments.start(), this.pods.start(), this.events.start(), this.startCronJobWatches()]);
    this.refresh();
  }

  /**
   * CronJobs and Jobs (list and watch, agent/deploy/rbac.yaml). A Role from
   * before they were reported refuses them: say so and go on without them,
   * rather than keep the agent from serving the commons.
   */
  private async startCronJobWatches(): Promise<void> {
    try {
      await Promise.all([this.cronJobs.start(), this.jobs.start()]);
      this.cronJobsWatched = true;
    } catch (e) {
      if (statusOf((e as Error).cause) !== 403) throw e;
      await Promise.all([this.cronJobs.stop(), this.jobs.stop()]);
      this.log.warn({ err: describeKubeError((e as Error).cause) }, 'CronJobs are not reported: the agent may not list and watch cronjobs and jobs');
    }
  }

  async stop(): Promise<void> {
    this.obs = null;
    this.cronJobsWatched = false;
    await Promise.all([this.deployments.stop(), this.pods.stop(), this.events.stop(), this.configMaps.stop(), this.cronJobs.stop(), this.jobs.stop()]);
  }

  /** Executors follow rollouts through the watched state, not extra API calls. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  deployment(name: string): V1Deployment | undefined {
    return this.deployments.get(name, this.namespace);
  }

  /** The namespace's pods as watched (a deploy checks its new pods for ImagePullBackOff and the like). */
  podItems(): readonly V1Pod[] {
    return this.pods.items();
  }

  /** The namespace's Events as watched (the inspector's events, agent/kubernetes/kube-events.ts). */
  eventItems(): readonly CoreV1Event[] {
    return this.events.items();
  }

  /** The namespace's Jobs as watched (empty when the Role may not watch them). */
  jobItems(): readonly V1Job[] {
    return this.jobs.items();
  }

  private refresh(): void {
    const obs = this.obs;
    if (!obs) return;
    const cm = this.configMaps.get(MANIFEST_GLOBAL, this.namespace);
    if (cm) {
      try {
        obs.setIdentity(identityFrom(cm, this.namespace));
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'commons identity unavailable');
      }
      const config = configFrom(cm);
      if (config.resourceVersion !== obs.config.resourceVersion) obs.setConfig(config);
    }
    const pods = this.pods.items();
    const now = Date.now();
    const warnings = this.events
      .items()
      .filter((e) => e.type === 'Warning' && now - Date.parse(String(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0)) < EVENT_WINDOW_MS);
    const workloads = this.deployments.items().flatMap((d) => {
      const service = serviceOfDeployment(d);
      if (!service) return [];
      const w = workloadFacts(service, d, pods, now);
      if (!w.reason && w.ready < w.desired) {
        // A Deployment short of pods with no pod-level reason: the namespace's Warning events usually say why.
        const ev = warnings.find((e) => (e.involvedObject?.name ?? '').startsWith(w.deployment));
        if (ev) w.reason = `${ev.reason}: ${ev.message}`;
      }
      return [w];
    });
    obs.setWorkloads(workloads, releaseOf(workloads));
    obs.setCronJobs(this.cronJobsWatched ? cronJobFacts(this.cronJobs.items(), this.jobs.items()) : null);
    for (const fn of this.listeners) fn();
  }
}
