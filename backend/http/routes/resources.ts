// CPU and memory per service of a commons (metrics.k8s.io), against its
// containers' requests and limits, asked of its agent now (never stored).
import { Router } from 'express';
import { ROUTES } from '../../../contracts/routes';
import type { Fleet } from '../../fleet/fleet';
import type { AgentRequests } from '../../inspect/agent-requests';
import { inspectOnce } from '../../inspect/read';
import { resourcesView } from '../../inspect/views';
import type { Store } from '../../store/store';
import { agentProblem, commonsOr404 } from '../agent-problem';
import { mount } from '../mount';

export interface ResourceRoutesDeps {
  store: Store;
  fleet: Pick<Fleet, 'get'>;
  requests: Pick<AgentRequests, 'ask'>;
}

export function resourcesRouter({ store, fleet, requests }: ResourceRoutesDeps): Router {
  const r = Router();
  mount(r, ROUTES.getResources, store, async ({ params: { id } }, _req, res) => {
    commonsOr404(fleet, id);
    try {
      const result = await inspectOnce(requests, id, { type: 'inspect', kind: 'resources', service: '' });
      return { status: 200, body: resourcesView(result.resources ?? { available: false, detail: 'the agent sent no resources', pods: [] }) };
    } catch (e) {
      throw agentProblem(e, res, () => 'path.id');
    }
  });
  return r;
}
