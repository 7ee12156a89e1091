// A client of the Alertmanager API v2, which both Prometheus' Alertmanager and
// Grafana's built-in one serve (Grafana's at <grafana>/api/alertmanager/grafana,
// with a service account token). Fleet operations read the alerts firing for a
// commons (rollout gates) and create and expire silences (maintenance windows).
// Shapes from prometheus/alertmanager api/v2/openapi.yaml (v0.25).

export interface AlertmanagerOptions {
  /** Base URL: http://alertmanager:9093, or https://grafana/api/alertmanager/grafana. */
  url: string;
  /** Bearer token (Grafana's service account), if the Alertmanager needs one. */
  token?: string;
  timeoutMs?: number;
}

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export interface FiringAlert {
  fingerprint: string;
  labels: Record<string, string>;
  startsAt: string;
  state: 'active' | 'suppressed' | 'unprocessed';
}

export interface SilenceSpec {
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface SilenceView extends SilenceSpec {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
}

export class AlertmanagerError extends Error {}

export class Alertmanager {
  private readonly base: string;

  constructor(private readonly opts: AlertmanagerOptions) {
    this.base = opts.url.replace(/\/+$/, '');
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/v2${path}`, {
        method,
        headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}), ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
    } catch (e) {
      throw new AlertmanagerError(`Alertmanager at ${this.base} unreachable (${(e as Error).message}): check DCOC_ALERTMANAGER_URL`);
    }
    const text = await res.text();
    if (!res.ok) throw new AlertmanagerError(`Alertmanager ${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  /** Alerts matching every matcher (`name="value"`), active and not silenced or inhibited unless asked. */
  async alerts(filter: Matcher[], opts: { silenced?: boolean; inhibited?: boolean } = {}): Promise<FiringAlert[]> {
    const q = new URLSearchParams({ active: 'true', silenced: String(opts.silenced ?? false), inhibited: String(opts.inhibited ?? false), unprocessed: 'false' });
    for (const m of filter) q.append('filter', `${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '=~' : '='}${JSON.stringify(m.value)}`);
    const out = await this.call('GET', `/alerts?${q}`);
    if (!Array.isArray(out)) throw new AlertmanagerError('Alertmanager answered alerts that are not a list');
    return out.map((a: { fingerprint: string; labels: Record<string, string>; startsAt: string; status?: { state?: FiringAlert['state'] } }) => ({
      fingerprint: a.fingerprint,
      labels: a.labels,
      startsAt: a.startsAt,
      state: a.status?.state ?? 'active',
    }));
  }

  /** Creates a silence; its id. */
  async createSilence(s: SilenceSpec): Promise<string> {
    const out = (await this.call('POST', '/silences', { ...s, matchers: s.matchers.map((m) => ({ isEqual: true, ...m })) })) as { silenceID?: string };
    if (!out?.silenceID) throw new AlertmanagerError('Alertmanager created a silence without an id');
    return out.silenceID;
  }

  async getSilence(id: string): Promise<SilenceView | undefined> {
    try {
      return (await this.call('GET', `/silence/${encodeURIComponent(id)}`)) as SilenceView;
    } catch (e) {
      if (e instanceof AlertmanagerError && / 404:/.test(e.message)) return undefined;
      throw e;
    }
  }

  async listSilences(filter: Matcher[] = []): Promise<SilenceView[]> {
    const q = new URLSearchParams();
    for (const m of filter) q.append('filter', `${m.name}${m.isRegex ? '=~' : '='}${JSON.stringify(m.value)}`);
    return (await this.call('GET', `/silences${filter.length ? `?${q}` : ''}`)) as SilenceView[];
  }

  /** Expires a silence now; an already expired or unknown one is not an error (idempotent). */
  async expireSilence(id: string): Promise<void> {
    try {
      await this.call('DELETE', `/silence/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e instanceof AlertmanagerError && / (404|500):/.test(e.message)) {
        const s = await this.getSilence(id);
        if (!s || s.status.state === 'expired') return;
      }
      throw e;
    }
  }
}
