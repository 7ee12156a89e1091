// What every query needs: the control client acting for the caller, the
// parsed model, the time range and cancellation.
import type { CommonsDetail, CommonsSummary } from '../../../contracts/api';
import type { ControlClient } from '../../control/client';
import type { DcocQuery } from '../query-model';
import { ROUTES } from '../../../contracts/routes';

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
