// The CronJobs a commons really has, as its agent reports them: schedule,
// suspended, the last run (the newest Job the CronJob owns) with its result
// and duration, the recent runs (expandable), a link to each run's logs, and
// for operators "Run now" with the run's progress until the Job's result.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, ConfirmModal, useStyles2 } from '@grafana/ui';
import { useQueryClient } from '@tanstack/react-query';
import { Fragment, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import type { CommandAccepted, CommandView, CommonsJobs, CronJobView, JobRunView } from '../../../contracts/api';
import { dataTable } from '../../components/dataTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import type { ApprovalView } from '../../../contracts/policies';
import { HeldForApproval } from '../approvals/Held';
import { ProgressBar } from '../../components/ProgressBar';
import { Empty } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { keys } from '../../data/keys';
import { isFinalState, useCommands } from '../../data/useCommands';
import { useRunJob } from '../../data/useCommonsJobs';
import { allows, useWhoami } from '../../data/useWhoami';
import { testIds } from '../../testIds';
import { jobLogsHref } from './logLink';

/** 9 s, 2 min 30 s, 1 h 5 min; — when not known. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.floor((s % 3600) / 60);
  return m ? `${Math.floor(s / 3600)} h ${m} min` : `${Math.floor(s / 3600)} h`;
}

function LogsLink({ commonsId, job }: { commonsId: string; job: string }) {
  const s = useStyles2(styles);
  return (
    <Link className={s.link} to={jobLogsHref(commonsId, job)} data-testid={testIds.commons.jobLogs(job)} aria-label={`Logs of job ${job}`}>
      Logs
    </Link>
  );
}

function RunResult({ run, commonsId, canReadLogs }: { run: JobRunView; commonsId: string; canReadLogs: boolean }) {
  const s = useStyles2(styles);
  return (
    <>
      <div className={s.inline}>
        <StatusBadge status={run.result} />
        {canReadLogs && <LogsLink commonsId={commonsId} job={run.name} />}
      </div>
      {run.finishedAt && (
        <div className={s.weak}>
          finished <TimeAgo at={run.finishedAt} />
        </div>
      )}
      {run.reason && <div className={s.weak}>{run.reason}</div>}
    </>
  );
}

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

function RecentRuns({ job, commonsId, canReadLogs }: { job: CronJobView; commonsId: string; canReadLogs: boolean }) {
  const s = useStyles2(styles);
  return (
    <table className={s.runs} data-testid={testIds.commons.jobRecentRuns(job.name)} aria-label={`Recent runs of ${job.name}`}>
      <thead>
        <tr>
          <th>Job</th>
          <th>Started</th>
          <th>Duration</th>
          <th>Result</th>
        </tr>
      </thead>
      <tbody>
        {job.recentRuns.map((r) => (
          <tr key={r.name} data-testid={testIds.commons.jobRun(r.name)}>
            <td className={s.mono}>
              {r.name}
              <div className={s.weak}>{r.manual ? 'started by hand' : 'on schedule'}</div>
            </td>
            <td>
              <TimeAgo at={r.startedAt} never="not started" />
            </td>
            <td>{formatDuration(r.durationSeconds)}</td>
            <td>
              <RunResult run={r} commonsId={commonsId} canReadLogs={canReadLogs} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type RunCommand = Pick<CommandView, 'state' | 'percent' | 'message' | 'result'>;

/** A run started here: its command's progress, then the Job's result (the command ends with it). */
function RunProgress({ cronjob, command, commonsId, canReadLogs }: { cronjob: string; command: RunCommand; commonsId: string; canReadLogs: boolean }) {
  const s = useStyles2(styles);
  const final = isFinalState(command.state);
  const job = typeof command.result?.job === 'string' ? command.result.job : null;
  return (
    <div className={s.progress} data-testid={testIds.commons.jobRunProgress(cronjob)} data-state={command.state}>
      <div className={s.inline}>
        <StatusBadge status={command.state} />
        <ProgressBar percent={command.percent} width={100} label={`Run of ${cronjob}`} tone={command.state === 'succeeded' ? 'done' : final ? 'failed' : 'active'} state={command.state} />
        <span>{command.percent}%</span>
      </div>
      <div className={s.weak}>{command.message}</div>
      {job && canReadLogs && <LogsLink commonsId={commonsId} job={job} />}
    </div>
  );
}

function RunNow({
  job,
  commonsId,
  commonsName,
  started,
  onStart,
  busy,
  canReadLogs,
}: {
  job: CronJobView;
  commonsId: string;
  commonsName: string;
  started: RunCommand | undefined;
  onStart: () => void;
  busy: boolean;
  canReadLogs: boolean;
}) {
  const [confirm, setConfirm] = useState(false);
  const inFlight = started !== undefined && !isFinalState(started.state);
  return (
    <>
      <Button size="sm" variant="secondary" icon="play" disabled={busy || inFlight} onClick={() => setConfirm(true)} data-testid={testIds.commons.jobRunNow(job.name)}>
        Run now
      </Button>
      <ConfirmModal
        isOpen={confirm}
        title={`Run ${job.name} now?`}
        body={`Start a Job from cronjob/${job.name} in ${commonsName} now, as kubectl create job --from=cronjob/${job.name} would, whatever its schedule${
          job.suspended ? ' (the CronJob is suspended: its schedule starts nothing, this run does)' : ''
        }.`}
        confirmText={`Run ${job.name}`}
        onConfirm={() => {
          setConfirm(false);
          onStart();
        }}
        onDismiss={() => setConfirm(false)}
      />
      {started && <RunProgress cronjob={job.name} command={started} commonsId={commonsId} canReadLogs={canReadLogs} />}
    </>
  );
}

export interface JobsPanelProps {
  jobs: CommonsJobs;
  commonsId: string;
  /** As the confirmation names it; the id when absent. */
  commonsName?: string;
  /** Live events are delivering command progress (otherwise a run under way is polled). */
  live?: boolean;
}

export function JobsPanel({ jobs, commonsId, commonsName = commonsId, live = false }: JobsPanelProps) {
  const s = useStyles2(styles);
  const qc = useQueryClient();
  const me = useWhoami();
  const canRun = allows(me.data, 'services:operate');
  const canReadLogs = allows(me.data, 'logs:read');
  const [open, setOpen] = useState<Record<string, boolean>>({});
  /** The run-job command started here, per CronJob. */
  const [started, setStarted] = useState<Record<string, CommandAccepted['command']>>({});
  const [held, setHeld] = useState<ApprovalView | null>(null);
  const runJob = useRunJob(commonsId);
  const anyStarted = Object.keys(started).length > 0;
  const commands = useCommands(commonsId, { enabled: canRun && anyStarted, live });
  // Until the commands list has it, the command as the run request answered.
  const commandOf = (cronjob: string): RunCommand | undefined => {
    const ref = started[cronjob];
    if (!ref) return undefined;
    return commands.data?.find((c) => c.id === ref.id) ?? { state: ref.state, percent: 0, message: `command ${ref.id} ${ref.state}`, result: null };
  };
  // When a run started here ends, the Job's result is in the list and the command's result names the Job:
  // fetch both now (a Live update carries neither) rather than at the next poll.
  const finals = Object.values(started)
    .map((ref) => ref.id)
    .filter((id) => commands.data?.some((c) => c.id === id && isFinalState(c.state)));
  const finalKey = finals.sort().join(',');
  useEffect(() => {
    if (!finalKey) return;
    void qc.invalidateQueries({ queryKey: keys.jobs(commonsId) });
    void qc.invalidateQueries({ queryKey: keys.commands(commonsId) });
  }, [finalKey, qc, commonsId]);

  if (!jobs.reported) {
    return (
      <Empty message="CronJobs not reported">
        The commons&apos; agent has not reported its CronJobs: it is not connected yet, is older than this control service, or its Role may not list cronjobs and jobs (agent/deploy/rbac.yaml).
      </Empty>
    );
  }
  if (jobs.items.length === 0) return <Empty message="No CronJobs">The commons&apos; namespace has no CronJobs.</Empty>;
  const columns = canRun ? 6 : 5;
  return (
    <>
      {runJob.error !== null && <ErrorAlert error={runJob.error} action="Run now" />}
      {held && <HeldForApproval approval={held} onRemove={() => setHeld(null)} />}
      <table className={s.table} data-testid={testIds.commons.jobs}>
        <thead>
          <tr>
            <th>CronJob</th>
            <th>Schedule</th>
            <th>Last run</th>
            <th>Duration</th>
            <th>Result</th>
            {canRun && <th>Run</th>}
          </tr>
        </thead>
        <tbody>
          {jobs.items.map((job) => {
            // An older control service sends no recent runs: the last run is the one known.
            const recent = job.recentRuns ?? (job.lastRun ? [job.lastRun] : []);
            const expanded = open[job.name] === true;
            return (
              <Fragment key={job.name}>
                <tr data-testid={testIds.commons.jobRow(job.name)}>
                  <td>
                    <strong>{job.name}</strong>
                    {job.suspended && <div className={s.weak}>suspended</div>}
                  </td>
                  <td className={s.mono} data-testid={testIds.commons.jobSchedule(job.name)}>
                    {job.schedule}
                  </td>
                  <td data-testid={testIds.commons.jobLastRun(job.name)}>
                    <LastRun job={job} />
                    {recent.length > 0 && (
                      <Button
                        size="sm"
                        fill="text"
                        icon={expanded ? 'angle-down' : 'angle-right'}
                        aria-expanded={expanded}
                        onClick={() => setOpen((o) => ({ ...o, [job.name]: !expanded }))}
                        data-testid={testIds.commons.jobRecentToggle(job.name)}
                      >
                        {`Recent runs (${recent.length})`}
                      </Button>
                    )}
                  </td>
                  <td data-testid={testIds.commons.jobDuration(job.name)}>{job.lastRun ? formatDuration(job.lastRun.durationSeconds) : '—'}</td>
                  <td data-testid={testIds.commons.jobResult(job.name)}>{job.lastRun ? <RunResult run={job.lastRun} commonsId={commonsId} canReadLogs={canReadLogs} /> : '—'}</td>
                  {canRun && (
                    <td>
                      <RunNow
                        job={job}
                        commonsId={commonsId}
                        commonsName={commonsName}
                        started={commandOf(job.name)}
                        busy={runJob.isPending}
                        canReadLogs={canReadLogs}
                        onStart={() =>
                          runJob.mutate(job.name, {
                            onSuccess: (r) => ('approval' in r ? setHeld(r.approval) : setStarted((m) => ({ ...m, [job.name]: r.command }))),
                          })
                        }
                      />
                    </td>
                  )}
                </tr>
                {expanded && (
                  <tr>
                    <td colSpan={columns} className={s.nested}>
                      <RecentRuns job={{ ...job, recentRuns: recent }} commonsId={commonsId} canReadLogs={canReadLogs} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  table: css(dataTable(theme, 'top')),
  runs: css(dataTable(theme, 'top')),
  nested: css({ paddingLeft: theme.spacing(4), background: theme.colors.background.secondary }),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize, whiteSpace: 'nowrap' }),
  inline: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', flexWrap: 'wrap' }),
  progress: css({ marginTop: theme.spacing(1) }),
  link: css({ color: theme.colors.text.link, fontSize: theme.typography.bodySmall.fontSize }),
});
