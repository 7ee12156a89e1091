// /api/v1/team-grants and /api/v1/access: scoped roles. Admins grant a
// Grafana team a DCOC role on a saved group's commons; any caller reads what
// it holds (the app shows it and hides what the caller cannot do).
import { Router } from 'express';
import { ROUTES } from '../../../contracts/routes';
import type { TeamGrantView } from '../../../contracts/scopes';
import { auditEntry } from '../../audit/record';
import type { GroupDirectory } from '../../groups/directory';
import { NotFound } from '../../domain/errors';
import type { Store } from '../../store/store';
import type { TeamGrantRow, TeamGrantsStore } from '../../store/team-grants-store';
import { mount } from '../mount';
import { HttpProblem, notFound } from '../problem';

export interface ScopesRoutesDeps {
  store: Store;
  teamGrants: TeamGrantsStore;
  groups: Pick<GroupDirectory, 'commonsIn' | 'getGroup'>;
}

export function scopesRouter({ store, teamGrants, groups }: ScopesRoutesDeps): Router {
  const r = Router();
  const commonsOf = (group: string) => groups.commonsIn(group).catch((e: unknown) => (e instanceof NotFound ? [] : Promise.reject(e)));
  const view = async (row: TeamGrantRow): Promise<TeamGrantView> => ({
    team: row.team,
    group: row.group_name,
    role: row.role as TeamGrantView['role'],
    commons: await commonsOf(row.group_name),
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  });

  mount(r, ROUTES.listTeamGrants, store, async () => {
    const rows = await teamGrants.list();
    return { status: 200, body: { items: await Promise.all(rows.map(view)) } };
  });

  mount(
    r,
    ROUTES.putTeamGrant,
    store,
    async ({ params: { team, group }, body: { role }, principal }) => {
      // A grant on a group that does not exist would grant nothing, silently: refuse it, naming the field.
      if (!(await groups.getGroup(group))) {
        const detail = `group ${group} does not exist; create it first (PUT /api/v1/groups/${group}), then grant`;
        throw new HttpProblem(404, 'Not found', detail, [{ field: 'path.group', message: detail }]);
      }
      const before = await teamGrants.get(team, group);
      const row: TeamGrantRow = { team, group_name: group, role, updated_by: principal.actor, updated_at: new Date().toISOString() };
      const created = await teamGrants.put(row, auditEntry(principal, { action: 'team-grant.put', outcome: 'succeeded', detail: { team, group, role, from: before?.role ?? null } }));
      const body = await view(row);
      return created ? { status: 201, body, location: `/api/v1/team-grants/${encodeURIComponent(team)}/${group}` } : { status: 200, body };
    },
    { denial: () => ({ action: 'team-grant.put' }) },
  );

  mount(
    r,
    ROUTES.deleteTeamGrant,
    store,
    async ({ params: { team, group }, principal }) => {
      const before = await teamGrants.get(team, group);
      if (!before) throw notFound(`grant of team ${team} on group ${group}`);
      await teamGrants.delete(team, group, auditEntry(principal, { action: 'team-grant.delete', outcome: 'succeeded', detail: { team, group, role: before.role } }));
      return { status: 204, body: undefined };
    },
    { denial: () => ({ action: 'team-grant.delete' }) },
  );

  mount(r, ROUTES.getAccess, store, ({ access }) => ({
    status: 200,
    body: { role: access.global, teams: (access.principal.teams ?? []).map((t) => t.name), grants: [...access.grants] },
  }));

  return r;
}
