// /api/v1/groups and /api/v1/commons/{id}/labels: labels on commons and the
// saved groups fleet operations target.
import { Router } from 'express';
import { ROUTES } from '../../../contracts/routes';
import type { GroupDirectory } from '../../groups/directory';
import type { Store } from '../../store/store';
import { mount } from '../mount';
import { notFound } from '../problem';

export interface GroupsRoutesDeps {
  store: Store;
  groups: GroupDirectory;
}

export function groupsRouter({ store, groups }: GroupsRoutesDeps): Router {
  const r = Router();

  mount(r, ROUTES.listGroups, store, async () => ({ status: 200, body: { items: await groups.listGroups() } }));

  mount(r, ROUTES.getGroup, store, async ({ params: { name } }) => {
    const g = await groups.getGroup(name);
    if (!g) throw notFound(`group ${name}`);
    return { status: 200, body: g };
  });

  mount(
    r,
    ROUTES.putGroup,
    store,
    async ({ params: { name }, body, principal }) => {
      const { created, group } = await groups.putGroup(name, body, principal);
      return created ? { status: 201, body: group, location: `/api/v1/groups/${name}` } : { status: 200, body: group };
    },
    { denial: () => ({ action: 'group.put' }) },
  );

  mount(
    r,
    ROUTES.deleteGroup,
    store,
    async ({ params: { name }, principal }) => {
      await groups.deleteGroup(name, principal);
      return { status: 204, body: undefined };
    },
    { denial: () => ({ action: 'group.delete' }) },
  );

  mount(r, ROUTES.getCommonsLabels, store, async ({ params: { id } }) => ({
    status: 200,
    body: { labels: await groups.labelsOf(id), custom: await groups.customLabelsOf(id) },
  }));

  mount(
    r,
    ROUTES.putCommonsLabels,
    store,
    async ({ params: { id }, body, principal }) => {
      await groups.setLabels(id, body.labels, principal);
      return { status: 200, body: { labels: await groups.labelsOf(id), custom: await groups.customLabelsOf(id) } };
    },
    { denial: (_req, { id }) => ({ action: 'commons.labels', commons: id }) },
  );

  return r;
}
