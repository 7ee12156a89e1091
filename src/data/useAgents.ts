// Agents, enrollment (the token lives only in the mutation's result, never in a cache) and revocation.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';

export function useAgents() {
  return useQuery({ queryKey: keys.agents, queryFn: () => request(ROUTES.listAgents).then((r) => r.items), refetchInterval: 15_000 });
}

export function useEnrollAgent() {
  return useMutation({
    mutationFn: (input: { description?: string; ttlSeconds: number }) => request(ROUTES.createEnrollmentToken, { body: input }),
  });
}

export function useRevokeAgent() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request(ROUTES.revokeAgent, { params: { id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.agents }),
  });
}
