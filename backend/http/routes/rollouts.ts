// /api/v1/rollouts: plan, start and steer progressive rollouts. Plans are
// read-only; start and the actions need deployments:write and are audited
// (refusals too). Starting asks the change gate for every commons: a deny
// window or a policy refuses it naming the commons, a policy that holds it
// answers 202 with the approval, and the approved rollout starts on its own.
import { Router } from 'express';
import type { RolloutRequest } from '../../../contracts/rollouts';
import { ROUTES } from '../../../contracts/routes';
import type { Approvals } from '../../policies/approvals';
import { RolloutGateRefusal, type RolloutService } from '../../rollouts/service';
import type { Store } from '../../store/store';
import type { ActingPrincipal } from '../../auth/principal';
import { refusal } from '../gated';
import { mount } from '../mount';

export interface RolloutRoutesDeps {
  store: Store;
  rollouts: Pick<RolloutService, 'plan' | 'start' | 'act' | 'list' | 'view'>;
  approvals: Pick<Approvals, 'view' | 'onApproved'>;
}

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
      // The commons first: a rollout spans many, the refusal is about one of them.
      throw await refusal(store, principal, { ...d, detail: `${e.commons}: ${d.detail}` }, { action: 'rollout.start', commons: e.commons });
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
