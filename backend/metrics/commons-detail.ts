// What is per commons x service (or x endpoint, x command kind), kept per
// commons so one commons' detail renders without touching the others:
// served at /metrics/commons/{id} with the names and labels the fleet
// /metrics carried before, so dashboards and alert rules read them unchanged.
import { CommandKind, type ServiceView } from '../../contracts/api';
import type { ExternalChecks } from '../external/checks';
import type { LiveCommons } from '../fleet/fleet';
import { externalCheckFamilies } from './external';
import type { RequestMetricsExport } from './request-metrics';
import { Family, formatValue } from './text';

export const HEALTH_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2] as const;
const HEALTH_LE = [...HEALTH_LATENCY_BUCKETS.map(formatValue), '+Inf'];

interface Hist {
  /** Per bucket, not cumulative; the last is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** dcoc_service_health_latency_seconds, per commons and service (what the gateway observes). */
export class HealthLatency {
  private readonly byCommons = new Map<string, Map<string, Hist>>();

  observe(labels: { commons: string; environment: string; service: string }, value: number): void {
    let services = this.byCommons.get(labels.commons);
    if (!services) this.byCommons.set(labels.commons, (services = new Map()));
    let h = services.get(labels.service);
    if (!h) services.set(labels.service, (h = { counts: new Array<number>(HEALTH_LE.length).fill(0), sum: 0, count: 0 }));
    let i = HEALTH_LATENCY_BUCKETS.findIndex((le) => value <= le);
    if (i < 0) i = HEALTH_LATENCY_BUCKETS.length;
    h.counts[i]++;
    h.sum += value;
    h.count++;
  }

  prune(live: (id: string) => boolean): void {
    for (const id of this.byCommons.keys()) if (!live(id)) this.byCommons.delete(id);
  }

  family(c: Pick<LiveCommons, 'id' | 'environment'>): Family {
    const f = new Family('dcoc_service_health_latency_seconds', 'Latency of Gen3 service health checks, as measured by the agent. Per commons x service: /metrics/commons/{id}.', 'histogram');
    const services = this.byCommons.get(c.id);
    if (!services) return f;
    for (const name of [...services.keys()].sort()) {
      const h = services.get(name)!;
      let acc = 0;
      f.histogram({ commons: c.id, environment: c.environment, service: name }, HEALTH_LE.map((le, i) => [le, (acc += h.counts[i])] as const), h.sum, h.count);
    }
    return f;
  }
}

const ZEROED_STATES = ['failed', 'expired'] as const;

/** dcoc_commands_finished_total per commons, kind and final state. */
export class CommandsFinished {
  private readonly byCommons = new Map<string, Map<string, number>>();

  inc(labels: { commons: string; environment: string; kind: string; state: string }, by = 1): void {
    let m = this.byCommons.get(labels.commons);
    if (!m) this.byCommons.set(labels.commons, (m = new Map()));
    const key = `${labels.kind}\u0000${labels.state}`;
    m.set(key, (m.get(key) ?? 0) + by);
  }

  prune(live: (id: string) => boolean): void {
    for (const id of this.byCommons.keys()) if (!live(id)) this.byCommons.delete(id);
  }

  family(c: Pick<LiveCommons, 'id' | 'environment'>): Family {
    const f = new Family('dcoc_commands_finished_total', 'Commands that reached a final state, per commons (per commons x kind x state: /metrics/commons/{id}).', 'counter');
    const counts = new Map(this.byCommons.get(c.id));
    // Failures of every commons start at 0, so the first one is an increase
    // (alert rules use increase(); a series born at 1 shows none).
    for (const kind of CommandKind.options) for (const state of ZEROED_STATES) if (!counts.has(`${kind}\u0000${state}`)) counts.set(`${kind}\u0000${state}`, 0);
    for (const key of [...counts.keys()].sort()) {
      const [kind, state] = key.split('\u0000');
      f.sample({ commons: c.id, environment: c.environment, kind, state }, counts.get(key)!);
    }
    return f;
  }
}

const PER_SERVICE: [name: string, help: string, value: (s: ServiceView) => number][] = [
  ['dcoc_service_up', '1 when the service is healthy or degraded (serving), 0 when down or unknown.', (s) => (s.status === 'healthy' || s.status === 'degraded' ? 1 : 0)],
  ['dcoc_service_replicas_desired', 'Desired replicas of the service Deployment.', (s) => s.desiredReplicas],
  ['dcoc_service_replicas_ready', 'Ready replicas of the service Deployment.', (s) => s.readyReplicas],
  ['dcoc_service_container_restarts', 'Container restarts summed over the service pods (kube restartCount).', (s) => s.restartCount],
];

export interface DetailSources {
  healthLatency: HealthLatency;
  commandsFinished: CommandsFinished;
  requests: RequestMetricsExport;
  external?: Pick<ExternalChecks, 'enabled' | 'endpoints'>;
}

/** The text of one commons' detail. */
export function renderCommonsDetail(c: LiveCommons, d: DetailSources): string {
  const services = [...c.services.values()].sort((a, b) => a.name.localeCompare(b.name));
  const families = PER_SERVICE.map(([name, help, value]) => {
    const f = new Family(name, `${help} Per commons x service: /metrics/commons/{id}.`, 'gauge');
    for (const s of services) f.sample({ commons: c.id, environment: c.environment, service: s.name }, value(s));
    return f;
  });
  families.push(d.healthLatency.family(c), ...d.requests.families(c), d.commandsFinished.family(c), ...externalCheckFamilies(c, d.external));
  return families.map((f) => f.text()).join('');
}
