// One line of Gen3 revproxy's access log → the request it records: which
// service answered (bounded to contracts/gen3/revproxy.ts's mapping, else
// `other`), the status class and the seconds it took. The line is nginx's
// `log_format json` without escape=json, so it is parsed by its fields, not
// with JSON.parse: `"` inside a value is `\x22`, so a quoted value never holds
// a raw quote and each `"field": ` occurs once. Anything else (nginx's error
// log on the same stream, a truncated line, a line of another format) is null.
import {
  ACCESS_LINE_PREFIX,
  NOPROXY_UPSTREAM_TO_SERVICE,
  NO_PROXY,
  OTHER_SERVICE,
  PROXY_SERVICE_TO_SERVICE,
  SELF_SERVICE,
  type StatusClass,
  statusClass,
} from '../../contracts/gen3/revproxy';

export interface AccessRecord {
  service: string;
  statusClass: StatusClass;
  seconds: number;
}

/** Longer than any line nginx writes for a sane request (the URI, referer and user agent are bounded by its 8 KiB header buffers). */
const MAX_LINE = 64 * 1024;

const STATUS = /"http_status_code": (\d{1,3})[,}]/;
const SECONDS = /"response_secs": (\d{1,6}(?:\.\d{1,6})?)[,}]/;
const PROXY_SERVICE = /"proxy_service": "([^"]{0,253})"/;
const UPSTREAM = /"http_upstream": "([^"]{0,2048})"/;

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The service the line's $proxy_service (and, for "noproxy", its upstream) stands for. */
export function serviceOf(proxyService: string, upstream: string): string {
  if (hasOwn(PROXY_SERVICE_TO_SERVICE, proxyService)) return PROXY_SERVICE_TO_SERVICE[proxyService];
  if (proxyService !== NO_PROXY) return OTHER_SERVICE;
  if (upstream === '-' || upstream === '') return SELF_SERVICE;
  // http://sheepdog-service.<ns>.svc.cluster.local[/path]: the first DNS label of the host.
  const host = /^https?:\/\/([a-z0-9-]{1,63})[.:/]?/.exec(upstream)?.[1] ?? '';
  return hasOwn(NOPROXY_UPSTREAM_TO_SERVICE, host) ? NOPROXY_UPSTREAM_TO_SERVICE[host] : OTHER_SERVICE;
}

export function parseAccessLine(line: string): AccessRecord | null {
  if (line.length > MAX_LINE || !line.startsWith(ACCESS_LINE_PREFIX)) return null;
  const status = STATUS.exec(line);
  const seconds = SECONDS.exec(line);
  const proxy = PROXY_SERVICE.exec(line);
  if (!status || !seconds || !proxy) return null;
  const cls = statusClass(Number(status[1]));
  const secs = Number(seconds[1]);
  if (!cls || !Number.isFinite(secs)) return null;
  return { service: serviceOf(proxy[1], UPSTREAM.exec(line)?.[1] ?? '-'), statusClass: cls, seconds: secs };
}
