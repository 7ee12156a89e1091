// /api/v1/rollouts: plan, start and steer progressive rollouts. Plans are
// read-only; start and the actions need deployments:write and are audited
// (refusals too). Starting asks the change gate for every commons: a deny
// window or a policy refuses it naming the commons, a policy that holds it
// answers 202 with the approval, and the approved rollout starts on its own.
import { Router } from 'express';
import type { RolloutRequest } from '../../../contracts/rollouts';
import { ROUTES } from '../../../contracts/routes';
import { audit } from '../../audit/record';
import type { Approvals } from '../../policies/approvals';
import { RolloutGateRefusal, type RolloutService } from '../../rollouts/service';
import type { Store } from '../../store/store';
import type { ActingPrincipal } from '../../auth/principal';
import { mount } from '../mount';
import { HttpProblem } from '../problem';

export interface RolloutRoutesDeps {
  store: Store;
  rollouts: Pick<RolloutService, 'plan' | 'start' | 'act' | 'list' | 'view'>;
  approvals: Pick<Approvals, 'view' | 'onApproved'>;
}

const TITLES: Record<403 | 409 | 422, string> = { 403: 'Not allowed by policy', 409: 'Not now', 422: 'Refused by policy' };

export function rolloutsRouter({ store, rollouts, approvals }: RolloutRoutesDeps): Router {
  const r = Router();

  mount(r, ROUTES.listRollouts, store, async ({ query }) => ({ status: 200, body: { items: await rollouts.list(query.limit) } }));

  const start = async (body: RolloutRequest, principal: ActingPrincipal) => {
    try {
      const view = await rollouts.start(body, principal);
      return { status: 202 as const, location: `/api/v1/rollouts/${view.id}`, body: { rollout: view } };
    } catch (e) {
      if (!(e instanceof RolloutGateRefusal)) throw e;
      const d = e.decision;
      if (d.kind === 'approval-required') {
        const approval = await approvals.view(d.approvalId);
        return { status: 202 as const, location: `/api/v1/approvals/${approval.id}`, body: { approval } };
      }
      await audit(store, principal, { action: 'rollout.start', outcome: 'denied', commons: e.commons, detail: { rule: d.rule, status: d.status, reason: d.detail.slice(0, 500), ...(d.field ? { fields: [d.field] } : {}) } });
      throw new HttpProblem(d.status, TITLES[d.status], `${e.commons}: refused by ${d.rule}: ${d.detail}`, d.field ? [{ field: d.field, message: d.detail }] : undefined, true);
    }
  };
  approvals.onApproved('rollout', async (req, principal, approvalId) => {
    const held = await approvals.view(approvalId);
    const view = await rollouts.start(req as RolloutRequest, principal, { id: approvalId, commons: held.commons });
    return { rollout: view.id };
  });

  mount(
    r,
    ROUTES.createRollout,
    store,
    async ({ body, principal }) => (body.mode === 'plan' ? { status: 200, body: await rollouts.plan(body) } : start(body, principal)),
    { denial: (req) => ({ action: (req.body as { mode?: unknown } | undefined)?.mode === 'apply' ? 'rollout.start' : 'rollout.plan' }) },
  );

  mount(r, ROUTES.getRollout, store, async ({ params: { id } }) => ({ status: 200, body: await rollouts.view(id) }));

  mount(
    r,
    ROUTES.actOnRollout,
    store,
    async ({ params: { id, action }, body, principal }) => ({ status: 200, body: { rollout: await rollouts.act(id, action, principal, body.reason) } }),
    { denial: (_req, params) => ({ action: `rollout.${params?.action ?? 'action'}` }) },
  );

  return r;
}
