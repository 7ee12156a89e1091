// Sizing profiles: replicas and autoscaling per service, and their bounds.
import { useQuery } from '@tanstack/react-query';
import { resource } from '../api/resources';
import { profilesResponse } from '../schemas/deployments';
import { keys } from './keys';

export function useProfiles(enabled = true) {
  return useQuery({ queryKey: keys.profiles, queryFn: () => resource('profiles', profilesResponse).then((r) => r.items), enabled, staleTime: 300_000 });
}
