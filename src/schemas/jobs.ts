// A commons' CronJobs with their last runs, as the control service returns them.
import { z } from 'zod';
import type { CommonsJobs, CronJobView, JobRunView } from '../../contracts/api';
import { isoDate } from './common';

export const jobRunView = z.object({
  name: z.string(),
  result: z.enum(['running', 'succeeded', 'failed']),
  startedAt: isoDate.nullable(),
  finishedAt: isoDate.nullable(),
  reason: z.string(),
  manual: z.boolean(),
}) satisfies z.ZodType<JobRunView>;

export const cronJobView = z.object({
  name: z.string(),
  schedule: z.string(),
  suspended: z.boolean(),
  lastScheduleTime: isoDate.nullable(),
  lastSuccessfulTime: isoDate.nullable(),
  lastRun: jobRunView.nullable(),
}) satisfies z.ZodType<CronJobView>;

export const commonsJobs = z.object({
  items: z.array(cronJobView),
  reported: z.boolean(),
  reportedAt: isoDate.nullable(),
}) satisfies z.ZodType<CommonsJobs>;
