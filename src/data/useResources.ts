// CPU and memory per service of a commons (metrics.k8s.io through the agent), against requests and limits.
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';

export function useResources(id: string, opts: { enabled: boolean }) {
  return useQuery({
    queryKey: keys.resources(id),
    queryFn: () => request(ROUTES.getResources, { params: { id } }),
    enabled: opts.enabled,
    refetchInterval: 30_000,
  });
}
