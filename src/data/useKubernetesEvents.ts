// The Kubernetes events of a commons' namespace (warnings first, then newest
// first), optionally of one service; read from the cluster by the agent on each call.
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';

export function useKubernetesEvents(id: string, service: string | undefined, opts: { enabled: boolean }) {
  return useQuery({
    queryKey: keys.kubeEvents(id, service),
    queryFn: () => request(ROUTES.listKubernetesEvents, { params: { id }, query: { service } }),
    enabled: opts.enabled,
    refetchInterval: 30_000,
  });
}
