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
} as const;

export function pageUrl(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}

export function commonsUrl(id: string): string {
  return `${PLUGIN_BASE_URL}/${ROUTES.commons}/${encodeURIComponent(id)}`;
}
