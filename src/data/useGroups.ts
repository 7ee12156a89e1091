// Saved groups of commons and the commons' labels: reading them, and the admin's changes.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { GroupSpec } from '../../contracts/groups';
import { ROUTES } from '../../contracts/routes';
import { request } from '../api/client';
import { keys } from './keys';

export function useGroups() {
  return useQuery({ queryKey: keys.groups, queryFn: () => request(ROUTES.listGroups).then((r) => r.items), refetchInterval: 60_000 });
}

export function usePutGroup() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ name, spec }: { name: string; spec: GroupSpec }) => request(ROUTES.putGroup, { params: { name }, body: spec }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.groups }),
  });
}

export function useDeleteGroup() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => request(ROUTES.deleteGroup, { params: { name } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.groups }),
  });
}

/** Replaces a commons' labels; the fleet (which shows them) and the groups (whose members follow them) refresh. */
export function usePutLabels() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, labels }: { id: string; labels: Record<string, string> }) => request(ROUTES.putCommonsLabels, { params: { id }, body: { labels } }),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: keys.groups }), qc.invalidateQueries({ queryKey: keys.fleet })]),
  });
}
