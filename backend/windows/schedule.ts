// A window's schedule as occurrences: each start and end, for a cron
// schedule read in the window's time zone or a one-off start and end.
import type { Occurrence, Schedule } from '../../contracts/windows';
import { type Cron, CronError, nextOccurrences, parseCron, wallAt } from './cron';

export interface Span {
  startMs: number;
  endMs: number;
}

const cache = new Map<string, Cron>();

function cronOf(expr: string): Cron {
  let c = cache.get(expr);
  if (!c) {
    c = parseCron(expr);
    if (cache.size > 500) cache.clear();
    cache.set(expr, c);
  }
  return c;
}

/** Why a schedule cannot be used (the field and message), or undefined. */
export function scheduleProblem(s: Schedule, timeZone: string, nowMs = Date.now()): { field: string; message: string } | undefined {
  if (!('cron' in s)) return Date.parse(s.end) <= nowMs ? { field: 'body.schedule.end', message: `${s.end} has passed: a one-off window must end in the future` } : undefined;
  try {
    if (nextOccurrences(cronOf(s.cron), timeZone, nowMs, 1).length === 0) return { field: 'body.schedule.cron', message: `"${s.cron}" never fires in the next 5 years` };
  } catch (e) {
    if (e instanceof CronError) return { field: 'body.schedule.cron', message: e.message };
    throw e;
  }
  return undefined;
}

/** The occurrences that start after `fromMs`, up to `count`. */
export function upcoming(s: Schedule, timeZone: string, fromMs: number, count: number): Span[] {
  if ('cron' in s) {
    const d = s.durationMinutes * 60_000;
    return nextOccurrences(cronOf(s.cron), timeZone, fromMs, count).map((t) => ({ startMs: t, endMs: t + d }));
  }
  const start = Date.parse(s.start);
  return start > fromMs && count > 0 ? [{ startMs: start, endMs: Date.parse(s.end) }] : [];
}

/** The occurrence in progress at `nowMs` (start ≤ now < end), if any; the latest started when two overlap. */
export function current(s: Schedule, timeZone: string, nowMs: number): Span | undefined {
  if ('cron' in s) {
    const d = s.durationMinutes * 60_000;
    // Starts after now − duration that are not after now: the last of them is in progress.
    const starts = nextOccurrences(cronOf(s.cron), timeZone, nowMs - d, s.durationMinutes + 1, nowMs);
    const t = starts.at(-1);
    return t === undefined ? undefined : { startMs: t, endMs: t + d };
  }
  const [start, end] = [Date.parse(s.start), Date.parse(s.end)];
  return start <= nowMs && nowMs < end ? { startMs: start, endMs: end } : undefined;
}

export const occurrence = (o: Span): Occurrence => ({ start: new Date(o.startMs).toISOString(), end: new Date(o.endMs).toISOString() });

/** "2026-03-08 03:30 CDT (UTC−05:00)": the wall clock in the zone, with its offset. */
export function localTime(ms: number, timeZone: string): string {
  const w = wallAt(ms, timeZone);
  const offsetMin = Math.round((Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '−' : '+';
  const abs = Math.abs(offsetMin);
  const pad = (n: number) => String(n).padStart(2, '0');
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ${name} (UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)})`;
}
