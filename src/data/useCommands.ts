// Recent commands of one commons. While one is in flight and Live is not
// delivering its progress, poll; otherwise Live events keep it current.
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { type CommandView, FINAL_STATES } from '../../contracts/api';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';

// Events carry a command's state as a string.
export const isFinalState = (state: string) => (FINAL_STATES as readonly string[]).includes(state);

export function useCommands(commons: string, opts: { enabled: boolean; live: boolean }) {
  return useQuery({
    queryKey: keys.commands(commons),
    queryFn: () => request(ROUTES.listCommands, { query: { commons, limit: 20 } }).then((r) => r.items),
    enabled: opts.enabled,
    refetchInterval: (q) => {
      const inFlight = (q.state.data as CommandView[] | undefined)?.some((c) => !isFinalState(c.state));
      if (inFlight && !opts.live) return 1_000;
      return 15_000;
    },
  });
}
