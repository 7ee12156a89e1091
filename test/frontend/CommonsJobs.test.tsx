// The commons page shows the CronJobs the commons really has: name, schedule, last run with its result and duration,
// the recent runs (expandable) each with a link to its logs, from GET commons/{id}/jobs; says so when the agent has
// not reported them; and offers operators "Run now" behind a confirmation, with the run's progress until the Job's result.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CommandView, CommonsJobs, CronJobView, JobRunView } from '../../contracts/api';
import { can, PERMISSIONS, type Permission, type Role } from '../../contracts/roles';
import { formatDuration } from '../../src/pages/commons/JobsPanel';
import { jobLogsHref, serviceLogsHref } from '../../src/pages/commons/logLink';
import { testIds } from '../../src/testIds';
import { command, detail, service, whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { findDialog, renderApp } from './support/render';

const PAGE = '/a/gen3-dcoc-app/commons/midrc';
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

function cronjob(name: string, over: Partial<CronJobView> = {}): CronJobView {
  const c: CronJobView = { name, schedule: '*/5 * * * *', suspended: false, lastScheduleTime: null, lastSuccessfulTime: null, lastRun: null, recentRuns: [], ...over };
  return { ...c, lastRun: c.recentRuns[0] ?? c.lastRun };
}
function run(name: string, over: Partial<JobRunView> = {}): JobRunView {
  return { name, result: 'succeeded', startedAt: minutesAgo(10), finishedAt: minutesAgo(9), reason: '', manual: false, durationSeconds: 60, ...over };
}

// As gen3-helm 42cc46bc renders them with default values (no usersync), with runs of each kind.
const JOBS: CommonsJobs = {
  reported: true,
  reportedAt: new Date().toISOString(),
  items: [
    cronjob('arborist-rm-expired-access', {
      lastScheduleTime: minutesAgo(3),
      recentRuns: [
        run('arborist-rm-expired-access-29400425', { startedAt: minutesAgo(3), finishedAt: minutesAgo(2), durationSeconds: 60 }),
        run('arborist-rm-expired-access-dcoc-0a1b2c3d4e', { startedAt: minutesAgo(6), finishedAt: minutesAgo(5), durationSeconds: 9, manual: true }),
        run('arborist-rm-expired-access-29400415', {
          result: 'failed',
          startedAt: minutesAgo(13),
          finishedAt: minutesAgo(10),
          durationSeconds: 150,
          reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit',
        }),
      ],
    }),
    cronjob('etl-cronjob', { schedule: '*/30 * * * *', suspended: true }),
    cronjob('fence-db-migrate-cronjob', {
      schedule: '0 0 31 2 *',
      suspended: true,
      recentRuns: [
        run('fence-db-migrate-cronjob-dcoc-0123456789', {
          result: 'failed',
          startedAt: minutesAgo(120),
          finishedAt: minutesAgo(118),
          durationSeconds: 125,
          reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit',
          manual: true,
        }),
      ],
    }),
    cronjob('hatchery-reaper', {
      schedule: '*/15 * * * *',
      lastScheduleTime: minutesAgo(1),
      recentRuns: [run('hatchery-reaper-29400420', { result: 'running', startedAt: minutesAgo(1), finishedAt: null, durationSeconds: 4000 })],
    }),
  ],
};

/** whoami as the control service answers it: the role's permissions from contracts/roles.ts (logs:read from developer up). */
function me(role: Role) {
  return { ...whoami(role), permissions: (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(role, p)) };
}

let g: FakeGrafana;
let commands: CommandView[];
function page(jobs: CommonsJobs, role: Role = 'viewer') {
  commands = [];
  g = new FakeGrafana()
    .install()
    .on('GET', 'whoami', { data: me(role) })
    .on('GET', 'commons/midrc', { data: detail('midrc', [service('fence')], { name: 'MIDRC' }) })
    .on('GET', 'commons/midrc/jobs', { data: jobs })
    .on('GET', 'commands', () => ({ data: { items: commands } }))
    .on('GET', 'commons/midrc/config/revisions', { data: { items: [] } })
    .on('GET', 'commons/midrc/revisions', { data: { items: [] } })
    // The page's other panels, answered empty.
    .on('GET', 'commons/midrc/resources', { data: { available: true, detail: '', items: [] } })
    .on('GET', 'commons/midrc/kubernetes-events', { data: { items: [] } })
    .on('GET', 'commons/midrc/backups', { data: { items: [], lastSuccessAt: null, maxAgeSeconds: 129600, schedule: null } })
    .on('GET', 'commons/midrc/external-checks', { data: { items: [] } });
}

beforeEach(() => page(JOBS));

describe('CronJobs on the commons page', () => {
  it('lists each CronJob with its schedule, last run, duration and result, to a viewer', async () => {
    renderApp(PAGE);
    const table = await screen.findByTestId(testIds.commons.jobs);
    expect(within(table).getAllByRole('row').slice(1).map((r) => r.querySelector('strong')?.textContent)).toEqual(JOBS.items.map((j) => j.name));
    expect(screen.queryByText('usersync')).toBeNull();

    expect(screen.getByTestId(testIds.commons.jobSchedule('arborist-rm-expired-access'))).toHaveTextContent('*/5 * * * *');
    expect(screen.getByTestId(testIds.commons.jobLastRun('arborist-rm-expired-access'))).toHaveTextContent(/3 minutes ago.*job arborist-rm-expired-access-29400425, on schedule/);
    expect(screen.getByTestId(testIds.commons.jobResult('arborist-rm-expired-access'))).toHaveTextContent(/succeeded.*finished 2 minutes ago/);
    expect(screen.getByTestId(testIds.commons.jobDuration('arborist-rm-expired-access'))).toHaveTextContent('1 min');

    const failed = screen.getByTestId(testIds.commons.jobResult('fence-db-migrate-cronjob'));
    expect(failed).toHaveTextContent('failed');
    expect(failed).toHaveTextContent('BackoffLimitExceeded: Job has reached the specified backoff limit');
    expect(screen.getByTestId(testIds.commons.jobDuration('fence-db-migrate-cronjob'))).toHaveTextContent('2 min 5 s');
    expect(screen.getByTestId(testIds.commons.jobLastRun('fence-db-migrate-cronjob'))).toHaveTextContent('started by hand');
    expect(screen.getByTestId(testIds.commons.jobRow('fence-db-migrate-cronjob'))).toHaveTextContent('suspended');

    expect(screen.getByTestId(testIds.commons.jobResult('hatchery-reaper'))).toHaveTextContent('running');
    expect(screen.getByTestId(testIds.commons.jobDuration('hatchery-reaper'))).toHaveTextContent('1 h 6 min');
    expect(screen.getByTestId(testIds.commons.jobLastRun('etl-cronjob'))).toHaveTextContent('never run');
    expect(screen.getByTestId(testIds.commons.jobResult('etl-cronjob'))).toHaveTextContent('—');
    expect(screen.getByTestId(testIds.commons.jobDuration('etl-cronjob'))).toHaveTextContent('—');
    expect(screen.queryByTestId(testIds.commons.jobRecentToggle('etl-cronjob')), 'no runs, nothing to expand').toBeNull();
    expect(g.callsTo('GET', 'commons/midrc/jobs')).toHaveLength(1);

    // A viewer may not read logs or run Jobs: no links, no buttons, no commands fetched.
    expect(screen.queryAllByRole('link', { name: /^Logs of job/ })).toHaveLength(0);
    expect(screen.queryByRole('button', { name: 'Run now' })).toBeNull();
    expect(g.callsTo('GET', 'commands')).toHaveLength(0);
  });

  it('expands a CronJob\'s recent runs, newest first, each with start, duration, result, why it failed and a link to its logs', async () => {
    page(JOBS, 'developer');
    renderApp(PAGE);
    expect(await screen.findByTestId(testIds.commons.jobs)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.commons.jobRecentRuns('arborist-rm-expired-access'))).toBeNull();
    const toggle = screen.getByTestId(testIds.commons.jobRecentToggle('arborist-rm-expired-access'));
    expect(toggle).toHaveTextContent('Recent runs (3)');
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');

    const runs = screen.getByTestId(testIds.commons.jobRecentRuns('arborist-rm-expired-access'));
    const rows = within(runs).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-testid'))).toEqual(JOBS.items[0].recentRuns.map((r) => testIds.commons.jobRun(r.name)));
    expect(rows[0]).toHaveTextContent(/arborist-rm-expired-access-29400425.*on schedule.*3 minutes ago.*1 min.*succeeded/);
    expect(rows[1]).toHaveTextContent(/arborist-rm-expired-access-dcoc-0a1b2c3d4e.*started by hand.*6 minutes ago.*9 s.*succeeded/);
    expect(rows[2]).toHaveTextContent(/13 minutes ago.*2 min 30 s.*failed.*BackoffLimitExceeded: Job has reached the specified backoff limit/);

    // Each run links to the commons page's log viewer on that Job.
    for (const r of JOBS.items[0].recentRuns) {
      const link = within(runs).getByTestId(testIds.commons.jobLogs(r.name));
      expect(link).toHaveAttribute('href', `/a/gen3-dcoc-app/commons/midrc?logs=job:${r.name}`);
    }
    // The last run's result links to its logs too.
    expect(within(screen.getByTestId(testIds.commons.jobResult('hatchery-reaper'))).getByRole('link', { name: 'Logs of job hatchery-reaper-29400420' })).toHaveAttribute(
      'href',
      '/a/gen3-dcoc-app/commons/midrc?logs=job:hatchery-reaper-29400420',
    );
    // A developer may read logs but not run Jobs.
    expect(screen.queryByRole('button', { name: 'Run now' })).toBeNull();

    await userEvent.click(toggle);
    expect(screen.queryByTestId(testIds.commons.jobRecentRuns('arborist-rm-expired-access'))).toBeNull();
  });

  it('an operator runs one now after a confirmation, and follows its progress until the Job\'s result', async () => {
    page(JOBS, 'operator');
    let jobs = JOBS;
    g.on('GET', 'commons/midrc/jobs', () => ({ data: jobs }));
    g.on('POST', 'commons/midrc/jobs/fence-db-migrate-cronjob/run', () => {
      commands = [command('cmd-run', { kind: 'run-job', service: 'fence-db-migrate-cronjob', target: { cronjob: 'fence-db-migrate-cronjob' }, state: 'queued', message: 'queued' })];
      return { status: 202, data: { command: { id: 'cmd-run', state: 'queued', kind: 'run-job' } } };
    });
    renderApp(PAGE);
    const button = await screen.findByTestId(testIds.commons.jobRunNow('fence-db-migrate-cronjob'));

    // Cancelled: nothing happens.
    await userEvent.click(button);
    await userEvent.click(within(await findDialog()).getByRole('button', { name: 'Cancel' }));
    expect(g.callsTo('POST', 'commons/midrc/jobs/fence-db-migrate-cronjob/run')).toHaveLength(0);

    await userEvent.click(button);
    const dialog = await findDialog();
    expect(dialog).toHaveTextContent('Start a Job from cronjob/fence-db-migrate-cronjob in MIDRC (midrc) now');
    expect(dialog).toHaveTextContent('the CronJob is suspended: its schedule starts nothing, this run does');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Run fence-db-migrate-cronjob' }));
    await waitFor(() => expect(g.callsTo('POST', 'commons/midrc/jobs/fence-db-migrate-cronjob/run')).toHaveLength(1));

    const progress = await screen.findByTestId(testIds.commons.jobRunProgress('fence-db-migrate-cronjob'));
    await waitFor(() => expect(progress).toHaveTextContent('queued'));
    expect(screen.getByTestId(testIds.commons.jobRunNow('fence-db-migrate-cronjob')), 'one run at a time from here').toBeDisabled();
    expect(screen.getByTestId(testIds.commons.jobRunNow('hatchery-reaper'))).toBeEnabled();

    // Progress arrives over Grafana Live, as the agent reports it.
    await waitFor(() => expect(screen.getByTestId(testIds.commons.liveState)).toHaveAttribute('data-live', 'connected'));
    const at = () => new Date().toISOString();
    const job = 'fence-db-migrate-cronjob-dcoc-0a1b2c3d4e';
    g.emit({ id: 1, at: at(), type: 'command.updated', commons: 'midrc', command: 'cmd-run', kind: 'run-job', service: 'fence-db-migrate-cronjob', state: 'running', message: `job ${job}: 0/1 succeeded, 1 running, 0 failed`, percent: 0 });
    await waitFor(() => expect(progress).toHaveAttribute('data-state', 'running'));
    expect(progress).toHaveTextContent(`job ${job}: 0/1 succeeded, 1 running, 0 failed`);
    expect(within(progress).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '0');

    // The Job succeeds: the command ends with it; the list and the command are fetched again for the Job's result.
    const jobsFetches = g.callsTo('GET', 'commons/midrc/jobs').length;
    commands = [{ ...commands[0], state: 'succeeded', percent: 100, message: `job ${job}: 1/1 succeeded, 0 running, 0 failed`, result: { job, cronjob: 'fence-db-migrate-cronjob' } }];
    jobs = {
      ...JOBS,
      items: JOBS.items.map((c) =>
        c.name === 'fence-db-migrate-cronjob' ? cronjob(c.name, { ...c, recentRuns: [run(job, { manual: true, startedAt: minutesAgo(1), finishedAt: at(), durationSeconds: 42 }), ...c.recentRuns] }) : c,
      ),
    };
    g.emit({ id: 2, at: at(), type: 'command.updated', commons: 'midrc', command: 'cmd-run', kind: 'run-job', service: 'fence-db-migrate-cronjob', state: 'succeeded', message: `job ${job}: 1/1 succeeded, 0 running, 0 failed`, percent: 100 });
    await waitFor(() => expect(progress).toHaveAttribute('data-state', 'succeeded'));
    expect(within(progress).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
    await waitFor(() => expect(within(progress).getByRole('link', { name: `Logs of job ${job}` })).toHaveAttribute('href', jobLogsHref('midrc', job)));
    await waitFor(() => expect(screen.getByTestId(testIds.commons.jobLastRun('fence-db-migrate-cronjob'))).toHaveTextContent(`job ${job}, started by hand`));
    expect(g.callsTo('GET', 'commons/midrc/jobs').length).toBeGreaterThan(jobsFetches);
    expect(screen.getByTestId(testIds.commons.jobResult('fence-db-migrate-cronjob'))).toHaveTextContent('succeeded');
    expect(screen.getByTestId(testIds.commons.jobDuration('fence-db-migrate-cronjob'))).toHaveTextContent('42 s');
    expect(screen.getByTestId(testIds.commons.jobRunNow('fence-db-migrate-cronjob'))).toBeEnabled();
  });

  it('shows a refused run as an alert that says what to do', async () => {
    page(JOBS, 'operator');
    g.on('POST', 'commons/midrc/jobs/hatchery-reaper/run', { status: 503, data: { type: 'about:blank', title: 'Agent not connected', status: 503, detail: 'the agent of midrc is not connected; the run was not queued' } });
    renderApp(PAGE);
    await userEvent.click(await screen.findByTestId(testIds.commons.jobRunNow('hatchery-reaper')));
    await userEvent.click(within(await findDialog()).getByRole('button', { name: 'Run hatchery-reaper' }));
    const alert = await screen.findByTestId(testIds.state.error);
    expect(alert).toHaveTextContent('Run now failed: Agent not connected');
    expect(alert).toHaveTextContent('the agent of midrc is not connected; the run was not queued');
    expect(screen.queryByTestId(testIds.commons.jobRunProgress('hatchery-reaper'))).toBeNull();
  });

  it('says when the agent has not reported its CronJobs, and when the commons has none', async () => {
    page({ items: [], reported: false, reportedAt: null });
    const { unmount } = renderApp(PAGE);
    expect(await screen.findByText('CronJobs not reported')).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.commons.jobs)).toBeNull();
    unmount();
    page({ items: [], reported: true, reportedAt: new Date().toISOString() });
    renderApp(PAGE);
    expect(await screen.findByText('No CronJobs')).toBeInTheDocument();
  });
});

describe('job durations and log links', () => {
  it('formats a duration in seconds, minutes and hours; unknown is a dash', () => {
    expect([0, 9, 59.6, 60, 150, 3600, 3960, null].map(formatDuration)).toEqual(['0 s', '9 s', '1 min', '1 min', '2 min 30 s', '1 h', '1 h 6 min', '—']);
  });

  it('opens the commons page\'s log viewer on a Job or a service', () => {
    expect(jobLogsHref('midrc', 'usersync-29400420')).toBe('/a/gen3-dcoc-app/commons/midrc?logs=job:usersync-29400420');
    expect(serviceLogsHref('midrc', 'fence')).toBe('/a/gen3-dcoc-app/commons/midrc?logs=service:fence');
    expect(new URL(jobLogsHref('midrc', 'a b&c'), 'http://x').searchParams.get('logs')).toBe('job:a b&c');
  });
});
