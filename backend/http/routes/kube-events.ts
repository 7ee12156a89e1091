// The commons namespace's Kubernetes events, asked of its agent now (never
// stored): warnings first, then newest first; `service` for one service.
import { Router } from 'express';
import { ROUTES } from '../../../contracts/routes';
import type { Fleet } from '../../fleet/fleet';
import type { AgentRequests } from '../../inspect/agent-requests';
import { inspectOnce } from '../../inspect/read';
import { kubeEventView, sortEvents } from '../../inspect/views';
import type { Store } from '../../store/store';
import { agentProblem, commonsOr404, serviceOr404 } from '../agent-problem';
import { mount } from '../mount';

export interface KubeEventRoutesDeps {
  store: Store;
  fleet: Pick<Fleet, 'get'>;
  requests: Pick<AgentRequests, 'ask'>;
}

export function kubeEventsRouter({ store, fleet, requests }: KubeEventRoutesDeps): Router {
  const r = Router();
  mount(r, ROUTES.listKubernetesEvents, store, async ({ params: { id }, query: { service } }, _req, res) => {
    if (service) serviceOr404(fleet, id, service, 'query.service');
    else commonsOr404(fleet, id);
    try {
      const result = await inspectOnce(requests, id, { type: 'inspect', kind: 'events', service: service ?? '' });
      const items = (result.events?.items ?? []).map(kubeEventView).filter((e) => !service || e.service === service);
      return { status: 200, body: { items: sortEvents(items) } };
    } catch (e) {
      throw agentProblem(e, res, () => 'query.service');
    }
  });
  return r;
}
