// A fleet of synthetic commons held in memory (no agents, no store): each with
// ~20 Gen3 services, revproxy request metrics for them and health latency
// samples, as the gateway would have recorded them. For the metrics bench and
// the fleet-size tests of /metrics.
import { REQUEST_SERVICES } from '../../contracts/gen3/revproxy';
import type { ServiceView } from '../../contracts/api';
import { EventBus } from '../../backend/events/bus';
import { Fleet } from '../../backend/fleet/fleet';
import { reportedRequestSamples } from '../../backend/gateway/request-metrics-report';
import { RequestMetrics } from '../../agent/gen3/request-metrics';

/** What the gateway feeds a metrics export with (the new Metrics and the old one share these). */
export interface MetricsSink {
  requests: { update(commonsId: string, samples: ReturnType<typeof reportedRequestSamples>['samples']): void };
  healthLatency: { observe(labels: { commons: string; environment: string; service: string }, value: number): void };
  commandsFinished: { inc(labels: { commons: string; environment: string; kind: string; state: string }): void };
}

export const SYNTHETIC_SERVICES = [...REQUEST_SERVICES.filter((s) => s !== 'other'), 'etl', 'guppy-etl', 'usersync'].slice(0, 20);

const service = (name: string, i: number): ServiceView => ({
  name,
  status: i % 37 === 0 ? 'degraded' : 'healthy',
  deployment: `${name}-deployment`,
  desiredReplicas: 2,
  readyReplicas: i % 37 === 0 ? 1 : 2,
  updatedReplicas: 2,
  image: `quay.io/cdis/${name}:2026.07`,
  version: '2026.07',
  reason: '',
  restartedAt: null,
  restartCount: i % 5,
  rollout: null,
  health: null,
  gitopsOwner: null,
});

export const syntheticId = (i: number) => `commons-${String(i).padStart(5, '0')}-example-org`;

/** `n` commons in `environments` environments, each running SYNTHETIC_SERVICES. */
export function syntheticFleet(n: number, environments = 4): Fleet {
  const fleet = new Fleet(new EventBus(), 30_000);
  const now = new Date().toISOString();
  for (let i = 0; i < n; i++) {
    const id = syntheticId(i);
    fleet.ensure({
      id,
      name: id,
      hostname: `${id.replace(/-example-org$/, '')}.example.org`,
      environment: `env-${i % environments}`,
      namespace: 'default',
      agent_id: `agent-${i}`,
      release: '2026.07',
      config_revision: 1,
      config_json: '{}',
      created_at: now,
      updated_at: now,
    });
    fleet.agentConnected(id, `agent-${i}`, '1.0.0');
    fleet.applyServices(
      id,
      SYNTHETIC_SERVICES.map((s) => service(s, i)),
      { replace: true, release: '2026.07' },
    );
  }
  return fleet;
}

/** Request metrics (2xx on every service revproxy routes to, 5xx on a quarter of them), health latency and a finished command per commons, as the gateway would record them. */
export function feedSyntheticMetrics(fleet: Fleet, sink: MetricsSink): void {
  for (const c of fleet.all()) {
    const m = new RequestMetrics();
    SYNTHETIC_SERVICES.forEach((s, j) => {
      m.record({ service: s, statusClass: '2xx', seconds: 0.02 * (j + 1) });
      if (j % 4 === 0) m.record({ service: s, statusClass: '5xx', seconds: 1.5 });
    });
    const samples = m.samples().map((s) => ({ name: s.name, labels: s.labels, value: s.value, timestamp_ms: 0 }));
    sink.requests.update(c.id, reportedRequestSamples(samples, new Set(c.services.keys())).samples);
    for (const s of c.services.keys()) for (const v of [0.004, 0.03, 0.2]) sink.healthLatency.observe({ commons: c.id, environment: c.environment, service: s }, v);
    sink.commandsFinished.inc({ commons: c.id, environment: c.environment, kind: 'restart', state: 'succeeded' });
  }
}
