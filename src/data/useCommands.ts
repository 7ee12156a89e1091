// Recent commands of one commons. While one is in flight and Live is not
// delivering its progress, poll; otherwise Live events keep it current.
import { useQuery } from '@tanstack/react-query';
import { resource } from '../api/resources';
import { commandsResponse } from '../schemas/commands';
import type { CommandView } from '../../contracts/api';
import { keys } from './keys';

const FINAL = ['succeeded', 'failed', 'expired', 'cancelled'];
export const isFinalState = (state: string) => FINAL.includes(state);

export function useCommands(commons: string, opts: { enabled: boolean; live: boolean }) {
  return useQuery({
    queryKey: keys.commands(commons),
    queryFn: () => resource('commands', commandsResponse, { params: { commons, limit: 20 } }).then((r) => r.items),
    enabled: opts.enabled,
    refetchInterval: (q) => {
      const inFlight = (q.state.data as CommandView[] | undefined)?.some((c) => !isFinalState(c.state));
      if (inFlight && !opts.live) return 1_000;
      return 15_000;
    },
  });
}
