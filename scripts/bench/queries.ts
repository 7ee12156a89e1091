// `npm run bench -- --queries`: the data source's fleet-wide queries at 1,000
// and 10,000 commons, through the shipped data source executable driven by
// Grafana's own plugin client (test/tools/grafana-host: go-plugin, which lifts
// gRPC's 4 MiB receive limit as in Grafana, grafana-plugin-sdk-go's decoder), against
// a control service on PostgreSQL seeded with the commons and no agents
// (test/support/seeded-control.ts). Per query: p50/p95 over the runs, the
// control service requests it made, and its frame's size in Grafana's JSON
// frame form (data.FrameToJSON, what /api/ds/query serves); the times include
// the harness rendering every value as JSON on its stdout. GET /api/v1/commons
// and GET /api/v1/fleet/summary are timed straight against the control service.
import { GoGrafanaHost, query, type DataResponse } from '../../test/support/go-grafana-host';
import { dcocExecutables } from '../../test/support/plugin-build';
import { dsContext } from '../../test/plugin-dcoc/support/contexts';
import { ADMIN_TOKEN } from '../../test/support/fleet';
import { startSeededControl } from '../../test/support/seeded-control';
import type { Cleanups } from './cleanups';
import { fmt, pct, scrape } from './measure';

export interface QueriesBenchOptions {
  sizes: number[];
  runs: number;
  /** PostgreSQL admin URL the seeded control service's database is made through. */
  databaseUrl: string;
}

const QUERIES: { label: string; json: Record<string, unknown> }[] = [
  { label: 'fleet', json: { queryType: 'fleet' } },
  { label: 'health', json: { queryType: 'health' } },
  { label: 'health metric=services_down', json: { queryType: 'health', metric: 'services_down' } },
  { label: 'services (all commons)', json: { queryType: 'services' } },
  { label: 'services service=indexd', json: { queryType: 'services', service: 'indexd' } },
];

async function timed(runs: number, fn: () => Promise<void>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return { p50: pct(ms, 50), p95: pct(ms, 95) };
}

/** The control service's answered requests per route, from its request histogram. */
async function requestsByRoute(url: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [key, n] of await scrape(url)) {
    const m = /^dcoc_http_request_duration_seconds_count\{.*route="([^"]*)"/.exec(key);
    if (m) out.set(m[1], (out.get(m[1]) ?? 0) + n);
  }
  return out;
}

const kib = (bytes: number) => `${fmt(bytes / 1024, 0)} KiB`;

export async function queriesBench(o: QueriesBenchOptions, cleanups: Cleanups): Promise<string> {
  process.env.DCOC_TEST_DATABASE_URL = o.databaseUrl;
  const exes = await dcocExecutables();
  const out: string[] = [];
  for (const n of o.sizes) {
    const seededAt = performance.now();
    const seeded = await startSeededControl(n);
    cleanups.push(`stop the control service seeded with ${n} commons`, () => seeded.stop());
    const host = await GoGrafanaHost.start(exes.datasource);
    cleanups.push('stop the data source', () => host.stop().then(() => undefined));
    out.push(`== ${n.toLocaleString('en-US')} commons (seeded and started in ${fmt((performance.now() - seededAt) / 1000)} s), ${o.runs} runs each after 3 warm-ups`);
    out.push(['query'.padEnd(50), 'p50 ms'.padStart(9), 'p95 ms'.padStart(9), 'requests/query'.padStart(32), 'frame (JSON form)'.padStart(18), 'rows'.padStart(8)].join(' '));
    const ctx = dsContext({ role: 'Admin', controlUrl: seeded.control.url });
    for (const q of QUERIES) {
      let last: DataResponse | undefined;
      const run = async () => {
        last = (await host.queryData({ pluginContext: ctx, queries: [query({ refId: 'A', json: q.json })] })).A;
      };
      const t = await timed(o.runs, run).catch((e: Error) => ({ error: e.message }));
      if ('error' in t) {
        out.push(`${q.label.padEnd(50)} failed: ${t.error.slice(0, 200)}`);
        continue;
      }
      const before = await requestsByRoute(seeded.control.url);
      await run();
      const after = await requestsByRoute(seeded.control.url);
      const asked = [...after].filter(([route, c]) => route !== '/metrics' && c !== (before.get(route) ?? 0)).map(([route, c]) => `${c - (before.get(route) ?? 0)}× ${route.replace('/api/v1', '')}`);
      const f = last?.frames[0];
      const size = last?.frames.reduce((s, fr) => s + JSON.stringify(fr.json).length, 0) ?? 0;
      const status = last?.error ? ` error: ${last.error.slice(0, 120)}` : '';
      out.push([q.label.padEnd(50), fmt(t.p50).padStart(9), fmt(t.p95).padStart(9), asked.join(', ').padStart(32), kib(size).padStart(18), String(f?.rows ?? 0).padStart(8)].join(' ') + status);
    }
    for (const path of ['/api/v1/commons', '/api/v1/fleet/summary', '/api/v1/fleet/summary?services=true']) {
      let bytes = 0;
      const t = await timed(o.runs, async () => {
        const r = await fetch(`${seeded.control.url}${path}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
        bytes = (await r.arrayBuffer()).byteLength;
        if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
      });
      out.push([`GET ${path} (direct)`.padEnd(50), fmt(t.p50).padStart(9), fmt(t.p95).padStart(9), ''.padStart(32), `${kib(bytes)} body`.padStart(18)].join(' '));
    }
    await cleanups.run();
    out.push('');
  }
  return out.join('\n');
}
