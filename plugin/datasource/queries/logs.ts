// Grafana log frames (dataplane "log-lines"): timestamp, body, severity, id
// and a labels object per line, newest first.
import type { Frame } from '../../sdk';
import type { Severity } from './log-level';

export interface LogLine {
  at: Date;
  body: string;
  severity: Severity;
  id: string;
  labels: Record<string, string>;
}

export function logFrame(name: string, lines: LogLine[]): Frame {
  const rows = [...lines].sort((a, b) => b.at.getTime() - a.at.getTime());
  return {
    name,
    meta: { type: 'log-lines', preferredVisualisationType: 'logs' },
    fields: [
      { name: 'timestamp', type: 'time', values: rows.map((l) => l.at) },
      { name: 'body', type: 'string', values: rows.map((l) => l.body) },
      { name: 'severity', type: 'string', values: rows.map((l) => l.severity) },
      { name: 'id', type: 'string', values: rows.map((l) => l.id) },
      { name: 'labels', type: 'json', values: rows.map((l) => l.labels) },
    ],
  };
}

/** Labels without the empty ones (a label with no value is noise in the logs view). */
export function labels(entries: Record<string, string | number | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== null && v !== undefined && v !== '') out[k] = String(v);
  return out;
}
