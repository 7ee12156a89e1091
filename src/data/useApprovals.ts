// Approvals (changes held for a second person) and policies: read, decide, edit.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApprovalState, PolicySpec } from '../../contracts/policies';
import { ROUTES } from '../../contracts/routes';
import { request } from '../api/client';
import { keys } from './keys';

export function useApprovals(state: ApprovalState | 'all') {
  return useQuery({
    queryKey: keys.approvals(state),
    queryFn: () => request(ROUTES.listApprovals, { query: state === 'all' ? { limit: 200 } : { state, limit: 200 } }).then((r) => r.items),
    // Live events refresh it as approvals move; the interval covers a stream that is down.
    refetchInterval: 30_000,
  });
}

/** Approve or reject; either way every approvals list is refreshed. */
export function useDecideApproval() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (d: { id: string; decision: 'approve' } | { id: string; decision: 'reject'; reason: string }) =>
      d.decision === 'approve' ? request(ROUTES.approveApproval, { params: { id: d.id } }) : request(ROUTES.rejectApproval, { params: { id: d.id }, body: { reason: d.reason } }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['approvals'] }),
  });
}

export function usePolicies() {
  return useQuery({ queryKey: keys.policies, queryFn: () => request(ROUTES.listPolicies).then((r) => r.items) });
}

export function usePutPolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ name, spec }: { name: string; spec: PolicySpec }) => request(ROUTES.putPolicy, { params: { name }, body: spec }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.policies }),
  });
}

export function useDeletePolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => request(ROUTES.deletePolicy, { params: { name } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.policies }),
  });
}
