// Live state a 0.2.0 replica writes during a rolling upgrade (CronJobs with
// their last run only) still reaches the fleet on a newer replica.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CronJobView } from '../../contracts/api';
import { withRecentRuns } from '../../backend/cluster/live-sync';

describe('live state from an older replica', () => {
  it('gives each CronJob its last run as its recent runs, with no duration', () => {
    const lastRun = { name: 'usersync-29000000', result: 'succeeded', startedAt: '2026-12-01T00:00:00.000Z', finishedAt: '2026-12-01T00:01:00.000Z', reason: '', manual: false };
    const old = { cronjobs: { atMs: 1, items: [{ name: 'usersync', schedule: '*/30 * * * *', suspended: false, lastScheduleTime: null, lastSuccessfulTime: null, lastRun }, { name: 'etl', schedule: '0 0 * * *', suspended: true, lastScheduleTime: null, lastSuccessfulTime: null, lastRun: null }] } };
    const items = (withRecentRuns(structuredClone(old)) as typeof old).cronjobs.items;
    for (const c of items) assert.equal(CronJobView.safeParse(c).success, true, JSON.stringify(c));
    assert.deepEqual(items.map((c) => (c as unknown as CronJobView).recentRuns.map((r) => r.name)), [['usersync-29000000'], []]);
    assert.equal(CronJobView.safeParse(old.cronjobs.items[0]).success, false, 'the old shape alone does not parse');
  });

  it('leaves anything else as it is', () => {
    assert.equal(withRecentRuns(null), null);
    assert.equal(withRecentRuns('x'), 'x');
    assert.deepEqual(withRecentRuns({ cronjobs: null }), { cronjobs: null });
  });
});
