// The query model panels and alert rules send to the DCOC data source.
import { z } from 'zod';
import { CommonsId, ServiceName } from '../../contracts/api';

export const QUERY_TYPES = ['fleet', 'services', 'agents', 'health', 'events', 'audit', 'commands'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

export const HEALTH_METRICS = ['services_down', 'agent_silence_seconds', 'commands_failed'] as const;
export type HealthMetric = (typeof HEALTH_METRICS)[number];

const Model = z.object({
  queryType: z.enum(QUERY_TYPES),
  /** Only this commons (its id, e.g. data-midrc-org). */
  commons: CommonsId.optional(),
  /** Only this service (services, events, audit, commands). */
  service: ServiceName.optional(),
  /** At most this many rows (events, audit, commands). */
  limit: z.number().int().min(1).max(1000).optional(),
  /**
   * health: only this metric. Alert rules need it: Grafana identifies alert
   * instances by labels alone, and the three metrics of a commons share theirs.
   */
  metric: z.enum(HEALTH_METRICS).optional(),
});
export type DcocQuery = z.infer<typeof Model>;

/**
 * Parses a query; Grafana sends the type both in DataQuery.queryType and in
 * the model. Empty strings (an editor's cleared field) count as absent.
 */
export function parseQuery(model: Record<string, unknown>, queryType: string): { ok: true; query: DcocQuery } | { ok: false; error: string } {
  const cleaned = Object.fromEntries(Object.entries(model).filter(([, v]) => v !== '' && v !== null));
  const input = { ...cleaned, queryType: queryType || cleaned.queryType };
  const known = ['queryType', 'commons', 'service', 'limit', 'metric'];
  const r = Model.safeParse(Object.fromEntries(Object.entries(input).filter(([k]) => known.includes(k))));
  if (r.success) return { ok: true, query: r.data };
  const issue = r.error.issues[0];
  const field = issue?.path.join('.') || 'query';
  if (field === 'queryType') return { ok: false, error: `queryType must be one of ${QUERY_TYPES.join(', ')} (got ${JSON.stringify(input.queryType ?? null)})` };
  return { ok: false, error: `invalid ${field}: ${issue?.message ?? 'invalid value'}` };
}
