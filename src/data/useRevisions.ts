// The deployment revisions of a commons (release, template, profile, values
// and the diff each made) and rolling back to one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RevisionSummary } from '../../contracts/api';
import { resource, seg } from '../api/resources';
import { deploymentAccepted, isFinalDeployment, revisionDetail, revisionsResponse } from '../schemas/deployments';
import { keys } from './keys';

export function useRevisions(commons: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.deployRevisions(commons),
    queryFn: () => resource(`commons/${seg(commons)}/revisions`, revisionsResponse).then((r) => r.items),
    enabled,
    // While one is rolling out its state changes; Live events refresh it sooner.
    refetchInterval: (q) => ((q.state.data as RevisionSummary[] | undefined)?.some((r) => !isFinalDeployment(r.deployment.state)) ? 3_000 : 30_000),
  });
}

export function useRevision(commons: string, n: number, enabled: boolean) {
  return useQuery({
    queryKey: keys.deployRevision(commons, n),
    queryFn: () => resource(`commons/${seg(commons)}/revisions/${n}`, revisionDetail),
    enabled,
    staleTime: Infinity,
  });
}

export function useRollback(commons: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { toRevision: number; reason: string; baseRevision: number | null }) =>
      resource(`commons/${seg(commons)}/rollback`, deploymentAccepted, { method: 'POST', body }),
    onSuccess: ({ deployment }) => {
      qc.setQueryData(keys.deployment(deployment.id), deployment);
      void qc.invalidateQueries({ queryKey: keys.deployRevisions(commons) });
      void qc.invalidateQueries({ queryKey: ['deployments'] });
    },
  });
}
