// The Gen3 releases the control service knows (built in and imported), newest first.
import { useQuery } from '@tanstack/react-query';
import { resource } from '../api/resources';
import { releasesResponse } from '../schemas/deployments';
import { keys } from './keys';

export function useReleases(enabled = true) {
  return useQuery({ queryKey: keys.releases, queryFn: () => resource('releases', releasesResponse).then((r) => r.items), enabled, staleTime: 60_000 });
}
