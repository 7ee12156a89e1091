// The audit log, filtered on the server.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { resource } from '../api/resources';
import { auditResponse } from '../schemas/audit';
import { keys, type AuditFilters } from './keys';

export function useAudit(filters: AuditFilters) {
  return useQuery({
    queryKey: keys.audit(filters),
    queryFn: () => resource('audit', auditResponse, { params: { ...filters, limit: 200 } }).then((r) => r.items),
    placeholderData: keepPreviousData,
  });
}
