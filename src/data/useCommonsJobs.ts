// The CronJobs of one commons with their recent runs, and "Run now". Polled:
// while a run is under way it is followed every few seconds, the rest
// refreshes slowly.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import type { CommonsJobs } from '../../contracts/api';
import { keys } from './keys';

const running = (jobs: CommonsJobs | undefined) => jobs?.items.some((j) => j.lastRun?.result === 'running' || j.recentRuns?.some((r) => r.result === 'running')) ?? false;

export function useCommonsJobs(id: string) {
  return useQuery({
    queryKey: keys.jobs(id),
    queryFn: () => request(ROUTES.listJobs, { params: { id } }),
    refetchInterval: (q) => (running(q.state.data as CommonsJobs | undefined) ? 3_000 : 15_000),
  });
}

/** Starts a Job from one of the commons' CronJobs (a run-job command); the commands list picks it up at once. */
export function useRunJob(commons: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (cronjob: string) => request(ROUTES.runJob, { params: { id: commons, cronjob }, body: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.commands(commons) }),
  });
}
