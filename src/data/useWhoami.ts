// Who the user is to DCOC: their role and what it permits (drives which controls are offered).
import { useQuery } from '@tanstack/react-query';
import type { AppWhoami } from '../../contracts/api';
import type { Permission } from '../../contracts/roles';
import { APP_ROUTES } from '../../contracts/routes';
import { request } from '../api/client';
import { keys } from './keys';

export function useWhoami() {
  return useQuery({ queryKey: keys.whoami, queryFn: () => request(APP_ROUTES.appWhoami), staleTime: 60_000 });
}

export function allows(me: AppWhoami | undefined, permission: Permission): boolean {
  return !!me && me.permissions.includes(permission);
}
