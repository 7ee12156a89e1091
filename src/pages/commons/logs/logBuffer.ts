// The lines the log viewer keeps: merged from every source (the first read,
// Live packets, polls), each line once, in time order, at most KEEP_LINES
// (the oldest go first).
import type { LogLevel } from '@grafana/data';
import { LOG_LINES_MAX, type LogLineView } from '../../../../contracts/api';
import { levelOf } from './logLevel';

export const KEEP_LINES = LOG_LINES_MAX;

export interface ShownLine extends LogLineView {
  key: string;
  level: LogLevel;
  /** Sort position: the line's time, or when it arrived when the runtime gave none. */
  at: number;
}

let arrivals = 0;

/** Lines without a runtime timestamp cannot be told apart from a repeat: each counts as new. */
function keyOf(l: LogLineView): string {
  return l.time ? `${l.pod}\u0000${l.container}\u0000${l.time}\u0000${l.line}` : `untimed-${++arrivals}`;
}

export function mergeLines(prev: ShownLine[], incoming: readonly LogLineView[], keep = KEEP_LINES): ShownLine[] {
  if (incoming.length === 0) return prev;
  const seen = new Set(prev.map((l) => l.key));
  const now = Date.now();
  const added: ShownLine[] = [];
  for (const l of incoming) {
    const key = keyOf(l);
    if (seen.has(key)) continue;
    seen.add(key);
    const t = l.time ? Date.parse(l.time) : NaN;
    added.push({ ...l, key, level: levelOf(l.line), at: Number.isNaN(t) ? now : t });
  }
  if (added.length === 0) return prev;
  const all = [...prev, ...added].sort((a, b) => a.at - b.at);
  return all.length > keep ? all.slice(all.length - keep) : all;
}

/** The newest line time, for a poll's `since`. */
export function newestTime(lines: readonly ShownLine[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].time) return lines[i].time ?? undefined;
  return undefined;
}
