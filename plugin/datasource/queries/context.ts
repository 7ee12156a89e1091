// What every query needs: the control client acting for the caller, the
// parsed model, the time range and cancellation.
import type { z } from 'zod';
import type { CommonsSummary, FleetSummary } from '../../../contracts/api';
import { ControlSchemaError, type ControlClient } from '../../control/client';
import type { DcocQuery } from '../query-model';
import { API_PREFIX, ROUTES, templatePath, type ApiRoute } from '../../../contracts/routes';

export interface QueryContext {
  client: ControlClient;
  query: DcocQuery;
  range: { from: Date; to: Date };
  signal: AbortSignal;
}

export async function commonsSummaries(q: QueryContext): Promise<CommonsSummary[]> {
  const { items } = await q.client.getRoute(ROUTES.listCommons, { signal: q.signal, route: 'commons' });
  return q.query.commons ? items.filter((c) => c.id === q.query.commons) : items;
}

/**
 * Every commons the caller may see (or the query's one) in one request, for
 * the fleet-wide queries; `services`: each commons' service rows too;
 * `commandsInRange`: failed and expired commands counted in the query's range.
 */
export async function fleetSummary(q: QueryContext, opts: { services?: boolean; commandsInRange?: boolean } = {}): Promise<FleetSummary> {
  const query = new URLSearchParams();
  if (q.query.commons) query.set('commons', q.query.commons);
  if (opts.services) query.set('services', 'true');
  if (opts.services && q.query.service) query.set('service', q.query.service);
  if (opts.commandsInRange) {
    query.set('from', q.range.from.toISOString());
    query.set('to', q.range.to.toISOString());
  }
  return q.client.getRoute(ROUTES.getFleetSummary, { query, signal: q.signal, route: 'fleet/summary' });
}

/** An ISO timestamp as a frame time value (null stays null). */
export function time(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Value mappings that colour the status strings the control service uses. */
export const STATUS_MAPPINGS = [
  {
    type: 'value',
    options: {
      healthy: { color: 'green', index: 0 },
      degraded: { color: 'orange', index: 1 },
      down: { color: 'red', index: 2 },
      unknown: { color: 'text', index: 3 },
    },
  },
];

type GetRoute = ApiRoute & { method: 'get'; responses: { 200: z.ZodType } };

/**
 * GET a route of the table with path parameters, its answer checked against
 * the route's 200 schema (ControlClient.getRoute does the same for routes without).
 */
export async function getRouteAt<R extends GetRoute>(q: QueryContext, route: R, params: Record<string, string>, query?: URLSearchParams): Promise<z.output<R['responses'][200]>> {
  const template = templatePath(route.path);
  const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`${route.path}: no value for path parameter ${name}`);
    return encodeURIComponent(v);
  });
  const body = await q.client.getJson<unknown>(API_PREFIX + path, { query, signal: q.signal, route: template.slice(1) });
  const parsed = route.responses[200].safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ControlSchemaError(route.operationId, `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data as z.output<R['responses'][200]>;
}
