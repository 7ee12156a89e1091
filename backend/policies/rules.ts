// What the policies on a commons demand of one change. Several policies can
// apply (one per group the commons is in): all apply, the strictest wins — a
// reason if any requires it, an approval if any holds the kind (by the highest
// approver role), the highest least-role, the releases every list allows.
import type { ChangeKindName, PolicyRules } from '../../contracts/policies';
import { type Role, roleRank } from '../../contracts/roles';

export interface NamedRules {
  name: string;
  rules: PolicyRules;
}

/** The rules in force for one kind of change, and the policies each comes from. */
export interface Effective {
  requireReason: string[];
  /** The approver role the change needs, or null: no approval. */
  approval: { approvers: Role; policies: string[] } | null;
  minRole: { role: Role; policies: string[] } | null;
  /** null: any release. */
  allowedReleases: { releases: string[]; policies: string[] } | null;
}

const higher = (a: Role, b: Role): Role => (roleRank(a) >= roleRank(b) ? a : b);

export function effectiveRules(policies: readonly NamedRules[], kind: ChangeKindName): Effective {
  const out: Effective = { requireReason: [], approval: null, minRole: null, allowedReleases: null };
  for (const { name, rules } of policies) {
    if (rules.requireReason) out.requireReason.push(name);
    if (rules.approval?.kinds.includes(kind)) {
      out.approval = out.approval
        ? { approvers: higher(out.approval.approvers, rules.approval.approvers), policies: [...out.approval.policies, name] }
        : { approvers: rules.approval.approvers, policies: [name] };
    }
    const min = rules.minRole[kind];
    if (min) out.minRole = out.minRole ? { role: higher(out.minRole.role, min), policies: [...out.minRole.policies, name] } : { role: min, policies: [name] };
    if (rules.allowedReleases) {
      out.allowedReleases = out.allowedReleases
        ? { releases: out.allowedReleases.releases.filter((r) => rules.allowedReleases!.includes(r)), policies: [...out.allowedReleases.policies, name] }
        : { releases: [...rules.allowedReleases], policies: [name] };
    }
  }
  return out;
}

/** A rule the change breaks, as the gate refuses it. */
export interface Breach {
  status: 403 | 422;
  rule: string;
  detail: string;
  field?: string;
}

const named = (policies: string[]) => `policy ${policies.join(', ')}`;

/** The first rule (least role, then reason, then release) the change breaks; undefined when it keeps them all (approval aside). */
export function breach(e: Effective, change: { kind: ChangeKindName; role: Role; actor: string; reason?: string; release?: string; commons: string }): Breach | undefined {
  if (e.minRole && roleRank(change.role) < roleRank(e.minRole.role)) {
    return {
      status: 403,
      rule: named(e.minRole.policies),
      detail: `${named(e.minRole.policies)} lets only ${e.minRole.role} or higher make ${change.kind} changes on ${change.commons}; ${change.actor} has role ${change.role}. Ask someone with that role, or a DCOC admin for access`,
    };
  }
  if (e.requireReason.length && !change.reason?.trim()) {
    return { status: 422, rule: named(e.requireReason), detail: `${named(e.requireReason)} requires a reason for every change on ${change.commons}; send body.reason saying why`, field: 'body.reason' };
  }
  if (e.allowedReleases && change.release !== undefined && !e.allowedReleases.releases.includes(change.release)) {
    const allowed = e.allowedReleases.releases.join(', ') || 'none (the policies allow no release in common)';
    return {
      status: 422,
      rule: named(e.allowedReleases.policies),
      detail: `${named(e.allowedReleases.policies)} does not allow release ${change.release} on ${change.commons}; allowed: ${allowed}`,
      field: 'body.release',
    };
  }
  return undefined;
}
