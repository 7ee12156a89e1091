// CronJobs as an agent reports them (CronJobList in contracts/agent.proto),
// kept within what a Gen3 commons can have before they reach the fleet, the
// API and the app: at most MAX_CRONJOBS, names a CronJob can have and the API
// can address (contracts/api.ts CronJobName), bounded strings, real times, a
// known result, at most JOB_RUNS_MAX recent runs. What does not fit is
// dropped and counted, never stored.
import { type CronJobView, CronJobName, JOB_RUNS_MAX, type JobResult, type JobRunView } from '../../contracts/api';
import type { CronJobListMsg, CronJobStateMsg, JobRunMsg } from '../../contracts/agent-messages';
import { runDurationSeconds } from '../fleet/job-runs';

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

/** One run, or why it is not one; `what` names it in the why ('a last run', 'a recent run'). */
function jobRun(r: JobRunMsg, what: string, nowMs: number): JobRunView | string {
  if (typeof r !== 'object' || r === null) return `${what} that is not a Job run`;
  if (typeof r.name !== 'string' || !JOB_NAME.test(r.name)) return `${what} with an invalid Job name`;
  if (!RESULTS.has(r.result as JobResult)) return `${what} with an unknown result`;
  const startedAt = time(r.started_at);
  const finishedAt = time(r.finished_at);
  if (startedAt === undefined || finishedAt === undefined) return `${what} with an invalid time`;
  const reason = typeof r.reason === 'string' ? r.reason.replace(/\p{Cc}/gu, ' ').slice(0, MAX_REASON) : '';
  const run = { name: r.name, result: r.result as JobResult, startedAt, finishedAt, reason, manual: r.manual === true };
  return { ...run, durationSeconds: runDurationSeconds(run, nowMs) };
}

/** The Jobs it owns, newest first; an agent older than recent_runs sends none, and then its last run is all that is known. */
function recentRuns(c: CronJobStateMsg, lastRun: JobRunView | null, nowMs: number): JobRunView[] | string {
  const sent: unknown = c.recent_runs;
  if (sent !== undefined && sent !== null && !Array.isArray(sent)) return 'recent runs that are not a list';
  const list = (sent ?? []) as JobRunMsg[];
  if (list.length === 0) return lastRun ? [lastRun] : [];
  if (list.length > JOB_RUNS_MAX) return `more than ${JOB_RUNS_MAX} recent runs`;
  const runs: JobRunView[] = [];
  for (const r of list) {
    const v = jobRun(r, 'a recent run', nowMs);
    if (typeof v === 'string') return v;
    if (runs.some((x) => x.name === v.name)) return 'a recent run twice';
    runs.push(v);
  }
  // The protocol puts the last run first; a list that disagrees with it is not the CronJob's.
  if (lastRun && runs[0].name !== lastRun.name) return 'recent runs that do not start with the last run';
  return runs;
}

function cronJob(c: CronJobStateMsg, nowMs: number): CronJobView | string {
  if (typeof c?.name !== 'string' || !CronJobName.safeParse(c.name).success) return 'an invalid CronJob name';
  if (typeof c.schedule !== 'string' || c.schedule.length > MAX_SCHEDULE || !PRINTABLE.test(c.schedule)) return 'a schedule that is not a bounded cron expression';
  const lastScheduleTime = time(c.last_schedule_time);
  const lastSuccessfulTime = time(c.last_successful_time);
  if (lastScheduleTime === undefined || lastSuccessfulTime === undefined) return 'an invalid time';
  const lastRun = c.last_run ? jobRun(c.last_run, 'a last run', nowMs) : null;
  if (typeof lastRun === 'string') return lastRun;
  const runs = recentRuns(c, lastRun, nowMs);
  if (typeof runs === 'string') return runs;
  return { name: c.name, schedule: c.schedule, suspended: c.suspended === true, lastScheduleTime, lastSuccessfulTime, lastRun, recentRuns: runs };
}

/** The reported list, validated; null when the agent did not report CronJobs. */
export function reportedCronJobs(list: CronJobListMsg | null | undefined, nowMs = Date.now()): CronJobReport | null {
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
    const v = cronJob(c, nowMs);
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
