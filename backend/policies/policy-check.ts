// The gate's policy check: the policies of every group a commons is in apply
// to each change on it (strictest wins, rules.ts). A change a policy holds
// opens an approval; a replayed change carrying an approved one passes once.
import { PolicyRules } from '../../contracts/policies';
import type { ChangeCheck, GateDecision, ProposedChange } from '../changes/gate';
import { DomainError } from '../domain/errors';
import type { PolicyRow, PoliciesStore } from '../store/policies-store';
import type { Approvals } from './approvals';
import { breach, effectiveRules, type NamedRules } from './rules';

/** The groups a commons is in (backend/groups/directory.ts GroupDirectory). */
export interface GroupMembership {
  groupsOf(commonsId: string): Promise<string[]>;
}

export const namedRules = (r: PolicyRow): NamedRules => ({ name: r.name, rules: PolicyRules.parse(JSON.parse(r.rules_json)) });

export class PolicyCheck implements ChangeCheck {
  readonly name = 'policy';

  constructor(private readonly deps: { store: PoliciesStore; groups: GroupMembership; approvals: Pick<Approvals, 'open' | 'consume'> }) {}

  /** The policies on a commons now. */
  async policiesOn(commonsId: string): Promise<NamedRules[]> {
    let groups: string[];
    try {
      groups = await this.deps.groups.groupsOf(commonsId);
    } catch (e) {
      // A commons not created yet (a first deploy) is in no group.
      if (e instanceof DomainError && e.kind === 'not-found') groups = [];
      else throw e;
    }
    return (await this.deps.store.policiesOfGroups(groups)).map(namedRules);
  }

  async check(change: ProposedChange): Promise<GateDecision> {
    const policies = await this.policiesOn(change.commons);
    const e = effectiveRules(policies, change.kind);
    const b = breach(e, { kind: change.kind, role: change.principal.role, actor: change.principal.actor, reason: change.reason, release: change.release, commons: change.commons });
    if (b) return { kind: 'refuse', ...b };
    if (change.approvalId) {
      const used = await this.deps.approvals.consume(change.approvalId, change);
      if (!used.ok) return { kind: 'refuse', status: 409, rule: 'approval', detail: used.detail, field: 'body.approvalId' };
      return { kind: 'allow', notes: [`approved in ${change.approvalId}`] };
    }
    if (!e.approval) return { kind: 'allow' };
    const approval = await this.deps.approvals.open(change, e.approval);
    return {
      kind: 'approval-required',
      rule: `policy ${e.approval.policies.join(', ')}`,
      approvalId: approval.id,
      detail: `policy ${e.approval.policies.join(', ')} holds ${change.kind} changes on ${change.commons} until a second person with role ${e.approval.approvers} or higher approves them (POST /api/v1/approvals/${approval.id}/approve); it expires at ${approval.expiresAt}`,
    };
  }
}
