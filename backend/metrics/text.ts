// The Prometheus text exposition format (0.0.4), written directly: the fleet
// and per-commons series are rendered here rather than through prom-client's
// label-hashing metric objects, which cost far more per series at fleet scale.
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** `{a="x",b="y"}`, or '' without labels. */
export function labelText(labels: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  for (const k in labels) parts.push(`${k}="${escapeLabel(labels[k])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** One metric family: its HELP and TYPE, then its sample lines, kept together as the format asks. */
export class Family {
  readonly lines: string[] = [];
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
  ) {}

  sample(labels: Readonly<Record<string, string>>, value: number, suffix = ''): void {
    this.lines.push(`${this.name}${suffix}${labelText(labels)} ${formatValue(value)}`);
  }

  /** A sample whose label text (`{…}`, escaped) the caller built: many series of one commons share its labels' prefix. */
  sampleText(labelText: string, value: number): void {
    this.lines.push(`${this.name}${labelText} ${formatValue(value)}`);
  }

  /** A whole histogram: cumulative buckets (le ascending, +Inf last), sum and count. */
  histogram(labels: Readonly<Record<string, string>>, buckets: readonly (readonly [string, number])[], sum: number, count: number): void {
    for (const [le, n] of buckets) this.sample({ ...labels, le }, n, '_bucket');
    this.sample(labels, sum, '_sum');
    this.sample(labels, count, '_count');
  }

  text(): string {
    if (!this.lines.length) return '';
    return `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n${this.lines.join('\n')}\n`;
  }

  /** The same text in pieces of at most `lines` sample lines, so a family of 40,000 series is joined a piece at a time. */
  *pieces(lines: number): Generator<string> {
    if (!this.lines.length) return;
    yield `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
    for (let i = 0; i < this.lines.length; i += lines) yield `${this.lines.slice(i, i + lines).join('\n')}\n`;
  }
}
