// Every commons, refreshed in the background; live events refresh it sooner.
import { useQuery } from '@tanstack/react-query';
import { resource } from '../api/resources';
import { fleetResponse } from '../schemas/commons';
import { keys } from './keys';

export const FLEET_REFRESH_MS = 15_000;

export function useFleet() {
  return useQuery({
    queryKey: keys.fleet,
    queryFn: () => resource('commons', fleetResponse).then((r) => r.items),
    refetchInterval: FLEET_REFRESH_MS,
  });
}
