// The audit log.
import { z } from 'zod';
import type { AuditEntry } from '../../contracts/api';
import { isoDate, itemsOf, record, role } from './common';

export const auditEntry = z.object({
  id: z.number(),
  at: isoDate,
  actor: z.string(),
  actorKind: z.enum(['token', 'grafana', 'anonymous', 'system']),
  role: role.nullable(),
  action: z.string(),
  commons: z.string().nullable(),
  service: z.string().nullable(),
  detail: record,
  outcome: z.enum(['accepted', 'denied', 'succeeded', 'failed', 'rejected']),
  commandId: z.string().nullable(),
}) satisfies z.ZodType<AuditEntry>;

export const auditResponse = itemsOf(auditEntry);
