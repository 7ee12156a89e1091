// One commons with its services.
import { useQuery } from '@tanstack/react-query';
import { resource, seg } from '../api/resources';
import { commonsDetail } from '../schemas/commons';
import { keys } from './keys';

export function useCommons(id: string, opts: { refetchMs?: number } = {}) {
  return useQuery({
    queryKey: keys.commons(id),
    queryFn: () => resource(`commons/${seg(id)}`, commonsDetail),
    refetchInterval: opts.refetchMs ?? 10_000,
  });
}
