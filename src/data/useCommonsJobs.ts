// The CronJobs of one commons with their last runs. Polled: a run that is
// under way is followed every few seconds, the rest refreshes slowly.
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import type { CommonsJobs } from '../../contracts/api';
import { keys } from './keys';

export function useCommonsJobs(id: string) {
  return useQuery({
    queryKey: keys.jobs(id),
    queryFn: () => request(ROUTES.listJobs, { params: { id } }),
    refetchInterval: (q) => ((q.state.data as CommonsJobs | undefined)?.items.some((j) => j.lastRun?.result === 'running') ? 3_000 : 15_000),
  });
}
