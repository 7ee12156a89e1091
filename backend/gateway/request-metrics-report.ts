// Request metrics as an agent reports them (cumulative values of
// dcoc_requests_total and dcoc_request_duration_seconds_*), kept only within
// what revproxy's log can give: the names of contracts/gen3/revproxy.ts, a
// service of the revproxy mapping or of the commons (or `other`), a status
// class, a bucket bound of the shared set, exactly those labels, and a finite
// value ≥ 0 (a whole number for counts). Anything else is dropped and counted:
// each kept sample is a series on /metrics, so an agent cannot mint series.
import {
  DURATION_LE,
  REQUEST_METRICS,
  REQUEST_METRIC_NAMES,
  REQUEST_SERVICES,
  STATUS_CLASSES,
  type StatusClass,
} from '../../contracts/gen3/revproxy';

export interface RequestSample {
  name: string;
  service: string;
  code: StatusClass;
  /** Only for _bucket. */
  le?: string;
  value: number;
}

export interface RequestReport {
  samples: RequestSample[];
  dropped: number;
}

interface WireSample {
  name: string;
  labels?: Record<string, string> | null;
  value: number;
}

const SERVICES = new Set(REQUEST_SERVICES);
const CODES = new Set<string>(STATUS_CLASSES);
const LES = new Set(DURATION_LE);

/** True for a sample named like a request metric (it goes through reportedRequestSamples, whatever else it carries). */
export const isRequestSample = (s: { name: string }): boolean => REQUEST_METRIC_NAMES.has(s.name);

function valid(s: WireSample, commonsServices: ReadonlySet<string>): RequestSample | null {
  const labels = s.labels ?? {};
  const keys = Object.keys(labels);
  const bucket = s.name === REQUEST_METRICS.bucket;
  if (keys.length !== (bucket ? 3 : 2)) return null;
  const { service, code, le } = labels;
  if (typeof service !== 'string' || !(SERVICES.has(service) || commonsServices.has(service))) return null;
  if (typeof code !== 'string' || !CODES.has(code)) return null;
  if (bucket && (typeof le !== 'string' || !LES.has(le))) return null;
  const v = s.value;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return null;
  // Counts are whole numbers; only the sum of seconds has a fraction.
  if (s.name !== REQUEST_METRICS.sum && !Number.isSafeInteger(v)) return null;
  return { name: s.name, service, code: code as StatusClass, ...(bucket ? { le } : {}), value: v };
}

/** The request samples of one metrics message that are kept, and how many were not. */
export function reportedRequestSamples(samples: readonly WireSample[], commonsServices: ReadonlySet<string>): RequestReport {
  const out: RequestSample[] = [];
  let dropped = 0;
  for (const s of samples) {
    const ok = valid(s, commonsServices);
    if (ok) out.push(ok);
    else dropped++;
  }
  return { samples: out, dropped };
}
