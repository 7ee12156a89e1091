// Deployments: plan and apply (POST deployments), one deployment followed
// while it rolls (Grafana Live events go straight into its cache; polling is
// the fallback), cancel, and the recent ones.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ApprovalHeld } from '../../contracts/policies';
import { type DeploymentAccepted, type DeploymentPlan, type DeploymentRequest, type DeploymentView, isFinalDeployment } from '../../contracts/api';
import type { SequencedEvent } from '../../contracts/events';
import { ROUTES } from '../../contracts/routes';
import { request } from '../api/client';
import { keys } from './keys';

/** How often an open deployment is read when Live delivers its progress (a safety net), and when it does not. */
export const DEPLOYMENT_POLL_MS = { live: 10_000, fallback: 1_500 };

export function useDeployment(id: string | undefined, opts: { live: boolean; enabled?: boolean }) {
  return useQuery({
    queryKey: keys.deployment(id ?? ''),
    queryFn: () => request(ROUTES.getDeployment, { params: { id: id ?? '' } }),
    enabled: !!id && (opts.enabled ?? true),
    refetchInterval: (q) => {
      const d = q.state.data as DeploymentView | undefined;
      if (d && isFinalDeployment(d.state)) return false;
      return opts.live ? DEPLOYMENT_POLL_MS.live : DEPLOYMENT_POLL_MS.fallback;
    },
  });
}

export function useDeployments(commons: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: keys.deployments(commons),
    queryFn: () => request(ROUTES.listDeployments, { query: { commons, limit: 20 } }).then((r) => r.items),
    enabled,
    refetchInterval: (q) => ((q.state.data as DeploymentView[] | undefined)?.some((d) => !isFinalDeployment(d.state)) ? 3_000 : 30_000),
  });
}

export type PlanRequest = Omit<DeploymentRequest, 'mode' | 'baseRevision'>;

export function usePlanDeployment() {
  return useMutation({
    mutationFn: (body: PlanRequest) => request(ROUTES.createDeployment, { body: { ...body, mode: 'plan' } }) as Promise<DeploymentPlan>,
  });
}

export function useApplyDeployment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PlanRequest & { baseRevision: number | null }) => request(ROUTES.createDeployment, { body: { ...body, mode: 'apply' } }) as Promise<DeploymentAccepted | ApprovalHeld>,
    onSuccess: (r) => {
      // Held for approval: nothing was deployed yet.
      if (!('deployment' in r)) return;
      qc.setQueryData(keys.deployment(r.deployment.id), r.deployment);
      void qc.invalidateQueries({ queryKey: ['deployments'] });
      void qc.invalidateQueries({ queryKey: keys.deployRevisions(r.deployment.commons) });
    },
  });
}

export function useCancelDeployment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request(ROUTES.cancelDeployment, { params: { id } }),
    onSuccess: ({ deployment }) => {
      qc.setQueryData<DeploymentView>(keys.deployment(deployment.id), (old) => ({ ...deployment, progress: deployment.progress ?? old?.progress }));
      void qc.invalidateQueries({ queryKey: ['deployments'] });
    },
  });
}

/**
 * A `deployment.updated` event into the cache of that deployment (every event carries the whole
 * per-service state, so the latest one is complete). Returns false when the deployment is not cached.
 */
export function applyDeploymentEvent(qc: QueryClient, e: Extract<SequencedEvent, { type: 'deployment.updated' }>): boolean {
  let known = false;
  qc.setQueryData<DeploymentView>(keys.deployment(e.deployment), (d) => {
    if (!d) return d;
    known = true;
    // A late event never takes a finished deployment back.
    if (isFinalDeployment(d.state) && !isFinalDeployment(e.state)) return d;
    return { ...d, state: e.state, message: e.message, percent: e.percent, services: e.services, revision: e.revision, updatedAt: e.at ?? d.updatedAt };
  });
  return known;
}
