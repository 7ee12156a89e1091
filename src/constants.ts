// Where the app lives in Grafana and the routes of its pages.
import { DCOC_APP_ID, DCOC_DATASOURCE_ID } from '../contracts/rbac';

export const PLUGIN_ID = DCOC_APP_ID;
export const DATASOURCE_PLUGIN_ID = DCOC_DATASOURCE_ID;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;
/** Grafana's proxy to the app backend's CallResource. */
export const RESOURCES_URL = `/api/plugins/${PLUGIN_ID}/resources`;

export const ROUTES = {
  fleet: 'fleet',
  commons: 'commons',
  deploy: 'deploy',
  agents: 'agents',
  audit: 'audit',
  approvals: 'approvals',
  groups: 'groups',
  maintenance: 'maintenance',
  rollouts: 'rollouts',
  access: 'access',
} as const;

/** A page's URL, with `query` as its search parameters when given. */
export function pageUrl(route: string, query?: Record<string, string>): string {
  const search = query ? new URLSearchParams(query).toString() : '';
  return `${PLUGIN_BASE_URL}/${route}${search ? `?${search}` : ''}`;
}

/** The search parameters that open a page's new-item form preset to a saved group (Rollouts, Maintenance): ?new=1&group=<name>. */
export const NEW_FOR_GROUP = { open: 'new', group: 'group' } as const;

export function newForGroupUrl(route: typeof ROUTES.rollouts | typeof ROUTES.maintenance, group: string): string {
  return pageUrl(route, { [NEW_FOR_GROUP.open]: '1', [NEW_FOR_GROUP.group]: group });
}

export function commonsUrl(id: string): string {
  return `${PLUGIN_BASE_URL}/${ROUTES.commons}/${encodeURIComponent(id)}`;
}
