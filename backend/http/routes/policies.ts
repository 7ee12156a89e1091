// /api/v1/policies (admins edit them) and /api/v1/approvals (changes held
// until a second person approves; approve runs the change once, reject says why).
import { Router } from 'express';
import { ROUTES } from '../../../contracts/routes';
import { type Approvals, NotAllowed } from '../../policies/approvals';
import type { Policies } from '../../policies/policies';
import type { Store } from '../../store/store';
import { mount } from '../mount';
import { HttpProblem } from '../problem';
import { audit } from '../../audit/record';
import type { Principal } from '../../auth/principal';

export interface PolicyRoutesDeps {
  store: Store;
  policies: Policies;
  approvals: Pick<Approvals, 'list' | 'view' | 'approve' | 'reject'>;
}

export function policiesRouter({ store, policies, approvals }: PolicyRoutesDeps): Router {
  const r = Router();

  mount(r, ROUTES.listPolicies, store, async () => ({ status: 200, body: { items: await policies.list() } }));

  mount(r, ROUTES.getPolicy, store, async ({ params: { name } }) => ({ status: 200, body: await policies.get(name) }));

  mount(
    r,
    ROUTES.putPolicy,
    store,
    async ({ params: { name }, body, principal }) => {
      const { created, policy } = await policies.put(name, body, principal);
      return created ? { status: 201, body: policy, location: `/api/v1/policies/${name}` } : { status: 200, body: policy };
    },
    { denial: () => ({ action: 'policy.put' }) },
  );

  mount(
    r,
    ROUTES.deletePolicy,
    store,
    async ({ params: { name }, principal }) => {
      await policies.delete(name, principal);
      return { status: 204, body: undefined };
    },
    { denial: () => ({ action: 'policy.delete' }) },
  );

  mount(r, ROUTES.listApprovals, store, async ({ query }) => ({ status: 200, body: { items: await approvals.list(query) } }));

  mount(r, ROUTES.getApproval, store, async ({ params: { id } }) => ({ status: 200, body: await approvals.view(id) }));

  /** A decision refused to this caller: 403 naming the rule, audited as denied. */
  const decide = async <T>(action: string, id: string, principal: Principal, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof NotAllowed)) throw e;
      await audit(store, principal, { action, outcome: 'denied', detail: { approval: id, rule: e.rule, reason: e.detail } });
      throw new HttpProblem(403, 'Not allowed to decide', `refused by ${e.rule}: ${e.detail}`);
    }
  };

  mount(
    r,
    ROUTES.approveApproval,
    store,
    async ({ params: { id }, principal }) => ({ status: 200, body: await decide('approval.approve', id, principal, () => approvals.approve(id, principal)) }),
    { denial: () => ({ action: 'approval.approve' }) },
  );

  mount(
    r,
    ROUTES.rejectApproval,
    store,
    async ({ params: { id }, body: { reason }, principal }) => ({ status: 200, body: await decide('approval.reject', id, principal, () => approvals.reject(id, principal, reason)) }),
    { denial: () => ({ action: 'approval.reject' }) },
  );

  return r;
}
