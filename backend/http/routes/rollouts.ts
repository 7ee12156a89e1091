// /api/v1/rollouts: plan, start and steer progressive rollouts. Plans are
// read-only; start and the actions need deployments:write and are audited
// (refusals too).
import { Router } from 'express';
import { ROUTES } from '../../../contracts/routes';
import { RolloutGateRefusal, type RolloutService } from '../../rollouts/service';
import type { Store } from '../../store/store';
import { mount } from '../mount';
import { HttpProblem } from '../problem';

export interface RolloutRoutesDeps {
  store: Store;
  rollouts: Pick<RolloutService, 'plan' | 'start' | 'act' | 'list' | 'view'>;
}

export function rolloutsRouter({ store, rollouts }: RolloutRoutesDeps): Router {
  const r = Router();

  mount(r, ROUTES.listRollouts, store, async ({ query }) => ({ status: 200, body: { items: await rollouts.list(query.limit) } }));

  mount(
    r,
    ROUTES.createRollout,
    store,
    async ({ body, principal }) => {
      if (body.mode === 'plan') return { status: 200, body: await rollouts.plan(body) };
      try {
        const view = await rollouts.start(body, principal);
        return { status: 202, location: `/api/v1/rollouts/${view.id}`, body: { rollout: view } };
      } catch (e) {
        if (!(e instanceof RolloutGateRefusal)) throw e;
        const d = e.decision;
        if (d.kind === 'approval-required') throw new HttpProblem(409, 'Approval required', `${e.commons}: ${d.detail} (rule ${d.rule}, approval ${d.approvalId}); start the rollout again once it is approved`);
        throw new HttpProblem(d.status, 'Rollout refused', `${e.commons}: ${d.detail} (rule ${d.rule})`, d.field ? [{ field: d.field, message: d.detail }] : undefined);
      }
    },
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
