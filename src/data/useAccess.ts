// Scoped roles in the app: the caller's team grants (asked only of users
// Grafana puts in a team), and the admin's list of grants with its changes.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AppWhoami } from '../../contracts/api';
import type { Role } from '../../contracts/roles';
import { ROUTES } from '../../contracts/routes';
import { request } from '../api/client';
import { keys } from './keys';

/** The caller's grants; only fetched for a user in some Grafana team (no team, no grant). */
export function useAccess(me: AppWhoami | undefined) {
  return useQuery({ queryKey: keys.access, queryFn: () => request(ROUTES.getAccess), staleTime: 60_000, enabled: !!me?.teams?.length });
}

export function useTeamGrants(enabled = true) {
  return useQuery({ queryKey: keys.teamGrants, queryFn: () => request(ROUTES.listTeamGrants).then((r) => r.items), enabled });
}

export function usePutTeamGrant() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ team, group, role }: { team: string; group: string; role: Role }) => request(ROUTES.putTeamGrant, { params: { team, group }, body: { role } }),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: keys.teamGrants }), qc.invalidateQueries({ queryKey: keys.access })]),
  });
}

export function useDeleteTeamGrant() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ team, group }: { team: string; group: string }) => request(ROUTES.deleteTeamGrant, { params: { team, group } }),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: keys.teamGrants }), qc.invalidateQueries({ queryKey: keys.access })]),
  });
}
