// The config revision history of one commons (developer and up).
import { useQuery } from '@tanstack/react-query';
import { resource, seg } from '../api/resources';
import { configRevisionsResponse } from '../schemas/commons';
import { keys } from './keys';

export function useConfigRevisions(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.revisions(id),
    queryFn: () => resource(`commons/${seg(id)}/config/revisions`, configRevisionsResponse).then((r) => r.items),
    enabled,
  });
}
