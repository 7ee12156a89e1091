// Prometheus metrics of the control service, in two parts:
//
// - the fleet-level `/metrics` (Metrics.renderFleet): the service's own
//   bounded metrics (API, commands, agents' messages, enrollments, process),
//   a few series per commons (info, status, agent connected and last seen,
//   backup freshness) and bounded aggregates (commons and services counted by
//   environment, service and status). Rendered in chunks with the event loop
//   free between them, one render shared by concurrent scrapes, so a scrape
//   never stalls the agent gateway in the same process.
// - each commons' detail (Metrics.renderCommons, `/metrics/commons/{id}`):
//   everything per commons x service (service gauges, health latency, request
//   RED metrics, command results, external checks), found by Prometheus
//   through `/metrics/sd` (HTTP service discovery).
//
// Series are computed at scrape time from the live fleet, so a service or
// commons that goes away stops being exported at once. Cardinalities: the
// table in docs/operating.md, "Metrics".
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FINAL_STATES, CommandKind } from '../../contracts/api';
import type { Backups } from '../backups/backups';
import type { ExternalChecks } from '../external/checks';
import type { Fleet, LiveCommons } from '../fleet/fleet';
import { CommandsFinished, HealthLatency, renderCommonsDetail } from './commons-detail';
import { RequestMetricsExport } from './request-metrics';
import { CONTENT_TYPE, Family, escapeLabel } from './text';

/** Commons rendered between two yields of the event loop. */
export const FLEET_CHUNK = 1000;

const STATUSES = ['healthy', 'degraded', 'down', 'unknown'] as const;

export class Metrics {
  /** The service's own metrics (bounded), served first on the fleet /metrics. */
  readonly registry = new Registry();
  readonly contentType = CONTENT_TYPE;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly commandsCreated: Counter<'kind'>;
  readonly commandsFinished = new CommandsFinished();
  readonly commandDuration: Histogram<'kind' | 'state'>;
  readonly healthLatency = new HealthLatency();
  readonly agentMessages: Counter<'type'>;
  readonly metricSamples: Counter;
  readonly enrollments: Counter<'outcome'>;
  /** Request rate, errors and duration per commons and service, from revproxy's access log. */
  readonly requests = new RequestMetricsExport();
  readonly requestSamplesDropped: Counter;
  /** Backup freshness per scheduled commons (registerBackupMetrics). */
  backups: Pick<Backups, 'freshness'> | null = null;
  private inflight: Promise<string> | null = null;

