// The closing table: the topologies side by side, with the ratio of the
// second to the first.
import { type Figures, TOPOLOGY_TITLE } from './run';
import { fmt } from './measure';

interface Row {
  label: string;
  cell: (f: Figures) => string;
  /** The number the ratio divides; none means no ratio. */
  value?: (f: Figures) => number | null;
}

const sum = (f: Figures, k: 'rssMb' | 'cpuPct') => f.replicas.reduce((x, r) => x + r[k], 0);
const perReplica = (f: Figures, k: 'rssMb' | 'cpuPct') =>
  f.replicas.length > 1 ? `${fmt(sum(f, k))} (${f.replicas.map((r) => `${r.id} ${fmt(r[k])}`).join(' + ')})` : fmt(sum(f, k));

const ROWS: Row[] = [
  { label: 'agents connected', cell: (f) => String(f.connected), value: (f) => f.connected },
  { label: 'enrollment (s, all agents)', cell: (f) => fmt(f.enrollS), value: (f) => f.enrollS },
  { label: 'heartbeats/s', cell: (f) => fmt(f.heartbeats), value: (f) => f.heartbeats },
  { label: 'status deltas/s', cell: (f) => fmt(f.deltas), value: (f) => f.deltas },
  { label: 'metric samples/s ingested', cell: (f) => fmt(f.samples), value: (f) => f.samples },
  { label: 'command round trip p50 (ms)', cell: (f) => fmt(f.rtt.p50), value: (f) => f.rtt.p50 },
  { label: 'command round trip p99 (ms)', cell: (f) => fmt(f.rtt.p99), value: (f) => f.rtt.p99 },
  { label: '  agent on b, via NOTIFY: p50 / p99', cell: (f) => (f.rttCrossed ? `${fmt(f.rttCrossed.p50)} / ${fmt(f.rttCrossed.p99)}` : '—') },
  { label: 'commands succeeded', cell: (f) => String(f.rtt.n), value: (f) => f.rtt.n },
  { label: 'control RSS (MB)', cell: (f) => perReplica(f, 'rssMb'), value: (f) => sum(f, 'rssMb') },
  { label: 'control CPU (% of one core)', cell: (f) => perReplica(f, 'cpuPct'), value: (f) => sum(f, 'cpuPct') },
  { label: 'bare gRPC, same agents: RSS (MB)', cell: (f) => (f.floor ? fmt(f.floor.rssMb) : '—'), value: (f) => f.floor?.rssMb ?? null },
  { label: 'PostgreSQL backends CPU (%)', cell: (f) => (f.postgresCpuPct === null ? '—' : fmt(f.postgresCpuPct)) },
  { label: 'saturation ingest, replica a (samples/s)', cell: (f) => fmt(f.ingest.dcoc, 0), value: (f) => f.ingest.dcoc },
  { label: 'bare gRPC stream (samples/s)', cell: (f) => fmt(f.ingest.bare, 0), value: (f) => f.ingest.bare },
  { label: 'ingest ratio DCOC / bare', cell: (f) => fmt(f.ingest.dcoc / f.ingest.bare, 2), value: (f) => f.ingest.dcoc / f.ingest.bare },
];

/** A Markdown table (aligned for the terminal) of `first` and `second`, with second / first per row. */
export function sideBySide(first: Figures, second: Figures): string {
  const rows = [
    ['metric', TOPOLOGY_TITLE[first.topology], TOPOLOGY_TITLE[second.topology], 'ratio'],
    ...ROWS.map((r) => {
      const x = r.value?.(first);
      const y = r.value?.(second);
      const ratio = x != null && y != null && Number.isFinite(x) && Number.isFinite(y) && x !== 0 ? fmt(y / x, 2) : '';
      return [r.label, r.cell(first), r.cell(second), ratio];
    }),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const out = rows.map((r) => `| ${r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join(' | ')} |`);
  out.splice(1, 0, `|${widths.map((w, c) => (c === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  return out.join('\n');
}
