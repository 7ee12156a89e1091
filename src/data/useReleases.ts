// The Gen3 releases the control service knows (built in and imported), newest first.
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';

export function useReleases(enabled = true) {
  return useQuery({ queryKey: keys.releases, queryFn: () => request(ROUTES.listReleases).then((r) => r.items), enabled, staleTime: 60_000 });
}
