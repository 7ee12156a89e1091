// /api/v1/groups and /api/v1/commons/{id}/labels: labels on commons and the
// saved groups fleet operations target.
import { Router } from 'express';
import { ROUTES } from '../../../contracts/routes';
import type { GroupDirectory } from '../../groups/directory';
import type { Store } from '../../store/store';
import type { ActingPrincipal } from '../../auth/principal';
import { type ChangeRoutesDeps, gated, startedBy } from '../gated';
import { mount } from '../mount';
import { notFound } from '../problem';

export interface GroupsRoutesDeps {
  store: Store;
  groups: GroupDirectory;
  /** The change gate a change of labels asks first. */
  changes: ChangeRoutesDeps;
}

export function groupsRouter({ store, groups, changes }: GroupsRoutesDeps): Router {
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

  // Labels decide which groups (and so which policies) a commons is in: a change to them asks the change gate too.
  const setLabels = async ({ id, labels, reason, approvalId }: { id: string; labels: Record<string, string>; reason?: string; approvalId?: string }, principal: ActingPrincipal) => {
    await groups.labelsOf(id);
    const shown = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') || 'none';
    const change = { kind: 'labels' as const, commons: id, principal, reason, approvalId, summary: `set the labels of ${id} to ${shown.slice(0, 300)}`, request: { id, labels, ...(reason ? { reason } : {}) } };
    return gated(changes, change, { action: 'commons.labels' }, async () => {
      await groups.setLabels(id, labels, principal);
      return { status: 200 as const, body: { labels: await groups.labelsOf(id), custom: await groups.customLabelsOf(id) } };
    });
  };
  changes.approvals.onApproved('labels', async (req, principal, approvalId) => startedBy(await setLabels({ ...(req as { id: string; labels: Record<string, string>; reason?: string }), approvalId }, principal)));

  mount(r, ROUTES.putCommonsLabels, store, ({ params, body, principal }) => setLabels({ ...params, ...body }, principal), {
    denial: (_req, { id }) => ({ action: 'commons.labels', commons: id }),
  });

  return r;
}
