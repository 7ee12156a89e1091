// The CronJobs a commons really has, as its agent reports them: schedule,
// suspended, the last run (the newest Job the CronJob owns) and its result.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { CommonsJobs, CronJobView } from '../../../contracts/api';
import { dataTable } from '../../components/dataTable';
import { Empty } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { testIds } from '../../testIds';

function LastRun({ job }: { job: CronJobView }) {
  const s = useStyles2(styles);
  const run = job.lastRun;
  if (!run) return <TimeAgo at={job.lastScheduleTime} never="never run" />;
  return (
    <>
      <TimeAgo at={run.startedAt} never="not started" />
      <div className={s.weak}>
        job {run.name}
        {run.manual ? ', started by hand' : ', on schedule'}
      </div>
    </>
  );
}

export function JobsPanel({ jobs }: { jobs: CommonsJobs }) {
  const s = useStyles2(styles);
  if (!jobs.reported) {
    return (
      <Empty message="CronJobs not reported">
        The commons&apos; agent has not reported its CronJobs: it is not connected yet, is older than this control service, or its Role may not list cronjobs and jobs (agent/deploy/rbac.yaml).
      </Empty>
    );
  }
  if (jobs.items.length === 0) return <Empty message="No CronJobs">The commons&apos; namespace has no CronJobs.</Empty>;
  return (
    <table className={s.table} data-testid={testIds.commons.jobs}>
      <thead>
        <tr>
          <th>CronJob</th>
          <th>Schedule</th>
          <th>Last run</th>
          <th>Result</th>
        </tr>
      </thead>
      <tbody>
        {jobs.items.map((job) => (
          <tr key={job.name} data-testid={testIds.commons.jobRow(job.name)}>
            <td>
              <strong>{job.name}</strong>
              {job.suspended && <div className={s.weak}>suspended</div>}
            </td>
            <td className={s.mono} data-testid={testIds.commons.jobSchedule(job.name)}>
              {job.schedule}
            </td>
            <td data-testid={testIds.commons.jobLastRun(job.name)}>
              <LastRun job={job} />
            </td>
            <td data-testid={testIds.commons.jobResult(job.name)}>
              {job.lastRun ? (
                <>
                  <StatusBadge status={job.lastRun.result} />
                  {job.lastRun.finishedAt && (
                    <div className={s.weak}>
                      finished <TimeAgo at={job.lastRun.finishedAt} />
                    </div>
                  )}
                  {job.lastRun.reason && <div className={s.weak}>{job.lastRun.reason}</div>}
                </>
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  table: css(dataTable(theme, 'top')),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize, whiteSpace: 'nowrap' }),
});