  constructor(
    private readonly fleet: Pick<Fleet, 'get' | 'unsorted' | 'online'>,
    private readonly external?: Pick<ExternalChecks, 'enabled' | 'endpoints'>,
  ) {
    const r = this.registry;
    collectDefaultMetrics({ register: r, prefix: 'dcoc_' });
    // prom-client's default metrics include three gauges named *_total, against the
    // naming convention (promtool check metrics); the requests are in
    // dcoc_nodejs_active_requests, by type. Active handles and resources by type
    // walk every socket and timer at each scrape (40-60 ms on the event loop with
    // 10,000 agents connected); dcoc_agents_connected and dcoc_process_open_fds
    // say what they would.
    for (const m of ['dcoc_nodejs_active_handles_total', 'dcoc_nodejs_active_requests_total', 'dcoc_nodejs_active_resources_total', 'dcoc_nodejs_active_handles', 'dcoc_nodejs_active_resources']) {
      r.removeSingleMetric(m);
    }
    this.httpDuration = new Histogram({
      name: 'dcoc_http_request_duration_seconds',
      help: 'Control service API request duration (per method x route template x status: bounded).',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [r],
    });
    this.commandsCreated = new Counter({ name: 'dcoc_commands_created_total', help: 'Commands accepted (per kind: bounded).', labelNames: ['kind'], registers: [r] });
    this.commandDuration = new Histogram({
      name: 'dcoc_command_duration_seconds',
      help: 'Time from a command being accepted to its final state (per kind x state: bounded).',
      labelNames: ['kind', 'state'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
      registers: [r],
    });
    // Known label values start at zero, so increase() sees the first command too.
    for (const kind of CommandKind.options) for (const state of FINAL_STATES) this.commandDuration.zero({ kind, state });
    this.agentMessages = new Counter({ name: 'dcoc_agent_messages_total', help: 'Messages received from agents (per message type: bounded).', labelNames: ['type'], registers: [r] });
    this.metricSamples = new Counter({ name: 'dcoc_agent_metric_samples_total', help: 'Metric samples ingested from agents.', registers: [r] });
    this.enrollments = new Counter({ name: 'dcoc_enrollments_total', help: 'Enrollment attempts (per outcome: bounded).', labelNames: ['outcome'], registers: [r] });
    this.requestSamplesDropped = new Counter({
      name: 'dcoc_agent_request_samples_dropped_total',
      help: 'Request metric samples from agents dropped at the gateway (unknown name, service, code or bucket, impossible value, or too many).',
      registers: [r],
    });
  }

  /** The fleet-level /metrics text. Concurrent scrapes share one render. */
  renderFleet(): Promise<string> {
    this.inflight ??= this.render().finally(() => (this.inflight = null));
    return this.inflight;
  }

  /** One commons' detail, or undefined for a commons the fleet does not know. */
  renderCommons(id: string): string | undefined {
    const c = this.fleet.get(id);
    if (!c) return undefined;
    return renderCommonsDetail(c, { healthLatency: this.healthLatency, commandsFinished: this.commandsFinished, requests: this.requests, external: this.external });
  }

  private async render(): Promise<string> {
    const own = await this.registry.metrics();
    const backups = new Map((this.backups ? await this.backups.freshness() : []).map((b) => [b.commons, b]));
    const all = [...this.fleet.unsorted()];

    const perCommons = '(one series per commons)';
    const info = new Family('dcoc_commons_info', `One series per commons, carrying its release.`, 'gauge');
    const status = new Family('dcoc_commons_status', `Commons status as a state set (1 for the current status; four series per commons).`, 'gauge');
    const connected = new Family('dcoc_agent_connected', `1 when the commons agent is connected and not silent ${perCommons}.`, 'gauge');
    const lastSeen = new Family('dcoc_agent_last_seen_timestamp_seconds', `When the commons agent was last heard from ${perCommons}.`, 'gauge');
    const backupLast = new Family(
      'dcoc_backup_last_success_timestamp_seconds',
      "When the commons' last successful database backup finished (Unix seconds); its schedule's start while it has none. One series per commons with a backup schedule.",
      'gauge',
    );
    const backupMax = new Family('dcoc_backup_max_age_seconds', "How old the commons' last good backup may get: 1.5 × the longest gap between its scheduled backups (one series per scheduled commons).", 'gauge');
    let online = 0;
    const commonsCount = new Map<string, number>();
    const servicesCount = new Map<string, number>();
    const count = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

    for (let start = 0; start < all.length; start += FLEET_CHUNK) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const now = Date.now();
      for (const c of all.slice(start, start + FLEET_CHUNK)) {
        // The commons' labels are escaped once and shared by its series (the render's cost is per series).
        const id = `commons="${escapeLabel(c.id)}"`;
        const base = `{${id},environment="${escapeLabel(c.environment)}"`;
        info.sampleText(`${base},hostname="${escapeLabel(c.hostname)}",version="${escapeLabel(c.release || 'unknown')}"}`, 1);
        for (const s of STATUSES) status.sampleText(`${base},status="${s}"}`, c.status === s ? 1 : 0);
        const on = this.fleet.online(c, now);
        if (on) online++;
        connected.sampleText(`${base}}`, on ? 1 : 0);
        if (c.agent.lastSeenMs) lastSeen.sampleText(`${base}}`, c.agent.lastSeenMs / 1000);
        const b = backups.get(c.id);
        if (b) {
          backupLast.sampleText(`{${id}}`, b.lastSuccessSeconds);
          backupMax.sampleText(`{${id}}`, b.maxAgeSeconds);
        }
        count(commonsCount, `${c.environment}\u0000${c.status}`);
        for (const s of c.services.values()) count(servicesCount, `${c.environment}\u0000${s.name}\u0000${s.status}`);
      }
    }
    this.forgetGone();

    const agents = new Family('dcoc_agents_connected', 'Agents with an open stream (fleet total).', 'gauge');
    agents.sample({}, online);
    const commons = new Family('dcoc_commons', 'Commons by environment and status (per environment x status: bounded).', 'gauge');
    for (const key of [...commonsCount.keys()].sort()) {
      const [environment, s] = key.split('\u0000');
      commons.sample({ environment, status: s }, commonsCount.get(key)!);
    }
    const services = new Family('dcoc_services', 'Services by environment, service and status, summed over the commons (per environment x service x status: bounded); per commons: dcoc_service_up at /metrics/commons/{id}.', 'gauge');
    for (const key of [...servicesCount.keys()].sort()) {
      const [environment, service, s] = key.split('\u0000');
      services.sample({ environment, service, status: s }, servicesCount.get(key)!);
    }
    // Joined a piece at a time with the loop free between pieces: the status family alone is 4 lines per commons.
    const parts = [own];
    for (const f of [agents, commons, services, info, status, connected, lastSeen, backupLast, backupMax]) {
      for (const piece of f.pieces(FLEET_CHUNK * 4)) {
        parts.push(piece);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    return parts.join('');
  }

  /** Per-commons detail of commons no longer in the fleet is dropped. */
  private forgetGone(): void {
    const live = (id: string) => this.fleet.get(id) !== undefined;
    this.healthLatency.prune(live);
    this.commandsFinished.prune(live);
    this.requests.prune(live);
  }
}

export type { LiveCommons };
