// Progressive rollouts: the list, one rollout followed live (rollout.updated
// and its deployments' events refresh it; polling is the fallback), the plan,
// the start, and pause/resume/abort/rollback.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApprovalHeld } from '../../contracts/policies';
import type { RolloutAccepted, RolloutAction, RolloutPlan, RolloutRequest, RolloutView } from '../../contracts/rollouts';
import { ROUTES } from '../../contracts/routes';
import { request } from '../api/client';

export const rolloutKeys = {
  all: ['rollouts'] as const,
  one: (id: string) => ['rollouts', id] as const,
};

const OPEN: readonly RolloutView['state'][] = ['running', 'paused', 'paused-on-failure', 'aborted', 'rolling-back'];
/** How often an open rollout is read with Live delivering its events (a safety net), and without. */
export const ROLLOUT_POLL_MS = { live: 15_000, fallback: 2_000 };

export function useRollouts() {
  return useQuery({
    queryKey: rolloutKeys.all,
    queryFn: () => request(ROUTES.listRollouts, { query: { limit: 50 } }).then((r) => r.items),
    refetchInterval: 30_000,
  });
}

export function useRollout(id: string | undefined, live: boolean) {
  return useQuery({
    queryKey: rolloutKeys.one(id ?? ''),
    queryFn: () => request(ROUTES.getRollout, { params: { id: id ?? '' } }),
    enabled: !!id,
    refetchInterval: (q) => {
      const r = q.state.data as RolloutView | undefined;
      if (r && !OPEN.includes(r.state)) return false;
      return live ? ROLLOUT_POLL_MS.live : ROLLOUT_POLL_MS.fallback;
    },
  });
}

export type RolloutDraft = Omit<RolloutRequest, 'mode'>;

export function usePlanRollout() {
  return useMutation({ mutationFn: (body: RolloutDraft) => request(ROUTES.createRollout, { body: { ...body, mode: 'plan' } }) as Promise<RolloutPlan> });
}

export function useStartRollout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RolloutDraft) => request(ROUTES.createRollout, { body: { ...body, mode: 'apply' } }) as Promise<RolloutAccepted | ApprovalHeld>,
    onSuccess: (r) => {
      // Held for approval: nothing started yet; the approval starts it.
      if (!('rollout' in r)) return;
      qc.setQueryData(rolloutKeys.one(r.rollout.id), r.rollout);
      void qc.invalidateQueries({ queryKey: rolloutKeys.all, exact: true });
    },
  });
}

export function useRolloutAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action, reason }: { id: string; action: RolloutAction; reason?: string }) => request(ROUTES.actOnRollout, { params: { id, action }, body: reason ? { reason } : {} }),
    onSuccess: ({ rollout }) => {
      qc.setQueryData(rolloutKeys.one(rollout.id), rollout);
      void qc.invalidateQueries({ queryKey: rolloutKeys.all, exact: true });
    },
  });
}
