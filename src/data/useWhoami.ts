// Who the user is to DCOC: their role and what it permits (drives which controls are offered).
import { useQuery } from '@tanstack/react-query';
import type { AppWhoami } from '../../contracts/api';
import { can, type Permission } from '../../contracts/roles';
import { type AccessView, effectiveRole } from '../../contracts/scopes';
import { APP_ROUTES } from '../../contracts/routes';
import { request } from '../api/client';
import { keys } from './keys';

export function useWhoami() {
  return useQuery({ queryKey: keys.whoami, queryFn: () => request(APP_ROUTES.appWhoami), staleTime: 60_000 });
}

export function allows(me: AppWhoami | undefined, permission: Permission): boolean {
  return !!me && me.permissions.includes(permission);
}

/** Whether the user may do `permission` on one commons: their global role, or a team grant covering it (scoped roles). */
export function allowsOn(me: AppWhoami | undefined, access: AccessView | undefined, permission: Permission, commonsId: string): boolean {
  if (allows(me, permission)) return true;
  const role = effectiveRole(null, access?.grants ?? [], commonsId);
  return !!role && can(role, permission);
}
