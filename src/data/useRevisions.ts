// The deployment revisions of a commons (release, template, profile, values
// and the diff each made) and rolling back to one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { isFinalDeployment, type RevisionSummary } from '../../contracts/api';
import { ROUTES } from '../../contracts/routes';
import { request } from '../api/client';
import { keys } from './keys';

export function useRevisions(commons: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.deployRevisions(commons),
    queryFn: () => request(ROUTES.listRevisions, { params: { id: commons } }).then((r) => r.items),
    enabled,
    // While one is rolling out its state changes; Live events refresh it sooner.
    refetchInterval: (q) => ((q.state.data as RevisionSummary[] | undefined)?.some((r) => !isFinalDeployment(r.deployment.state)) ? 3_000 : 30_000),
  });
}

export function useRevision(commons: string, n: number, enabled: boolean) {
  return useQuery({
    queryKey: keys.deployRevision(commons, n),
    queryFn: () => request(ROUTES.getRevision, { params: { id: commons, n } }),
    enabled,
    staleTime: Infinity,
  });
}

export function useRollback(commons: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { toRevision: number; reason: string; baseRevision: number | null }) =>
      request(ROUTES.rollback, { params: { id: commons }, body }),
    onSuccess: (r) => {
      // Held for approval: nothing started yet.
      if ('deployment' in r) qc.setQueryData(keys.deployment(r.deployment.id), r.deployment);
      void qc.invalidateQueries({ queryKey: keys.deployRevisions(commons) });
      void qc.invalidateQueries({ queryKey: ['deployments'] });
    },
  });
}
