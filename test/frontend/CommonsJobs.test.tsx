// The commons page shows the CronJobs the commons really has: name, schedule, last run and its result, from
// GET commons/{id}/jobs; and says so when the agent has not reported them.
import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CommonsJobs, CronJobView } from '../../contracts/api';
import { testIds } from '../../src/testIds';
import { detail, service, whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { renderApp } from './support/render';

const URL = '/a/gen3-dcoc-app/commons/midrc';
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

function cronjob(name: string, over: Partial<CronJobView> = {}): CronJobView {
  return { name, schedule: '*/5 * * * *', suspended: false, lastScheduleTime: null, lastSuccessfulTime: null, lastRun: null, ...over };
}

// As gen3-helm 42cc46bc renders them with default values (no usersync), with runs of each kind.
const JOBS: CommonsJobs = {
  reported: true,
  reportedAt: new Date().toISOString(),
  items: [
    cronjob('arborist-rm-expired-access', {
      lastScheduleTime: minutesAgo(3),
      lastRun: { name: 'arborist-rm-expired-access-29400425', result: 'succeeded', startedAt: minutesAgo(3), finishedAt: minutesAgo(2), reason: '', manual: false },
    }),
    cronjob('etl-cronjob', { schedule: '*/30 * * * *', suspended: true }),
    cronjob('fence-db-migrate-cronjob', {
      schedule: '0 0 31 2 *',
      suspended: true,
      lastRun: { name: 'fence-db-migrate-cronjob-dcoc-0123456789', result: 'failed', startedAt: minutesAgo(120), finishedAt: minutesAgo(118), reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit', manual: true },
    }),
    cronjob('hatchery-reaper', {
      schedule: '*/15 * * * *',
      lastScheduleTime: minutesAgo(1),
      lastRun: { name: 'hatchery-reaper-29400420', result: 'running', startedAt: minutesAgo(1), finishedAt: null, reason: '', manual: false },
    }),
  ],
};

let g: FakeGrafana;
function page(jobs: CommonsJobs) {
  g = new FakeGrafana()
    .install()
    .on('GET', 'whoami', { data: whoami('viewer') })
    .on('GET', 'commons/midrc', { data: detail('midrc', [service('fence')], { name: 'MIDRC' }) })
    .on('GET', 'commons/midrc/jobs', { data: jobs });
}

beforeEach(() => page(JOBS));

describe('CronJobs on the commons page', () => {
  it('lists each CronJob with its schedule, last run and result, to a viewer', async () => {
    renderApp(URL);
    const table = await screen.findByTestId(testIds.commons.jobs);
    expect(within(table).getAllByRole('row').slice(1).map((r) => r.querySelector('strong')?.textContent)).toEqual(JOBS.items.map((j) => j.name));
    expect(screen.queryByText('usersync')).toBeNull();

    expect(screen.getByTestId(testIds.commons.jobSchedule('arborist-rm-expired-access'))).toHaveTextContent('*/5 * * * *');
    expect(screen.getByTestId(testIds.commons.jobLastRun('arborist-rm-expired-access'))).toHaveTextContent(/3 minutes ago.*job arborist-rm-expired-access-29400425, on schedule/);
    expect(screen.getByTestId(testIds.commons.jobResult('arborist-rm-expired-access'))).toHaveTextContent(/succeeded.*finished 2 minutes ago/);

    const failed = screen.getByTestId(testIds.commons.jobResult('fence-db-migrate-cronjob'));
    expect(failed).toHaveTextContent('failed');
    expect(failed).toHaveTextContent('BackoffLimitExceeded: Job has reached the specified backoff limit');
    expect(screen.getByTestId(testIds.commons.jobLastRun('fence-db-migrate-cronjob'))).toHaveTextContent('started by hand');
    expect(screen.getByTestId(testIds.commons.jobRow('fence-db-migrate-cronjob'))).toHaveTextContent('suspended');

    expect(screen.getByTestId(testIds.commons.jobResult('hatchery-reaper'))).toHaveTextContent('running');
    expect(screen.getByTestId(testIds.commons.jobLastRun('etl-cronjob'))).toHaveTextContent('never run');
    expect(screen.getByTestId(testIds.commons.jobResult('etl-cronjob'))).toHaveTextContent('—');
    expect(g.callsTo('GET', 'commons/midrc/jobs')).toHaveLength(1);
  });

  it('says when the agent has not reported its CronJobs, and when the commons has none', async () => {
    page({ items: [], reported: false, reportedAt: null });
    const { unmount } = renderApp(URL);
    expect(await screen.findByText('CronJobs not reported')).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.commons.jobs)).toBeNull();
    unmount();
    page({ items: [], reported: true, reportedAt: new Date().toISOString() });
    renderApp(URL);
    expect(await screen.findByText('No CronJobs')).toBeInTheDocument();
  });
});
