// Five-field cron expressions (minute hour day-of-month month day-of-week)
// read in an IANA time zone, with the next occurrences as instants. Wall
// clock times are converted with Intl only (no tz database of our own).
// Across DST: a time the clocks skip (02:30 on a spring-forward day) runs
// at the same distance after the change (03:30 the new offset), and a time
// that happens twice (01:30 on a fall-back day) runs once, the first time:
// the "compatible" disambiguation of Temporal and RFC 5545 (so an hourly
// expression skips the repeated hour: each wall time runs once).

export interface Cron {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Day-of-month and day-of-week both restricted: a day matching either runs (Vixie cron). */
  eitherDay: boolean;
}

export class CronError extends Error {}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** First name's number (months start at 1). */
  nameBase?: number;
}

const FIELDS: FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  // 7 is Sunday too, as in every cron.
  { name: 'day of week', min: 0, max: 7, names: WEEKDAYS, nameBase: 0 },
];

function value(text: string, f: FieldDef): number {
  const upper = text.toUpperCase();
  const named = f.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (f.nameBase ?? 0);
  if (!/^\d+$/.test(text)) throw new CronError(`${f.name}: "${text}" is not a number${f.names ? ` or a name (${f.names.join(', ')})` : ''}`);
  const n = Number(text);
  if (n < f.min || n > f.max) throw new CronError(`${f.name}: ${n} is outside ${f.min}–${f.max}`);
  return n;
}

function field(text: string, f: FieldDef): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new CronError(`${f.name}: "${part}" is not a value, range or step`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) throw new CronError(`${f.name}: step must be at least 1`);
    let lo: number;
    let hi: number;
    if (m[1] === '*') {
      [lo, hi] = [f.min, f.max];
      if (m[2] === undefined) star = true;
    } else if (m[1].includes('-')) {
      const [a, b, ...rest] = m[1].split('-');
      if (rest.length) throw new CronError(`${f.name}: "${m[1]}" is not a range`);
      [lo, hi] = [value(a, f), value(b, f)];
      if (lo > hi) throw new CronError(`${f.name}: range ${m[1]} runs backwards`);
    } else {
      lo = value(m[1], f);
      hi = m[2] === undefined ? lo : f.max;
    }
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, star };
}

/** Parses a 5-field expression; CronError saying which field is wrong. */
export function parseCron(expr: string): Cron {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new CronError(`a cron expression has 5 fields (minute hour day-of-month month day-of-week), not ${parts.length}: "${expr}"`);
  const [mi, h, d, mo, w] = parts.map((p, i) => field(p, FIELDS[i]));
  if (w.set.has(7)) w.set.add(0);
  w.set.delete(7);
  return { minutes: mi.set, hours: h.set, days: d.set, months: mo.set, weekdays: w.set, eitherDay: !d.star && !w.star };
}

// ------------------------------------------------------------------ time zones

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows the IANA zone. */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall clock in `timeZone` at `ms`. */
export function wallAt(ms: number, timeZone: string): Wall {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second };
}

const wallAsUtc = (w: Wall) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** The zone's offset from UTC at `ms`, in ms (east positive). */
function offsetAt(ms: number, timeZone: string): number {
  return wallAsUtc(wallAt(ms, timeZone)) - Math.floor(ms / 1000) * 1000;
}

const DAY = 86_400_000;

/** The instant a wall time in `timeZone` names (the first of two in a fall-back hour; shifted past a spring-forward gap). */
export function instantOf(w: Wall, timeZone: string): number {
  const local = wallAsUtc(w);
  // Offsets a day either side: at most one transition lies between (true of every zone in use).
  const before = offsetAt(local - DAY, timeZone);
  const after = offsetAt(local + DAY, timeZone);
  const valid = [local - before, local - after].filter((t) => offsetAt(t, timeZone) === local - t);
  if (valid.length) return Math.min(...valid);
  return local - before;
}

// ------------------------------------------------------------------ occurrences

function dayMatches(c: Cron, y: number, m: number, d: number): boolean {
  if (!c.months.has(m)) return false;
  const dom = c.days.has(d);
  const dow = c.weekdays.has(new Date(Date.UTC(y, m - 1, d)).getUTCDay());
  return c.eitherDay ? dom || dow : dom && dow;
}

/** How far ahead to look before deciding an expression never fires (Feb 30): past a leap day's 4-year cycle. */
const HORIZON_DAYS = 366 * 5;

/** The next `count` start instants after `fromMs` (exclusive), in order; none after `untilMs` when given. */
export function nextOccurrences(c: Cron, timeZone: string, fromMs: number, count: number, untilMs = Infinity): number[] {
  const out: number[] = [];
  const start = wallAt(fromMs, timeZone);
  const hours = [...c.hours].sort((a, b) => a - b);
  const minutes = [...c.minutes].sort((a, b) => a - b);
  // One day back: a wall time early on the starting day may map to an instant after `fromMs` once shifted by a gap.
  const base = Date.UTC(start.year, start.month - 1, start.day) - DAY;
  for (let i = 0; i <= HORIZON_DAYS && out.length < count; i++) {
    const dayUtc = base + i * DAY;
    // Offsets are within ±14 h: past this, every later day starts after `untilMs`.
    if (dayUtc - 14 * 3_600_000 > untilMs) break;
    const date = new Date(dayUtc);
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (!dayMatches(c, y, m, d)) continue;
    // The same offset on both sides of the local day: no transition in it, so no per-minute lookup.
    const [before, after] = [offsetAt(dayUtc - 14 * 3_600_000, timeZone), offsetAt(dayUtc + DAY + 14 * 3_600_000, timeZone)];
    const today: number[] = [];
    for (const hour of hours) {
      for (const minute of minutes) {
        const w = { year: y, month: m, day: d, hour, minute, second: 0 };
        const t = before === after ? wallAsUtc(w) - before : instantOf(w, timeZone);
        if (t > fromMs && t <= untilMs) today.push(t);
      }
    }
    // A gap can move two wall times onto one instant, and reorders none otherwise.
    for (const t of [...new Set(today)].sort((a, b) => a - b)) if (out.length < count && (out.length === 0 || t > out[out.length - 1])) out.push(t);
  }
  return out;
}
