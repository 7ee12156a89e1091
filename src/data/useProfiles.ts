// Sizing profiles: replicas and autoscaling per service, and their bounds.
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';

export function useProfiles(enabled = true) {
  return useQuery({ queryKey: keys.profiles, queryFn: () => request(ROUTES.listProfiles).then((r) => r.items), enabled, staleTime: 300_000 });
}
