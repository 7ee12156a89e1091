// The agent's CronJobs as the protocol carries them (CronJobList in
// contracts/agent.proto): null when the platform does not report them.
import type { CronJobFacts, JobRunFacts } from '../core/types';
import type { CronJobListMsg, JobRunMsg } from '../../contracts/agent-messages';

function toJobRunMsg(r: JobRunFacts): JobRunMsg {
  return { name: r.name, result: r.result, started_at: r.startedAt ?? '', finished_at: r.finishedAt ?? '', reason: r.reason, manual: r.manual };
}

export function toCronJobListMsg(list: CronJobFacts[] | null): CronJobListMsg | null {
  if (!list) return null;
  return {
    items: list.map((c) => ({
      name: c.name,
      schedule: c.schedule,
      suspended: c.suspended,
      last_schedule_time: c.lastScheduleTime ?? '',
      last_successful_time: c.lastSuccessfulTime ?? '',
      last_run: c.lastRun && toJobRunMsg(c.lastRun),
      recent_runs: (c.recentRuns ?? (c.lastRun ? [c.lastRun] : [])).map(toJobRunMsg),
    })),
  };
}
