// `npm run bench -- --metrics`: the control service's /metrics at fleet size,
// in process (no agents, no store): a Fleet of 1,000 and 10,000 synthetic
// commons x 20 services with revproxy request metrics and health latency
// samples (scripts/bench/synthetic-fleet.ts). For each size:
// - old: the /metrics before issue 19 (one prom-client registry with every
//   series of every commons, scripts/bench/old-metrics/, kept only for this);
// - new: the fleet /metrics (bounded own metrics, a few series per commons,
//   rendered in chunks) and one commons' /metrics/commons/{id};
// the body's size, the render's wall time, and the longest the event loop
// was kept from running anything else during the render
// (perf_hooks.monitorEventLoopDelay, 1 ms resolution): what an agent's
// stream or a gateway timer waits at worst while Prometheus scrapes.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Metrics as NewMetrics } from '../../backend/metrics/registry';
import { Metrics as OldMetrics } from './old-metrics/registry';
import { feedSyntheticMetrics, syntheticFleet, syntheticId } from './synthetic-fleet';
import { fmt } from './measure';

interface Row {
  commons: number;
  what: string;
  bytes: number;
  ms: number;
  maxLoopMs: number;
}

async function measure(commons: number, what: string, render: () => Promise<string> | string): Promise<Row> {
  (globalThis as { gc?: () => void }).gc?.();
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  // The monitor's timer is running before the render starts, so a render that never yields is measured whole.
  await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  let bytes = NaN;
  try {
    bytes = Buffer.byteLength(await render());
  } catch (e) {
    // At 10,000 commons the old body is longer than V8's longest string: the scrape fails, after the stall.
    what = `${what}: failed, ${(e as Error).message}`;
  }
  const ms = performance.now() - t0;
  // One more turn, so the stall just ended is recorded.
  await new Promise((r) => setTimeout(r, 5));
  h.disable();
  return { commons, what, bytes, ms, maxLoopMs: h.max / 1e6 };
}

export async function metricsBench(sizes = [1_000, 10_000], old = true): Promise<string> {
  const rows: Row[] = [];
  for (const n of sizes) {
    const fleet = syntheticFleet(n);
    if (old) {
      const before = new OldMetrics(fleet);
      feedSyntheticMetrics(fleet, before);
      rows.push(await measure(n, 'old /metrics (every series)', () => before.registry.metrics()));
    }
    const metrics = new NewMetrics(fleet);
    feedSyntheticMetrics(fleet, metrics);
    await metrics.renderFleet(); // warm
    rows.push(await measure(n, 'new fleet /metrics', () => metrics.renderFleet()));
    const id = syntheticId(Math.floor(n / 2));
    metrics.renderCommons(id);
    rows.push(await measure(n, 'new /metrics/commons/{id}, one', () => metrics.renderCommons(id)!));
  }
  const mb = (b: number) => (!Number.isFinite(b) ? 'n/a' : b >= 1024 * 1024 ? `${fmt(b / 1024 / 1024)} MB` : `${fmt(b / 1024)} KB`);
  const head = ['commons', 'render', 'body', 'per commons', 'render time', 'longest event-loop stall'];
  const cells = rows.map((r) => [r.commons.toLocaleString('en-US'), r.what, mb(r.bytes), r.what.includes('one') || !Number.isFinite(r.bytes) ? '' : `${fmt(r.bytes / r.commons, 0)} B`, `${fmt(r.ms)} ms`, `${fmt(r.maxLoopMs)} ms`]);
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => (i < 2 ? x.padEnd(width[i]) : x.padStart(width[i]))).join(' | ')} |`;
  return [
    '== /metrics at fleet size, in process (20 services a commons, request metrics and health latency on each)',
    '',
    line(head),
    `|${width.map((w, i) => (i < 2 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...cells.map(line),
  ].join('\n');
}
