// How long each Job run took, for GET /commons/{id}/jobs: from its start to
// its finish, or to now while it runs. Computed when the list is served, so a
// running Job's duration grows between reports.
import type { CronJobView, JobRunView } from '../../contracts/api';

/** Seconds from start to finish (running: to `nowMs`); null when the start is not known. */
export function runDurationSeconds(run: Pick<JobRunView, 'result' | 'startedAt' | 'finishedAt'>, nowMs: number): number | null {
  const start = run.startedAt ? Date.parse(run.startedAt) : NaN;
  if (!Number.isFinite(start)) return null;
  // Finished without a known finish time (a failed Job whose condition has no time): not known either.
  const end = run.result === 'running' ? nowMs : run.finishedAt ? Date.parse(run.finishedAt) : NaN;
  if (!Number.isFinite(end)) return null;
  // A clock skew between the node and the control service never makes it negative.
  return Math.max(0, (end - start) / 1000);
}

/** The CronJobs with every run's duration as of `nowMs`. */
export function withDurations(items: readonly CronJobView[], nowMs: number): CronJobView[] {
  const run = (r: JobRunView): JobRunView => ({ ...r, durationSeconds: runDurationSeconds(r, nowMs) });
  return items.map((c) => ({ ...c, lastRun: c.lastRun && run(c.lastRun), recentRuns: c.recentRuns.map(run) }));
}
