// The external checks of the fleet: every commons the fleet knows, every
// configured path, probed in rounds (interval with jitter, bounded
// concurrency), the last result of each kept in memory for the API and the
// dcoc_external_* metrics.
//
// Every replica probes (on PostgreSQL several do): the API of any replica
// answers from its own recent results, and the alert rules aggregate over
// replicas (max/min by commons, endpoint), so one replica's bad network alone
// does not page. The cost is one probe per endpoint per replica per interval.
import { DnsName, type ExternalCheckView } from '../../contracts/api';
import type { Logger } from '../../lib/logger';
import type { Fleet, LiveCommons } from '../fleet/fleet';
import { type ProbeResult, probe, probeOk } from './probe';
import { HOSTNAME_PLACEHOLDER, type ExternalCheckSettings } from './settings';

export interface EndpointResult {
  /** The configured path: the metrics' endpoint label. */
  endpoint: string;
  result: ProbeResult | null;
  /** Set when the commons cannot be probed at all (its hostname is not a DNS name). */
  refused?: string;
}

type ProbeFn = typeof probe;

/** The URL of `path` on a commons, or why there is none. */
export function endpointUrl(template: string, hostname: string, path: string): URL | string {
  // The hostname is what the agent reported: only a DNS name becomes a URL host.
  if (!DnsName.safeParse(hostname).success) return `hostname ${JSON.stringify(hostname.slice(0, 80))} is not a DNS name; not probed`;
  const u = new URL(template.replace(HOSTNAME_PLACEHOLDER, hostname));
  if (u.hostname !== hostname) return `hostname ${hostname} does not make a URL host; not probed`;
  u.pathname = `${u.pathname.replace(/\/$/, '')}${path}`;
  return u;
}

export class ExternalChecks {
  private readonly results = new Map<string, Map<string, ProbeResult>>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly settings: ExternalCheckSettings,
    private readonly fleet: Pick<Fleet, 'all' | 'get'>,
    private readonly log: Logger,
    private readonly probeFn: ProbeFn = probe,
  ) {}

  get enabled(): boolean {
    return this.settings.enabled;
  }

  get paths(): readonly string[] {
    return this.settings.paths;
  }

  start(): void {
    if (!this.settings.enabled) {
      this.log.info('external checks are off (DCOC_EXTERNAL_CHECKS=false)');
      return;
    }
    this.log.info({ intervalS: this.settings.intervalMs / 1000, paths: this.settings.paths, url: this.settings.urlTemplate }, 'external checks started');
    // The first round soon after start, spread over a second so replicas started together do not probe together.
    this.schedule(Math.random() * 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round()
        .catch((e: Error) => this.log.error({ err: e }, 'external check round failed'))
        .finally(() => {
          this.running = null;
          // The next round in interval ± 10%.
          this.schedule(this.settings.intervalMs * (0.9 + Math.random() * 0.2));
        });
    }, delayMs);
    this.timer.unref();
  }

  /** Probes every endpoint of every commons once, at most `concurrency` at a time. */
  async round(): Promise<void> {
    const commons = this.fleet.all();
    const known = new Set(commons.map((c) => c.id));
    for (const id of this.results.keys()) if (!known.has(id)) this.results.delete(id);
    const tasks: (() => Promise<void>)[] = [];
    for (const c of commons) {
      for (const path of this.settings.paths) {
        const url = endpointUrl(this.settings.urlTemplate, c.hostname, path);
        if (typeof url === 'string') continue;
        tasks.push(async () => {
          if (this.stopped) return;
          const r = await this.probeFn({ url, address: this.settings.addresses.get(c.hostname) }, { timeoutMs: this.settings.timeoutMs, extraCaPem: this.settings.extraCaPem });
          this.record(c, path, r);
        });
      }
    }
    let next = 0;
    const worker = async () => {
      while (next < tasks.length) await tasks[next++]();
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, tasks.length) }, worker));
  }

  private record(c: LiveCommons, path: string, r: ProbeResult): void {
    if (!this.fleet.get(c.id)) return; // removed while probed
    let m = this.results.get(c.id);
    if (!m) this.results.set(c.id, (m = new Map()));
    const before = m.get(path);
    m.set(path, r);
    if (before && probeOk(before) !== probeOk(r)) {
      this.log.info({ commons: c.id, endpoint: path, ok: probeOk(r), error: r.error, httpStatus: r.httpStatus }, probeOk(r) ? 'external endpoint ok again' : 'external endpoint failing');
    }
  }

  /** Each configured path of a commons with its last result (null before the first probe). */
  endpoints(c: Pick<LiveCommons, 'id' | 'hostname'>): EndpointResult[] {
    const m = this.results.get(c.id);
    return this.settings.paths.map((endpoint) => {
      const url = endpointUrl(this.settings.urlTemplate, c.hostname, endpoint);
      return typeof url === 'string' ? { endpoint, result: null, refused: url } : { endpoint, result: m?.get(endpoint) ?? null };
    });
  }

  /** The API's view: empty when the checks are off. */
  views(c: Pick<LiveCommons, 'id' | 'hostname'>): ExternalCheckView[] {
    if (!this.settings.enabled) return [];
    return this.endpoints(c).map(({ endpoint, result: r, refused }) => {
      const url = endpointUrl(this.settings.urlTemplate, c.hostname, endpoint);
      const urlText = typeof url === 'string' ? '' : url.toString();
      if (!r) {
        return { url: urlText, ok: false, httpStatus: null, latencyMs: null, checkedAt: null, error: refused ?? 'not checked yet', certificateNotAfter: null, certificateValid: null };
      }
      return {
        url: r.url,
        ok: probeOk(r),
        httpStatus: r.httpStatus,
        latencyMs: r.latencyMs,
        checkedAt: r.checkedAt.toISOString(),
        error: r.error,
        certificateNotAfter: r.certificateNotAfter?.toISOString() ?? null,
        certificateValid: r.certificateValid,
      };
    });
  }
}
