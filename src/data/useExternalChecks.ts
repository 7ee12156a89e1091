// A commons' public endpoints as the control service last probed them.
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';

export function useExternalChecks(id: string) {
  return useQuery({
    queryKey: keys.externalChecks(id),
    queryFn: () => request(ROUTES.listExternalChecks, { params: { id } }),
    refetchInterval: 30_000,
  });
}
