// Gen3 health over real HTTP: each service's own endpoint, judged by the body
// rule for that service (gen3-facts.md §1.1). Every check is also a latency
// sample for dcoc_service_health_latency_seconds.
import { request } from 'node:http';
import type { Observations } from '../core/observations';
import type { HealthResult } from '../core/types';
import { type HealthRule, gen3Service } from '../../contracts/gen3/catalog';
import type { Collector } from './collector';
import { judgeHealth } from './health-rules';

export interface HealthTarget {
  service: string;
  /** The URL as an operator would write it (http://fence-service/_status). */
  url: string;
  /** Where to connect, when that differs from the URL's host (the simulation). */
  connect?: { host: string; port: number };
  rule: HealthRule;
}

const TIMEOUT_MS = 2000;
const MAX_BODY = 64 * 1024;

export function probe(target: HealthTarget): Promise<HealthResult> {
  const started = process.hrtime.bigint();
  const url = new URL(target.url);
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  return new Promise((resolve) => {
    const done = (httpStatus: number, ok: boolean, detail: string) =>
      resolve({ url: target.url, httpStatus, latencyMs: Math.round(elapsed() * 100) / 100, checkedAtMs: Date.now(), ok, detail });
    const req = request(
      {
        host: target.connect?.host ?? url.hostname,
        port: target.connect?.port ?? (url.port || 80),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { Host: url.host, 'User-Agent': 'dcoc-agent', Accept: '*/*' },
        timeout: TIMEOUT_MS,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_BODY) body += chunk;
        });
        res.on('end', () => {
          const v = judgeHealth(target.rule, res.statusCode ?? 0, body);
          done(res.statusCode ?? 0, v.ok, v.detail);
        });
        res.on('error', (e) => done(res.statusCode ?? 0, false, e.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => done(0, false, e.code === 'ECONNRESET' || e.code === 'ECONNREFUSED' ? `connection refused (${e.code}): no ready endpoint` : e.message));
    req.end();
  });
}

export class Gen3HealthCollector implements Collector {
  readonly name = 'gen3-health';
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private obs: Observations | null = null;

  constructor(
    private readonly targets: (services: string[]) => HealthTarget[],
    private intervalMs: number,
  ) {}

  async start(obs: Observations): Promise<void> {
    this.obs = obs;
    this.schedule(0);
  }

  setInterval(ms: number): void {
    if (ms === this.intervalMs) return;
    this.intervalMs = ms;
    if (this.timer) this.schedule(this.intervalMs);
  }

  /** One round of checks now (tests and the first connect use it). */
  async checkAll(): Promise<void> {
    const obs = this.obs;
    if (!obs || this.running) return;
    this.running = true;
    try {
      const results = await Promise.all(this.targets(obs.serviceNames()).map(async (t) => [t, await probe(t)] as const));
      for (const [t, r] of results) {
        obs.setHealth(t.service, r);
        obs.recordSample({ name: 'dcoc_health_check_latency_seconds', labels: { service: t.service }, value: r.latencyMs / 1000, timestampMs: r.checkedAtMs });
      }
    } finally {
      this.running = false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.obs = null;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.checkAll()
        .catch(() => undefined)
        .then(() => {
          if (this.obs) this.schedule(this.intervalMs);
        });
    }, ms);
  }
}

/** In-cluster targets: the Kubernetes Service DNS name of each Gen3 service. */
export function clusterHealthTargets(namespace: string) {
  return (services: string[]): HealthTarget[] =>
    services.flatMap((name) => {
      const s = gen3Service(name);
      if (!s) return [];
      return [{ service: name, url: `http://${s.k8sService}.${namespace}.svc.cluster.local${s.servicePort === 80 ? '' : `:${s.servicePort}`}${s.healthPath}`, rule: s.healthRule }];
    });
}
