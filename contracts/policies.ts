// Policies (per group: who may change what, reasons, allowed releases, which
// changes need a second person's approval) and approvals (a held change and
// its decision), as the API takes and answers them.
import { z } from 'zod';
import { ReleaseVersion, itemsOf } from './api';
import { GroupName } from './groups';
import { Role } from './roles';

/** Every kind of change the gate sees (backend/changes/gate.ts ChangeKind). */
export const CHANGE_KINDS = ['deploy', 'rollback', 'config', 'restart', 'scale', 'job', 'rollout', 'backup', 'labels', 'maintenance-mode'] as const;
export const ChangeKindName = z.enum(CHANGE_KINDS);
export type ChangeKindName = z.infer<typeof ChangeKindName>;

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const PolicyName = z.string().regex(DNS_LABEL, 'must be a DNS label');
export const PolicyPath = z.object({ name: PolicyName });

export const ApprovalRule = z.strictObject({
  /** The changes held until someone else approves them. */
  kinds: z.array(ChangeKindName).min(1, 'name at least one change kind').max(CHANGE_KINDS.length),
  /** The least role an approver needs. */
  approvers: Role.default('operator'),
  /** How many approvals a change needs: one other person. */
  count: z.literal(1).default(1),
});
export type ApprovalRule = z.infer<typeof ApprovalRule>;

export const PolicyRules = z.strictObject({
  /** Every change needs a reason (restart, scale and Jobs too). */
  requireReason: z.boolean().default(false),
  approval: ApprovalRule.nullable().default(null),
  /** Who may change what: the least role per change kind (above the route's own permission). */
  minRole: z.strictObject(Object.fromEntries(CHANGE_KINDS.map((k) => [k, Role.optional()])) as Record<ChangeKindName, z.ZodOptional<typeof Role>>).default({}),
  /** The releases a deploy or rollout may move to; null: any. */
  allowedReleases: z.array(ReleaseVersion).max(200).nullable().default(null),
});
export type PolicyRules = z.infer<typeof PolicyRules>;

/** PUT /api/v1/policies/{name}: a policy (created or replaced). */
export const PolicySpec = z.strictObject({
  group: GroupName,
  description: z.string().max(500).default(''),
  rules: PolicyRules,
});
export type PolicySpec = z.infer<typeof PolicySpec>;

export const PolicyView = z.object({
  name: z.string(),
  group: z.string(),
  description: z.string(),
  rules: PolicyRules,
  updatedBy: z.string(),
  updatedAt: z.string(),
});
export type PolicyView = z.infer<typeof PolicyView>;
export const PolicyList = itemsOf(PolicyView);

export const APPROVAL_STATES = ['requested', 'approved', 'rejected', 'expired', 'executed', 'failed'] as const;
export const ApprovalState = z.enum(APPROVAL_STATES);
export type ApprovalState = z.infer<typeof ApprovalState>;

export const ApprovalView = z.object({
  id: z.string(),
  kind: ChangeKindName,
  commons: z.string(),
  state: ApprovalState,
  requester: z.object({ actor: z.string(), kind: z.enum(['token', 'grafana']), role: Role }),
  reason: z.string(),
  /** What the approver reads: the change in one line. */
  summary: z.string(),
  release: z.string().nullable(),
  /** The request replayed on approval. */
  request: z.record(z.string(), z.unknown()),
  /** The policies that asked for it. */
  policies: z.array(z.string()),
  /** The least role an approver needs. */
  approvers: Role,
  createdAt: z.string(),
  expiresAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionReason: z.string().nullable(),
  /** What the approved change started. */
  result: z.object({ deployment: z.string().optional(), command: z.string().optional() }).nullable(),
  /** Why the approved change failed to start. */
  error: z.string().nullable(),
});
export type ApprovalView = z.infer<typeof ApprovalView>;
export const ApprovalList = itemsOf(ApprovalView);
export const ApprovalPath = z.object({ id: z.uuid() });
export const ApprovalListQuery = z.strictObject({
  state: ApprovalState.optional(),
  commons: z.string().max(63).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** A change answered 202 because it waits for an approval. */
export const ApprovalHeld = z.object({ approval: ApprovalView });
export type ApprovalHeld = z.infer<typeof ApprovalHeld>;

export const RejectRequest = z.strictObject({
  reason: z.string().trim().min(1, 'say why').max(2000),
});

