// One commons with its services.
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';

export function useCommons(id: string, opts: { refetchMs?: number } = {}) {
  return useQuery({
    queryKey: keys.commons(id),
    queryFn: () => request(ROUTES.getCommons, { params: { id } }),
    refetchInterval: opts.refetchMs ?? 10_000,
  });
}
