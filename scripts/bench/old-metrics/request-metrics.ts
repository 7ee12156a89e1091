// The fleet /metrics before issue 19 (one registry, every series of every commons), kept only for `npm run bench -- --metrics` to compare against.
// Request metrics of every commons, as its agent last reported them
// (cumulative since the agent started: a restart of the agent is a counter
// reset, which rate() handles), exported as dcoc_requests_total and the
// dcoc_request_duration_seconds histogram labelled commons, environment,
// service, code (and le). Written at scrape time from the live fleet, so a
// commons that is removed stops being exported at once (and is forgotten).
import type { Registry } from 'prom-client';
import { DURATION_LE, REQUEST_METRICS, STATUS_CLASSES } from '../../../contracts/gen3/revproxy';
import type { RequestSample } from '../../../backend/gateway/request-metrics-report';
import type { Fleet } from '../../../backend/fleet/fleet';

type Labels = Record<string, string>;
interface Value {
  labels: Labels;
  value: number;
  metricName?: string;
}

interface SeriesValues {
  service: string;
  code: string;
  total?: number;
  sum?: number;
  count?: number;
  buckets: Map<string, number>;
}

const HISTOGRAM = 'dcoc_request_duration_seconds';

export class RequestMetricsExport {
  private readonly byCommons = new Map<string, Map<string, SeriesValues>>();

  constructor(
    registry: Registry,
    private readonly fleet: Fleet,
  ) {
    // prom-client has no counter or histogram whose values can be set, so these are
    // collectors in its metric-object shape, serialised by the registry like its own.
    const metric = (name: string, help: string, type: 'counter' | 'histogram', values: () => Value[]) => ({
      name,
      help,
      type,
      aggregator: 'sum',
      get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
      reset: () => undefined,
    });
    registry.registerMetric(
      metric(REQUEST_METRICS.total, 'Requests revproxy logged, by the service that answered and status class (from its access log, by the commons agent).', 'counter', () =>
        this.values((s, base) => (s.total === undefined ? [] : [{ labels: base, value: s.total }])),
      ) as never,
    );
    registry.registerMetric(
      metric(HISTOGRAM, "Request time revproxy logged (response_secs), by the service that answered and status class.", 'histogram', () =>
        this.values((s, base) => {
          // Only a whole histogram: every bucket, the sum and the count.
          if (s.sum === undefined || s.count === undefined || DURATION_LE.some((le) => !s.buckets.has(le))) return [];
          return [
            ...DURATION_LE.map((le) => ({ metricName: REQUEST_METRICS.bucket, labels: { ...base, le }, value: s.buckets.get(le)! })),
            { metricName: REQUEST_METRICS.sum, labels: base, value: s.sum },
            { metricName: REQUEST_METRICS.count, labels: base, value: s.count },
          ];
        }),
      ) as never,
    );
  }

  /** The newest cumulative values a commons' agent reported (validated by the gateway). */
  update(commonsId: string, samples: readonly RequestSample[]): void {
    if (!samples.length) return;
    let series = this.byCommons.get(commonsId);
    if (!series) {
      series = new Map();
      this.byCommons.set(commonsId, series);
    }
    for (const x of samples) {
      const key = `${x.service}\u0000${x.code}`;
      let s = series.get(key);
      if (!s) {
        s = { service: x.service, code: x.code, buckets: new Map() };
        series.set(key, s);
      }
      if (x.name === REQUEST_METRICS.total) s.total = x.value;
      else if (x.name === REQUEST_METRICS.sum) s.sum = x.value;
      else if (x.name === REQUEST_METRICS.count) s.count = x.value;
      else if (x.name === REQUEST_METRICS.bucket && x.le) s.buckets.set(x.le, x.value);
    }
  }

  /** Series held for a commons (for tests and bounds). */
  seriesOf(commonsId: string): number {
    return this.byCommons.get(commonsId)?.size ?? 0;
  }

  private values(emit: (s: SeriesValues, base: Labels) => Value[]): Value[] {
    const live = new Map(this.fleet.all().map((c) => [c.id, c]));
    for (const id of this.byCommons.keys()) if (!live.has(id)) this.byCommons.delete(id);
    const out: Value[] = [];
    for (const [id, series] of [...this.byCommons].sort(([a], [b]) => a.localeCompare(b))) {
      const c = live.get(id)!;
      const ordered = [...series.values()].sort((a, b) => a.service.localeCompare(b.service) || STATUS_CLASSES.indexOf(a.code as never) - STATUS_CLASSES.indexOf(b.code as never));
      for (const s of ordered) out.push(...emit(s, { commons: id, environment: c.environment, service: s.service, code: s.code }));
    }
    return out;
  }
}
