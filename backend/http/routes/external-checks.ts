// GET /api/v1/commons/{id}/external-checks: the commons' public endpoints as
// this replica's external checks last probed them.
import { Router } from 'express';
import { ROUTES } from '../../../contracts/routes';
import type { ExternalChecks } from '../../external/checks';
import type { Fleet } from '../../fleet/fleet';
import type { Store } from '../../store/store';
import { mount } from '../mount';
import { notFound } from '../problem';

export interface ExternalChecksRoutesDeps {
  store: Store;
  fleet: Pick<Fleet, 'get'>;
  externalChecks: Pick<ExternalChecks, 'views'>;
}

export function externalChecksRouter({ store, fleet, externalChecks }: ExternalChecksRoutesDeps): Router {
  const r = Router();
  mount(r, ROUTES.listExternalChecks, store, ({ params: { id } }) => {
    const c = fleet.get(id);
    if (!c) throw notFound(`commons ${id}`);
    return { status: 200, body: { items: externalChecks.views(c) } };
  });
  return r;
}
