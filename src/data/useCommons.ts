// One commons with its services; the services of several (a group's).
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';
import { mapLimit } from './mapLimit';

export function useCommons(id: string, opts: { refetchMs?: number } = {}) {
  return useQuery({
    queryKey: keys.commons(id),
    queryFn: () => request(ROUTES.getCommons, { params: { id } }),
    refetchInterval: opts.refetchMs ?? 10_000,
  });
}

/** How many commons' details are read at once for the services of a group. */
const SERVICES_CONCURRENCY = 4;

export interface ServicesOf {
  commons: string;
  /** The service names it runs; undefined when its details could not be read (`error` says why). */
  services?: string[];
  error?: unknown;
}

/** The services each of several commons runs (a few details read at a time), for an action across a group. */
export function useServicesOf(ids: readonly string[], enabled: boolean) {
  return useQuery({
    queryKey: keys.servicesOf(ids),
    queryFn: async (): Promise<ServicesOf[]> => {
      const settled = await mapLimit(ids, SERVICES_CONCURRENCY, (id) => request(ROUTES.getCommons, { params: { id } }));
      return settled.map((r, i) => (r.status === 'fulfilled' ? { commons: ids[i], services: r.value.services.map((s) => s.name) } : { commons: ids[i], error: r.reason }));
    },
    enabled: enabled && ids.length > 0,
    staleTime: 30_000,
  });
}
