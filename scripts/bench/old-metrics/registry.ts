// The fleet /metrics before issue 19 (one registry, every series of every commons), kept only for `npm run bench -- --metrics` to compare against.
// Prometheus metrics of the control service: its own (API, commands, agents)
// and the fleet state agents report, labelled commons / environment / service.
// Fleet gauges are computed at scrape time from the live fleet, so a service
// or commons that goes away stops being exported at once.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CommandKind, FINAL_STATES, type ServiceView } from '../../../contracts/api';
import type { ExternalChecks } from '../../../backend/external/checks';
import type { Fleet } from '../../../backend/fleet/fleet';
import { registerExternalCheckMetrics } from './external';
import { RequestMetricsExport } from './request-metrics';

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly commandsCreated: Counter<'kind'>;
  readonly commandsFinished: Counter<'commons' | 'environment' | 'kind' | 'state'>;
  readonly commandDuration: Histogram<'kind' | 'state'>;
  readonly healthLatency: Histogram<'commons' | 'environment' | 'service'>;
  readonly agentMessages: Counter<'type'>;
  readonly metricSamples: Counter;
  readonly enrollments: Counter<'outcome'>;
  /** Request rate, errors and duration per commons and service, from revproxy's access log. */
  readonly requests: RequestMetricsExport;
  readonly requestSamplesDropped: Counter;

  constructor(fleet: Fleet, external?: Pick<ExternalChecks, 'enabled' | 'endpoints'>) {
    const r = this.registry;
    collectDefaultMetrics({ register: r, prefix: 'dcoc_' });
    // prom-client's default metrics include three gauges named *_total, against the
    // naming convention (promtool check metrics); the same numbers are in
    // dcoc_nodejs_active_{handles,requests,resources}, by type.
    for (const m of ['dcoc_nodejs_active_handles_total', 'dcoc_nodejs_active_requests_total', 'dcoc_nodejs_active_resources_total']) r.removeSingleMetric(m);
    this.httpDuration = new Histogram({
      name: 'dcoc_http_request_duration_seconds',
      help: 'Control service API request duration.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [r],
    });
    this.commandsCreated = new Counter({ name: 'dcoc_commands_created_total', help: 'Commands accepted.', labelNames: ['kind'], registers: [r] });
    this.commandsFinished = new Counter({
      name: 'dcoc_commands_finished_total',
      help: 'Commands that reached a final state, per commons.',
      labelNames: ['commons', 'environment', 'kind', 'state'],
      registers: [r],
      collect() {
        // Failures of every commons start at 0, so the first one is an increase
        // (alert rules use increase(); a series born at 1 shows none).
        for (const c of fleet.all()) {
          for (const kind of CommandKind.options) for (const state of ['failed', 'expired']) this.inc({ commons: c.id, environment: c.environment, kind, state }, 0);
        }
      },
    });
    this.commandDuration = new Histogram({
      name: 'dcoc_command_duration_seconds',
      help: 'Time from a command being accepted to its final state.',
      labelNames: ['kind', 'state'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
      registers: [r],
    });
    // Known label values start at zero, so increase() sees the first command too.
    for (const kind of CommandKind.options) for (const state of FINAL_STATES) this.commandDuration.zero({ kind, state });
    this.healthLatency = new Histogram({
      name: 'dcoc_service_health_latency_seconds',
      help: 'Latency of Gen3 service health checks, as measured by the agent.',
      labelNames: ['commons', 'environment', 'service'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers: [r],
    });
    this.agentMessages = new Counter({ name: 'dcoc_agent_messages_total', help: 'Messages received from agents.', labelNames: ['type'], registers: [r] });
    this.metricSamples = new Counter({ name: 'dcoc_agent_metric_samples_total', help: 'Metric samples ingested from agents.', registers: [r] });
    this.enrollments = new Counter({ name: 'dcoc_enrollments_total', help: 'Enrollment attempts.', labelNames: ['outcome'], registers: [r] });
    this.requests = new RequestMetricsExport(r, fleet);
    this.requestSamplesDropped = new Counter({
      name: 'dcoc_agent_request_samples_dropped_total',
      help: 'Request metric samples from agents dropped at the gateway (unknown name, service, code or bucket, impossible value, or too many).',
      registers: [r],
    });

    const fleetGauge = <L extends string>(name: string, help: string, labelNames: L[], fill: (g: Gauge<L>) => void) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers: [r],
        collect() {
          this.reset();
          fill(this);
        },
      });

    fleetGauge('dcoc_agents_connected', 'Agents with an open stream.', [], (g) => g.set(fleet.all().filter((c) => fleet.online(c)).length));
    fleetGauge('dcoc_commons_info', 'One series per commons, carrying its release.', ['commons', 'environment', 'hostname', 'version'], (g) => {
      for (const c of fleet.all()) g.set({ commons: c.id, environment: c.environment, hostname: c.hostname, version: c.release || 'unknown' }, 1);
    });
    fleetGauge('dcoc_commons_status', 'Commons status as a state set (1 for the current status).', ['commons', 'environment', 'status'], (g) => {
      for (const c of fleet.all()) {
        for (const s of ['healthy', 'degraded', 'down', 'unknown']) g.set({ commons: c.id, environment: c.environment, status: s }, c.status === s ? 1 : 0);
      }
    });
    fleetGauge('dcoc_agent_connected', '1 when the commons agent is connected and not silent.', ['commons', 'environment'], (g) => {
      for (const c of fleet.all()) g.set({ commons: c.id, environment: c.environment }, fleet.online(c) ? 1 : 0);
    });
    fleetGauge('dcoc_agent_last_seen_timestamp_seconds', 'When the commons agent was last heard from.', ['commons', 'environment'], (g) => {
      for (const c of fleet.all()) if (c.agent.lastSeenMs) g.set({ commons: c.id, environment: c.environment }, c.agent.lastSeenMs / 1000);
    });
    const perService = (name: string, help: string, value: (s: ServiceView) => number) =>
      fleetGauge(name, help, ['commons', 'environment', 'service'], (g) => {
        for (const c of fleet.all()) {
          for (const s of c.services.values()) g.set({ commons: c.id, environment: c.environment, service: s.name }, value(s));
        }
      });
    perService('dcoc_service_up', '1 when the service is healthy or degraded (serving), 0 when down or unknown.', (s) =>
      s.status === 'healthy' || s.status === 'degraded' ? 1 : 0,
    );
    perService('dcoc_service_replicas_desired', 'Desired replicas of the service Deployment.', (s) => s.desiredReplicas);
    perService('dcoc_service_replicas_ready', 'Ready replicas of the service Deployment.', (s) => s.readyReplicas);
    perService('dcoc_service_container_restarts', 'Container restarts summed over the service pods (kube restartCount).', (s) => s.restartCount);
    if (external) registerExternalCheckMetrics(r, fleet, external);
  }
}
