// Compliance: the audit log exported for a time range and scope, and a
// monthly change report per commons (deploys, config changes, restarts,
// scales, job runs, approvals, who). The hash chain itself is described in
// backend/audit/chain.ts; exports carry each entry's seq and hash.
import { z } from 'zod';
import { CommonsId } from './api';

export const AUDIT_EXPORT_FORMATS = ['csv', 'jsonl'] as const;

/** The media type of each export format. */
export const AUDIT_EXPORT_MEDIA: Record<(typeof AUDIT_EXPORT_FORMATS)[number], string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

/** The response header with the chain's head (`seq:hash`) when the export began: keep it to check the log later. */
export const AUDIT_HEAD_HEADER = 'DCOC-Audit-Head';

export const AuditExportQuery = z
  .strictObject({
    format: z.enum(AUDIT_EXPORT_FORMATS).default('jsonl'),
    since: z.iso.datetime().optional(),
    /** Exclusive. */
    until: z.iso.datetime().optional(),
    commons: CommonsId.optional(),
    actor: z.string().max(200).optional(),
    action: z.string().max(100).optional(),
    /** At most this many entries (the app asks for a bounded export: the plugin buffers what it forwards). */
    limit: z.coerce.number().int().min(1).max(1_000_000).optional(),
  })
  .refine((q) => !q.since || !q.until || q.since < q.until, { message: 'must be after since', path: ['until'] });
export type AuditExportQuery = z.infer<typeof AuditExportQuery>;

/** The columns of a CSV export, in order (a JSON Lines entry has the same fields). */
export const AUDIT_EXPORT_COLUMNS = ['id', 'seq', 'at', 'actor', 'actorKind', 'role', 'action', 'commons', 'service', 'outcome', 'commandId', 'detail', 'prevHash', 'hash'] as const;

/** One line of a JSON Lines export. */
export const AuditExportEntry = z.object({
  id: z.number(),
  seq: z.number().nullable(),
  at: z.string(),
  actor: z.string(),
  actorKind: z.string(),
  role: z.string().nullable(),
  action: z.string(),
  commons: z.string().nullable(),
  service: z.string().nullable(),
  outcome: z.string(),
  commandId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  prevHash: z.string().nullable(),
  hash: z.string().nullable(),
});
export type AuditExportEntry = z.infer<typeof AuditExportEntry>;

export const ReportMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM, e.g. 2026-11');
export const ChangeReportQuery = z.strictObject({ month: ReportMonth });

export const ReportDeploy = z.object({
  at: z.string(),
  deployment: z.string(),
  kind: z.string(),
  release: z.string(),
  revision: z.number(),
  who: z.string(),
  reason: z.string(),
  /** The deployment's phase now (succeeded, failed, …). */
  result: z.string(),
});

export const ReportConfigChange = z.object({
  at: z.string(),
  who: z.string(),
  reason: z.string().nullable(),
  keys: z.array(z.string()),
  outcome: z.string(),
  /** The command's state now, when the change went through a command. */
  result: z.string().nullable(),
});

export const ReportOperation = z.object({
  at: z.string(),
  /** service.restart, service.scale, job.run, … */
  action: z.string(),
  service: z.string().nullable(),
  who: z.string(),
  outcome: z.string(),
  result: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

export const ReportApproval = z.object({
  at: z.string(),
  action: z.string(),
  who: z.string(),
  outcome: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

export const ReportPerson = z.object({
  who: z.string(),
  deploys: z.number(),
  configChanges: z.number(),
  operations: z.number(),
  approvals: z.number(),
  /** Changes refused (denied or rejected) in the month. */
  refused: z.number(),
  total: z.number(),
});

export const ChangeReport = z.object({
  commons: z.string(),
  month: z.string(),
  /** [from, to) of the month, UTC. */
  from: z.string(),
  to: z.string(),
  generatedAt: z.string(),
  deploys: z.array(ReportDeploy),
  configChanges: z.array(ReportConfigChange),
  operations: z.array(ReportOperation),
  approvals: z.array(ReportApproval),
  people: z.array(ReportPerson),
  /** The audit chain's head when the report was made (`seq:hash`). */
  auditHead: z.string(),
});
export type ChangeReport = z.infer<typeof ChangeReport>;
