// The audit log, filtered on the server.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys, type AuditFilters } from './keys';

export function useAudit(filters: AuditFilters) {
  return useQuery({
    queryKey: keys.audit(filters),
    queryFn: () => request(ROUTES.listAudit, { query: { ...filters, limit: 200 } }).then((r) => r.items),
    placeholderData: keepPreviousData,
  });
}
