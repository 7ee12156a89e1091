// Every commons, refreshed in the background; live events refresh it sooner.
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';

export const FLEET_REFRESH_MS = 15_000;

export function useFleet() {
  return useQuery({
    queryKey: keys.fleet,
    queryFn: () => request(ROUTES.listCommons).then((r) => r.items),
    refetchInterval: FLEET_REFRESH_MS,
  });
}
