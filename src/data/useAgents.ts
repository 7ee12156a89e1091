// Agents, enrollment (the token lives only in the mutation's result, never in a cache) and revocation.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { resource, seg } from '../api/resources';
import { agentsResponse, enrollmentToken } from '../schemas/agents';
import { keys } from './keys';

export function useAgents() {
  return useQuery({ queryKey: keys.agents, queryFn: () => resource('agents', agentsResponse).then((r) => r.items), refetchInterval: 15_000 });
}

export function useEnrollAgent() {
  return useMutation({
    mutationFn: (input: { description?: string; ttlSeconds: number }) => resource('enrollment-tokens', enrollmentToken, { method: 'POST', body: input }),
  });
}

export function useRevokeAgent() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => resource(`agents/${seg(id)}`, z.unknown(), { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.agents }),
  });
}
