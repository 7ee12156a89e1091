// The query model panels and alert rules send to the DCOC data source.
import { z } from 'zod';
import { CommonsId, JobName, LOG_LINES_MAX, ServiceName } from '../../contracts/api';

export const QUERY_TYPES = ['fleet', 'services', 'agents', 'health', 'events', 'audit', 'commands', 'logs', 'kubernetesEvents'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

export const HEALTH_METRICS = ['services_down', 'agent_silence_seconds', 'commands_failed'] as const;
export type HealthMetric = (typeof HEALTH_METRICS)[number];

/** The control service's lists (events, audit, commands) answer at most this many rows. */
const LIST_LIMIT_MAX = 1000;

const Model = z.object({
  queryType: z.enum(QUERY_TYPES),
  /** Only this commons (its id, e.g. data-midrc-org). logs and kubernetesEvents need it. */
  commons: CommonsId.optional(),
  /** Only this service (services, events, audit, commands, logs, kubernetesEvents). */
  service: ServiceName.optional(),
  /** logs: the pods of this Job (a CronJob run) instead of a service's. */
  job: JobName.optional(),
  /** At most this many rows (events, audit, commands: 1000; logs: 5000, per pod). */
  limit: z.number().int().min(1).max(LOG_LINES_MAX).optional(),
  /**
   * health: only this metric. Alert rules need it: Grafana identifies alert
   * instances by labels alone, and the three metrics of a commons share theirs.
   */
  metric: z.enum(HEALTH_METRICS).optional(),
  /** logs: only lines containing this text (the agent filters, case-insensitively). */
  filter: z.string().max(200).optional(),
  /** logs: the previous container's lines (a crash-looping pod). */
  previous: z.boolean().optional(),
});
export type DcocQuery = z.infer<typeof Model>;

const KNOWN = ['queryType', 'commons', 'service', 'job', 'limit', 'metric', 'filter', 'previous'];

/**
 * Parses a query; Grafana sends the type both in DataQuery.queryType and in
 * the model. Empty strings (an editor's cleared field) count as absent.
 */
export function parseQuery(model: Record<string, unknown>, queryType: string): { ok: true; query: DcocQuery } | { ok: false; error: string } {
  const cleaned = Object.fromEntries(Object.entries(model).filter(([, v]) => v !== '' && v !== null));
  const input = { ...cleaned, queryType: queryType || cleaned.queryType };
  const r = Model.safeParse(Object.fromEntries(Object.entries(input).filter(([k]) => KNOWN.includes(k))));
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue?.path.join('.') || 'query';
    if (field === 'queryType') return { ok: false, error: `queryType must be one of ${QUERY_TYPES.join(', ')} (got ${JSON.stringify(input.queryType ?? null)})` };
    return { ok: false, error: `invalid ${field}: ${issue?.message ?? 'invalid value'}` };
  }
  const q = r.data;
  if (q.limit !== undefined && q.limit > LIST_LIMIT_MAX && q.queryType !== 'logs') {
    return { ok: false, error: `invalid limit: at most ${LIST_LIMIT_MAX} for ${q.queryType} (${LOG_LINES_MAX} only for logs)` };
  }
  if ((q.queryType === 'logs' || q.queryType === 'kubernetesEvents') && !q.commons) {
    return { ok: false, error: `${q.queryType} needs a commons: pick one in the query editor` };
  }
  if (q.queryType === 'logs' && !q.service === !q.job) {
    return { ok: false, error: 'logs needs either a service or a job (not both): pick one in the query editor' };
  }
  return { ok: true, query: q };
}
