// What every query needs: the control client acting for the caller, the
// parsed model, the time range and cancellation.
import type { z } from 'zod';
import type { CommonsDetail, CommonsSummary } from '../../../contracts/api';
import { ControlSchemaError, type ControlClient } from '../../control/client';
import type { DcocQuery } from '../query-model';
import { API_PREFIX, ROUTES, templatePath, type ApiRoute } from '../../../contracts/routes';

export interface QueryContext {
  client: ControlClient;
  query: DcocQuery;
  range: { from: Date; to: Date };
  signal: AbortSignal;
}

/** Details are fetched in parallel, but not all at once for a fleet of thousands. */
const DETAIL_CONCURRENCY = 8;

export async function commonsSummaries(q: QueryContext): Promise<CommonsSummary[]> {
  const { items } = await q.client.getRoute(ROUTES.listCommons, { signal: q.signal, route: 'commons' });
  return q.query.commons ? items.filter((c) => c.id === q.query.commons) : items;
}

export async function commonsDetails(q: QueryContext, summaries?: CommonsSummary[]): Promise<CommonsDetail[]> {
  const list = summaries ?? (await commonsSummaries(q));
  return mapLimited(list, DETAIL_CONCURRENCY, (c) =>
    q.client.getJson<CommonsDetail>(`/api/v1/commons/${encodeURIComponent(c.id)}`, { signal: q.signal, route: 'commons/{id}' }),
  );
}

export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
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
