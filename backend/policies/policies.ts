// Policies: saved per group, edited by admins, audited. The gate reads them
// through the policy check (policy-check.ts) on every change.
import type { PolicySpec, PolicyView } from '../../contracts/policies';
import { type Actor, auditEntry } from '../audit/record';
import { Invalid, NotFound, onField } from '../domain/errors';
import type { PolicyRow, PoliciesStore } from '../store/policies-store';
import { namedRules } from './policy-check';

export function policyView(r: PolicyRow): PolicyView {
  return { name: r.name, group: r.group_name, description: r.description, rules: namedRules(r).rules, updatedBy: r.updated_by, updatedAt: r.updated_at };
}

export class Policies {
  constructor(
    private readonly store: PoliciesStore,
    /** Whether a saved group exists (GroupDirectory.getGroup). */
    private readonly groups: { getGroup(name: string): Promise<unknown> },
  ) {}

  async list(): Promise<PolicyView[]> {
    return (await this.store.listPolicies()).map(policyView);
  }

  async get(name: string): Promise<PolicyView> {
    const r = await this.store.getPolicy(name);
    if (!r) throw new NotFound(`policy ${name}`);
    return policyView(r);
  }

  async put(name: string, spec: PolicySpec, who: Actor): Promise<{ created: boolean; policy: PolicyView }> {
    if (!(await this.groups.getGroup(spec.group))) {
      throw new Invalid('Unknown group', onField('body.group', `group ${spec.group} does not exist; create it first (PUT /api/v1/groups/${spec.group})`));
    }
    const row: PolicyRow = { name, group_name: spec.group, description: spec.description, rules_json: JSON.stringify(spec.rules), updated_by: who.actor, updated_at: new Date().toISOString() };
    const created = await this.store.putPolicy(row, auditEntry(who, { action: 'policy.put', outcome: 'succeeded', detail: { policy: name, group: spec.group, rules: spec.rules } }));
    return { created, policy: policyView(row) };
  }

  async delete(name: string, who: Actor): Promise<void> {
    const existing = await this.store.getPolicy(name);
    if (!existing) throw new NotFound(`policy ${name}`);
    await this.store.deletePolicy(name, auditEntry(who, { action: 'policy.delete', outcome: 'succeeded', detail: { policy: name, group: existing.group_name, rules: JSON.parse(existing.rules_json) as unknown } }));
  }
}
