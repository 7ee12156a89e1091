// Request metrics of every commons, as its agent last reported them
// (cumulative since the agent started: a restart of the agent is a counter
// reset, which rate() handles), exported as dcoc_requests_total and the
// dcoc_request_duration_seconds histogram labelled commons, environment,
// service, code (and le). Per commons x service x status class, so they are
// served with the commons' detail (/metrics/commons/{id}), not on the fleet
// /metrics. A commons that is removed is forgotten at the next fleet render.
import { DURATION_LE, REQUEST_METRICS, STATUS_CLASSES } from '../../contracts/gen3/revproxy';
import type { RequestSample } from '../gateway/request-metrics-report';
import { Family } from './text';

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

  /** Forgets the commons that are gone. */
  prune(live: (id: string) => boolean): void {
    for (const id of this.byCommons.keys()) if (!live(id)) this.byCommons.delete(id);
  }

  /** The commons' two families, services by name and status classes in order. */
  families(commons: { id: string; environment: string }): Family[] {
    const total = new Family(REQUEST_METRICS.total, 'Requests revproxy logged, by the service that answered and status class (from its access log, by the commons agent). Per commons x service x class: /metrics/commons/{id}.', 'counter');
    const hist = new Family(HISTOGRAM, 'Request time revproxy logged (response_secs), by the service that answered and status class. Per commons x service x class: /metrics/commons/{id}.', 'histogram');
    const series = this.byCommons.get(commons.id);
    if (series) {
      const ordered = [...series.values()].sort((a, b) => a.service.localeCompare(b.service) || STATUS_CLASSES.indexOf(a.code as never) - STATUS_CLASSES.indexOf(b.code as never));
      for (const s of ordered) {
        const base = { commons: commons.id, environment: commons.environment, service: s.service, code: s.code };
        if (s.total !== undefined) total.sample(base, s.total);
        // Only a whole histogram: every bucket, the sum and the count.
        if (s.sum === undefined || s.count === undefined || DURATION_LE.some((le) => !s.buckets.has(le))) continue;
        hist.histogram(base, DURATION_LE.map((le) => [le, s.buckets.get(le)!] as const), s.sum, s.count);
      }
    }
    return [total, hist];
  }
}
