// The commons namespace's Kubernetes events (core/v1 Events, from the
// collector's watch: no extra API call), each mapped to the Gen3 service it
// concerns, warnings first, newest first, bounded.
import type { CoreV1Event, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { GEN3_SERVICES } from '../../contracts/gen3/catalog';
import type { KubeEventFacts } from '../core/types';
import type { KubeCollector } from './kube-collector';
import { isoTime, selects, serviceOfDeployment } from './workloads';

/** At most this many events in one answer: an event storm must not make a message of megabytes. */
export const EVENTS_MAX = 500;
/** Event messages are cut here (a kubelet's can quote a whole probe answer). */
const MESSAGE_MAX = 1000;

/** Chart names, longest first, so "presigned-url-fence-..." is not taken for fence's. */
const CHARTS = GEN3_SERVICES.map((s) => s.name).sort((a, b) => b.length - a.length);
const JOB_LABELS = ['batch.kubernetes.io/job-name', 'job-name'];

/**
 * The chart a Job or CronJob belongs to, by its name: gen3-helm names them
 * after the chart (uc-cdis/gen3-helm 42cc46bc, e.g.
 * helm/fence/templates/fence-delete-expired-clients-cron.yaml,
 * helm/arborist/templates/arborist-expired-access-cronjob.yaml), and a
 * CronJob's Jobs after the CronJob. '' when none is (es-garbage, ...).
 */
export function chartOfName(name: string): string {
  return CHARTS.find((c) => name === c || name.startsWith(`${c}-`)) ?? '';
}

export class ServiceOfObject {
  private readonly deployments: readonly V1Deployment[];
  private readonly pods: Map<string, V1Pod>;

  constructor(c: KubeCollector) {
    this.deployments = c.deployments.items();
    this.pods = new Map(c.podItems().map((p) => [p.metadata?.name ?? '', p]));
  }

  /** The Deployment's service whose name (plus "-") starts `name`: how ReplicaSets and their pods are named. */
  private byDeploymentPrefix(name: string): string {
    let best: { len: number; service: string } | null = null;
    for (const d of this.deployments) {
      const dn = d.metadata?.name ?? '';
      const service = serviceOfDeployment(d);
      if (service && name.startsWith(`${dn}-`) && (!best || dn.length > best.len)) best = { len: dn.length, service };
    }
    if (best) return best.service;
    const known = GEN3_SERVICES.filter((s) => name.startsWith(`${s.deployment}-`)).sort((a, b) => b.deployment.length - a.deployment.length)[0];
    return known?.name ?? '';
  }

  service(kind: string, name: string): string {
    switch (kind) {
      case 'Pod': {
        const pod = this.pods.get(name);
        if (pod) {
          const job = JOB_LABELS.map((l) => pod.metadata?.labels?.[l]).find(Boolean);
          if (job) return chartOfName(job);
          const d = this.deployments.find((x) => selects(x, pod));
          if (d) return serviceOfDeployment(d) ?? '';
        }
        // A pod gone since: Deployment pods are named <deployment>-<hash>-<suffix>.
        return this.byDeploymentPrefix(name);
      }
      case 'ReplicaSet':
        return this.byDeploymentPrefix(name);
      case 'Deployment': {
        const d = this.deployments.find((x) => x.metadata?.name === name);
        return (d && serviceOfDeployment(d)) || (GEN3_SERVICES.find((s) => s.deployment === name)?.name ?? '');
      }
      case 'HorizontalPodAutoscaler':
        // <chart>-hpa: gen3-helm 42cc46bc helm/common/templates/_hpa.tpl, helm/fence/templates/presigned-url-fence-hpa.yaml.
        return GEN3_SERVICES.find((s) => `${s.name}-hpa` === name)?.name ?? '';
      case 'Job':
      case 'CronJob':
        return chartOfName(name);
      default:
        return '';
    }
  }
}

const cut = (s: string) => (s.length > MESSAGE_MAX ? `${s.slice(0, MESSAGE_MAX)}…` : s);

export function eventFacts(e: CoreV1Event, of: ServiceOfObject): KubeEventFacts {
  const kind = e.involvedObject?.kind ?? '';
  const name = e.involvedObject?.name ?? '';
  // Events written through events.k8s.io/v1 show in core/v1 with eventTime, series and reportingComponent instead.
  const first = isoTime(e.firstTimestamp) ?? isoTime(e.eventTime) ?? isoTime(e.metadata?.creationTimestamp);
  const last = isoTime(e.lastTimestamp) ?? isoTime(e.series?.lastObservedTime) ?? first;
  return {
    type: e.type === 'Warning' ? 'Warning' : 'Normal',
    reason: e.reason ?? '',
    message: cut(e.message ?? ''),
    objectKind: kind,
    objectName: name,
    service: of.service(kind, name),
    count: e.count ?? e.series?.count ?? 1,
    firstTime: first,
    lastTime: last,
    source: e.source?.component || e.reportingComponent || '',
  };
}

/** Warnings first, then newest first; at most EVENTS_MAX; only `service`'s when given. */
export function kubeEvents(c: KubeCollector, service?: string): KubeEventFacts[] {
  const of = new ServiceOfObject(c);
  const all = c.eventItems().map((e) => eventFacts(e, of));
  const wanted = service ? all.filter((e) => e.service === service) : all;
  const time = (e: KubeEventFacts) => Date.parse(e.lastTime ?? '') || 0;
  wanted.sort((a, b) => (a.type === b.type ? time(b) - time(a) : a.type === 'Warning' ? -1 : 1));
  return wanted.slice(0, EVENTS_MAX);
}
