// Cron schedules read in an IANA time zone, across the DST changes of
// America/Chicago (2026-03-08 02:00 CST → 03:00 CDT; 2026-11-01 02:00 CDT →
// 01:00 CST) and Europe/Berlin (2026-03-29 02:00 CET → 03:00 CEST;
// 2026-10-25 03:00 CEST → 02:00 CET): a wall time the clocks skip runs as
// far past the change, one that happens twice runs once, the first time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CronError, instantOf, nextOccurrences, parseCron } from '../../backend/windows/cron';
import { current, localTime, scheduleProblem, upcoming } from '../../backend/windows/schedule';

const next = (expr: string, tz: string, from: string, n: number) => nextOccurrences(parseCron(expr), tz, Date.parse(from), n).map((t) => new Date(t).toISOString());

describe('cron expressions', () => {
  it('reads lists, ranges, steps and names; 7 is Sunday', () => {
    const c = parseCron('*/15 9-17 * jan,JUL mon-fri');
    assert.deepEqual([...c.minutes], [0, 15, 30, 45]);
    assert.deepEqual([...c.hours], [9, 10, 11, 12, 13, 14, 15, 16, 17]);
    assert.deepEqual([...c.months].sort((a, b) => a - b), [1, 7]);
    assert.deepEqual([...c.weekdays].sort(), [1, 2, 3, 4, 5]);
    assert.deepEqual([...parseCron('0 0 * * 7').weekdays], [0]);
    assert.equal(parseCron('0 0 * * 5/1').weekdays.size, 3);
  });

  it('says which field is wrong', () => {
    assert.throws(() => parseCron('0 0 * *'), (e: Error) => e instanceof CronError && /5 fields/.test(e.message));
    assert.throws(() => parseCron('60 0 * * *'), /minute: 60 is outside 0–59/);
    assert.throws(() => parseCron('0 5-2 * * *'), /hour: range 5-2 runs backwards/);
    assert.throws(() => parseCron('0 0 * foo *'), /month: "foo" is not a number or a name/);
    assert.throws(() => parseCron('0 0 */0 * *'), /day of month: step must be at least 1/);
  });

  it('a day matches day-of-month or day-of-week when both are restricted (Vixie cron)', () => {
    // 2026-12: the 1st is a Tuesday; Fridays are the 4th, 11th, ...
    assert.deepEqual(next('0 12 1 * fri', 'UTC', '2026-11-30T00:00:00Z', 3), ['2026-12-01T12:00:00.000Z', '2026-12-04T12:00:00.000Z', '2026-12-11T12:00:00.000Z']);
    assert.deepEqual(next('0 12 1 * *', 'UTC', '2026-11-30T00:00:00Z', 2), ['2026-12-01T12:00:00.000Z', '2027-01-01T12:00:00.000Z']);
  });

  it('an expression that never fires has no occurrences, and a schedule with it is refused naming the field', () => {
    assert.deepEqual(next('0 0 30 2 *', 'UTC', '2026-01-01T00:00:00Z', 1), []);
    assert.deepEqual(scheduleProblem({ cron: '0 0 30 2 *', durationMinutes: 60 }, 'UTC'), { field: 'body.schedule.cron', message: '"0 0 30 2 *" never fires in the next 5 years' });
    assert.equal(scheduleProblem({ cron: '0 2 * * sun', durationMinutes: 60 }, 'UTC'), undefined);
  });
});

describe('America/Chicago across DST', () => {
  it('02:30 daily: the skipped 02:30 of 2026-03-08 runs at 03:30 CDT; the offset changes from −6 to −5', () => {
    assert.deepEqual(next('30 2 * * *', 'America/Chicago', '2026-03-06T12:00:00Z', 4), [
      '2026-03-07T08:30:00.000Z', // 02:30 CST
      '2026-03-08T08:30:00.000Z', // 02:30 does not exist: 03:30 CDT
      '2026-03-09T07:30:00.000Z', // 02:30 CDT
      '2026-03-10T07:30:00.000Z',
    ]);
  });

  it('01:30 daily: the twice-happening 01:30 of 2026-11-01 runs once, at 01:30 CDT', () => {
    assert.deepEqual(next('30 1 * * *', 'America/Chicago', '2026-10-31T12:00:00Z', 3), ['2026-11-01T06:30:00.000Z', '2026-11-02T07:30:00.000Z', '2026-11-03T07:30:00.000Z']);
  });

  it('Sundays 02:00 for 2 hours: the window in progress at 03:15 CDT on the change day is the one that started at 03:00 CDT', () => {
    const s = { cron: '0 2 * * sun', durationMinutes: 120 };
    const cur = current(s, 'America/Chicago', Date.parse('2026-03-08T08:15:00Z'));
    assert.deepEqual(cur && [new Date(cur.startMs).toISOString(), new Date(cur.endMs).toISOString()], ['2026-03-08T08:00:00.000Z', '2026-03-08T10:00:00.000Z']);
    assert.equal(current(s, 'America/Chicago', Date.parse('2026-03-08T10:00:00Z')), undefined, 'ended at its end');
    assert.equal(localTime(Date.parse('2026-03-08T08:00:00Z'), 'America/Chicago'), '2026-03-08 03:00 CDT (UTC−05:00)');
    assert.equal(localTime(Date.parse('2026-03-01T08:00:00Z'), 'America/Chicago'), '2026-03-01 02:00 CST (UTC−06:00)');
  });
});

describe('Europe/Berlin across DST', () => {
  it('02:30 daily: skipped on 2026-03-29 (runs 03:30 CEST), once on 2026-10-25 (the CEST one)', () => {
    assert.deepEqual(next('30 2 * * *', 'Europe/Berlin', '2026-03-27T12:00:00Z', 3), ['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    assert.deepEqual(next('30 2 * * *', 'Europe/Berlin', '2026-10-23T12:00:00Z', 3), ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('a wall time converts to the instant with the zone offset of that date', () => {
    assert.equal(new Date(instantOf({ year: 2026, month: 7, day: 1, hour: 12, minute: 0, second: 0 }, 'Europe/Berlin')).toISOString(), '2026-07-01T10:00:00.000Z');
    assert.equal(new Date(instantOf({ year: 2026, month: 1, day: 1, hour: 12, minute: 0, second: 0 }, 'Europe/Berlin')).toISOString(), '2026-01-01T11:00:00.000Z');
  });
});

describe('one-off schedules', () => {
  const s = { start: '2026-12-24T18:00:00Z', end: '2026-12-24T20:00:00Z' };
  it('must end in the future', () => {
    assert.deepEqual(scheduleProblem(s, 'UTC', Date.parse('2026-12-24T20:00:00Z')), { field: 'body.schedule.end', message: '2026-12-24T20:00:00Z has passed: a one-off window must end in the future' });
    assert.equal(scheduleProblem(s, 'UTC', Date.parse('2026-12-24T19:59:59Z')), undefined);
  });

  it('are in progress from start to end and upcoming before', () => {
    assert.equal(upcoming(s, 'UTC', Date.parse('2026-12-24T17:00:00Z'), 5).length, 1);
    assert.equal(upcoming(s, 'UTC', Date.parse('2026-12-24T18:00:00Z'), 5).length, 0);
    assert.ok(current(s, 'UTC', Date.parse('2026-12-24T18:00:00Z')));
    assert.equal(current(s, 'UTC', Date.parse('2026-12-24T20:00:00Z')), undefined);
  });
});
