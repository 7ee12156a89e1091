// CronJobs as an agent reports them (CronJobList in contracts/agent.proto),
// kept within what a Gen3 commons can have before they reach the fleet, the
// API and the app: at most MAX_CRONJOBS, names a CronJob can have and the API
// can address (contracts/api.ts CronJobName), bounded strings, real times, a
// known result. What does not fit is dropped and counted, never stored.
import { type CronJobView, CronJobName, type JobResult, type JobRunView } from '../../contracts/api';
import type { CronJobListMsg, CronJobStateMsg, JobRunMsg } from '../../contracts/agent-messages';

/** gen3-helm renders about 25 CronJobs with every option on; a namespace with more is not a Gen3 commons. */
export const MAX_CRONJOBS = 200;
/** A cron schedule, with a CRON_TZ= prefix at most. */
export const MAX_SCHEDULE = 128;
export const MAX_REASON = 1024;
/** A Job name: a DNS subdomain the Job controller can label its pods with (63). */
const JOB_NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;
const RESULTS = new Set<JobResult>(['running', 'succeeded', 'failed']);
// Printable, no control characters: shown in tables and audit details as is.
const PRINTABLE = /^[^\p{Cc}]*$/u;

export interface CronJobReport {
  items: CronJobView[];
  /** How many were left out, and why (for the warning the gateway logs). */
  dropped: number;
  why: string[];
}

/** RFC 3339 as an agent sends it, '' for never; undefined when it is neither. */
function time(v: unknown): string | null | undefined {
  if (v === '' || v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > 64 || !/^\d{4}-\d{2}-\d{2}T/.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function jobRun(r: JobRunMsg): JobRunView | string {
  if (typeof r.name !== 'string' || !JOB_NAME.test(r.name)) return 'a last run with an invalid Job name';
  if (!RESULTS.has(r.result as JobResult)) return 'a last run with an unknown result';
  const startedAt = time(r.started_at);
  const finishedAt = time(r.finished_at);
  if (startedAt === undefined || finishedAt === undefined) return 'a last run with an invalid time';
  const reason = typeof r.reason === 'string' ? r.reason.replace(/\p{Cc}/gu, ' ').slice(0, MAX_REASON) : '';
  return { name: r.name, result: r.result as JobResult, startedAt, finishedAt, reason, manual: r.manual === true };
}

function cronJob(c: CronJobStateMsg): CronJobView | string {
  if (typeof c?.name !== 'string' || !CronJobName.safeParse(c.name).success) return 'an invalid CronJob name';
  if (typeof c.schedule !== 'string' || c.schedule.length > MAX_SCHEDULE || !PRINTABLE.test(c.schedule)) return 'a schedule that is not a bounded cron expression';
  const lastScheduleTime = time(c.last_schedule_time);
  const lastSuccessfulTime = time(c.last_successful_time);
  if (lastScheduleTime === undefined || lastSuccessfulTime === undefined) return 'an invalid time';
  const lastRun = c.last_run ? jobRun(c.last_run) : null;
  if (typeof lastRun === 'string') return lastRun;
  return { name: c.name, schedule: c.schedule, suspended: c.suspended === true, lastScheduleTime, lastSuccessfulTime, lastRun };
}

/** The reported list, validated; null when the agent did not report CronJobs. */
export function reportedCronJobs(list: CronJobListMsg | null | undefined): CronJobReport | null {
  if (!list) return null;
  const sent = Array.isArray(list.items) ? list.items : [];
  const items: CronJobView[] = [];
  const why = new Set<string>();
  const names = new Set<string>();
  for (const c of sent) {
    if (items.length >= MAX_CRONJOBS) {
      why.add(`more than ${MAX_CRONJOBS}`);
      break;
    }
    const v = cronJob(c);
    if (typeof v === 'string') why.add(v);
    else if (names.has(v.name)) why.add('a name twice');
    else {
      names.add(v.name);
      items.push(v);
    }
  }
  items.sort((a, b) => a.name.localeCompare(b.name));
  return { items, dropped: sent.length - items.length, why: [...why] };
}
