// The agent's CronJobs as the protocol carries them (CronJobList in
// contracts/agent.proto): null when the platform does not report them.
import type { CronJobFacts } from '../core/types';
import type { CronJobListMsg } from '../../contracts/agent-messages';

export function toCronJobListMsg(list: CronJobFacts[] | null): CronJobListMsg | null {
  if (!list) return null;
  return {
    items: list.map((c) => ({
      name: c.name,
      schedule: c.schedule,
      suspended: c.suspended,
      last_schedule_time: c.lastScheduleTime ?? '',
      last_successful_time: c.lastSuccessfulTime ?? '',
      last_run: c.lastRun && {
        name: c.lastRun.name,
        result: c.lastRun.result,
        started_at: c.lastRun.startedAt ?? '',
        finished_at: c.lastRun.finishedAt ?? '',
        reason: c.lastRun.reason,
        manual: c.lastRun.manual,
      },
    })),
  };
}
