// Who the user is to DCOC: their role and what it permits (drives which controls are offered).
import { useQuery } from '@tanstack/react-query';
import { resource } from '../api/resources';
import { whoami, type Permission, type Whoami } from '../schemas/whoami';
import { keys } from './keys';

export function useWhoami() {
  return useQuery({ queryKey: keys.whoami, queryFn: () => resource('whoami', whoami), staleTime: 60_000 });
}

export function allows(me: Whoami | undefined, permission: Permission): boolean {
  return !!me && me.permissions.includes(permission);
}
