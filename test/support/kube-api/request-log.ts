// Test knobs on the HTTP layer: every request is recorded (so a test can
// assert "exactly one PATCH to deployments/fence-deployment"), and failures
// can be injected for matching requests (429/500/503 ... as real Status
// objects) to exercise client retry paths.
import { errors, type KubeError } from './errors';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. /apis/apps/v1/namespaces/gen3/deployments/fence-deployment. */
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** Parsed JSON/YAML body when there was one (raw text when it did not parse). */
  body?: unknown;
  rawBody: string;
  userAgent?: string;
  /** HTTP status answered (watches: 200 at start). */
  status?: number;
  time: Date;
}

export interface RequestFilter {
  method?: string;
  /** Exact path, or a RegExp tested against the path. */
  path?: string | RegExp;
  /** Substring of the path, e.g. 'deployments/fence-deployment'. */
  pathIncludes?: string;
  /** Only watch requests (true) or only non-watch requests (false). */
  watch?: boolean;
  contentType?: string;
}

function matches(r: RecordedRequest, f: RequestFilter): boolean {
  if (f.method && r.method.toUpperCase() !== f.method.toUpperCase()) return false;
  if (typeof f.path === 'string' && r.path !== f.path) return false;
  if (f.path instanceof RegExp && !f.path.test(r.path)) return false;
  if (f.pathIncludes && !r.path.includes(f.pathIncludes)) return false;
  if (f.contentType && (r.contentType ?? '').split(';')[0].trim() !== f.contentType) return false;
  if (f.watch !== undefined) {
    const isWatch = r.query.watch === 'true' || r.query.watch === '1';
    if (isWatch !== f.watch) return false;
  }
  return true;
}

export class RequestLog {
  private entries: RecordedRequest[] = [];

  record(r: RecordedRequest): void {
    this.entries.push(r);
  }

  all(): RecordedRequest[] {
    return [...this.entries];
  }

  find(f: RequestFilter = {}): RecordedRequest[] {
    return this.entries.filter((r) => matches(r, f));
  }

  count(f: RequestFilter = {}): number {
    return this.find(f).length;
  }

  clear(): void {
    this.entries = [];
  }
}

export interface InjectedFailure extends RequestFilter {
  /** How many matching requests fail (default 1; Infinity for "until cleared"). */
  times?: number;
  code: number;
  reason?: string;
  message?: string;
  /** Sets Retry-After and Status.details.retryAfterSeconds (429/503). */
  retryAfterSeconds?: number;
}

const DEFAULT_REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export class FailureInjector {
  private rules: { rule: InjectedFailure; left: number }[] = [];

  add(rule: InjectedFailure): void {
    this.rules.push({ rule, left: rule.times ?? 1 });
  }

  /** The error to answer for this request, consuming one use of the first matching rule. */
  take(r: RecordedRequest): KubeError | undefined {
    const hit = this.rules.find((x) => x.left > 0 && matches(r, x.rule));
    if (!hit) return undefined;
    hit.left--;
    const { code, retryAfterSeconds } = hit.rule;
    const reason = hit.rule.reason ?? DEFAULT_REASONS[code] ?? 'Unknown';
    const message = hit.rule.message ?? (code === 429 ? 'Too many requests, please try again later.' : `injected failure (${code})`);
    return errors.custom(code, reason, message, retryAfterSeconds);
  }

  clear(): void {
    this.rules = [];
  }
}
