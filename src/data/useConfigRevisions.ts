// The config revision history of one commons (developer and up).
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';

export function useConfigRevisions(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.revisions(id),
    queryFn: () => request(ROUTES.listConfigRevisions, { params: { id } }).then((r) => r.items),
    enabled,
  });
}
