// The RBAC actions DCOC declares in Grafana (the app's plugin.json `roles`)
// and how a user's actions map onto a DCOC role. This constant is the single
// source: the frontend's plugin.json is checked against it.
import { ROLES, roleRank, type Role } from './roles';

export const DCOC_APP_ID = 'gen3-dcoc-app';
export const DCOC_DATASOURCE_ID = 'gen3-dcoc-datasource';

/** Each action, with the lowest DCOC role it stands for. */
export const DCOC_RBAC_ACTIONS = {
  'gen3-dcoc-app.commons:read': 'viewer',
  'gen3-dcoc-app.details:read': 'developer',
  'gen3-dcoc-app.services:operate': 'operator',
  'gen3-dcoc-app.deployments:write': 'operator',
  'gen3-dcoc-app.audit:read': 'operator',
  'gen3-dcoc-app.agents:manage': 'admin',
} as const satisfies Record<string, Role>;

export type DcocAction = keyof typeof DCOC_RBAC_ACTIONS;

/** Prefix for Grafana's permission search (`actionPrefix`). */
export const DCOC_ACTION_PREFIX = `${DCOC_APP_ID}.`;

/** The actions a role needs: its own and those of every role below it. */
export function actionsForRole(role: Role): DcocAction[] {
  return (Object.entries(DCOC_RBAC_ACTIONS) as [DcocAction, Role][]).filter(([, r]) => roleRank(r) <= roleRank(role)).map(([a]) => a);
}

/**
 * The highest role whose actions (all of them, and all of the lower roles')
 * the user holds; null when not even the viewer's. Requiring the whole set is
 * least privilege: a DCOC role grants every permission of the roles below it,
 * so an operator action alone must not unlock, say, the audit log.
 */
export function roleFromActions(held: Iterable<string>): Role | null {
  const have = new Set(held);
  let best: Role | null = null;
  for (const role of ROLES) {
    if (actionsForRole(role).every((a) => have.has(a))) best = role;
    else break;
  }
  return best;
}
