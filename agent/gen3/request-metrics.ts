// Cumulative request counts and a latency histogram per (service, status
// class), since the agent started, as the samples the control service exports
// (dcoc_requests_total, dcoc_request_duration_seconds_*). Bounded whatever the
// log holds: services come from the revproxy mapping (parseAccessLine already
// folds anything else into `other`), classes from 1xx..5xx, so at most
// REQUEST_SERVICES × 5 series.
import {
  DURATION_BUCKETS,
  DURATION_LE,
  OTHER_SERVICE,
  REQUEST_METRICS,
  REQUEST_SERVICES,
  type StatusClass,
} from '../../contracts/gen3/revproxy';
import type { MetricSample } from '../core/types';
import type { AccessRecord } from './revproxy-access-log';

interface Series {
  service: string;
  code: StatusClass;
  count: number;
  sum: number;
  /** Per bucket (not cumulative); the last one is +Inf. */
  buckets: number[];
}

const KNOWN = new Set(REQUEST_SERVICES);

export class RequestMetrics {
  private readonly series = new Map<string, Series>();

  record(r: AccessRecord): void {
    const service = KNOWN.has(r.service) ? r.service : OTHER_SERVICE;
    const key = `${service}\u0000${r.statusClass}`;
    let s = this.series.get(key);
    if (!s) {
      s = { service, code: r.statusClass, count: 0, sum: 0, buckets: new Array<number>(DURATION_LE.length).fill(0) };
      this.series.set(key, s);
    }
    s.count++;
    s.sum += r.seconds;
    let i = DURATION_BUCKETS.findIndex((le) => r.seconds <= le);
    if (i < 0) i = DURATION_BUCKETS.length;
    s.buckets[i]++;
  }

  /** How many (service, class) series have been seen. */
  get size(): number {
    return this.series.size;
  }

  /** Every series' current cumulative values, stamped `nowMs`. */
  samples(nowMs = Date.now()): MetricSample[] {
    const out: MetricSample[] = [];
    for (const s of [...this.series.values()].sort((a, b) => a.service.localeCompare(b.service) || a.code.localeCompare(b.code))) {
      const labels = { service: s.service, code: s.code };
      out.push({ name: REQUEST_METRICS.total, labels, value: s.count, timestampMs: nowMs });
      let cumulative = 0;
      s.buckets.forEach((n, i) => {
        cumulative += n;
        out.push({ name: REQUEST_METRICS.bucket, labels: { ...labels, le: DURATION_LE[i] }, value: cumulative, timestampMs: nowMs });
      });
      out.push({ name: REQUEST_METRICS.sum, labels, value: s.sum, timestampMs: nowMs });
      out.push({ name: REQUEST_METRICS.count, labels, value: s.count, timestampMs: nowMs });
    }
    return out;
  }
}
