// How a service's and a commons' status follow from what the agent observed
// (the rule gen3-admin uses too: no ready replicas is down, fewer than desired
// is degraded; a failing health check is down).
import type { ServiceStatus, ServiceView } from '../../contracts/api';

/**
 * Services without which nobody can use the commons: revproxy is the only way
 * in from outside, and fence is every login and every token the other services
 * check (gen3-helm 42cc46bc helm/revproxy/templates: every route goes through
 * it; helm/fence: the OIDC provider arborist, indexd and the portal rely on).
 */
export const GATEKEEPERS = ['revproxy', 'fence'] as const;

export function commonsStatus(services: ServiceView[], agentOnline: boolean): ServiceStatus {
  if (!agentOnline || services.length === 0) return 'unknown';
  const down = services.filter((s) => s.status === 'down');
  if (down.length === services.length || down.some((s) => (GATEKEEPERS as readonly string[]).includes(s.name))) return 'down';
  if (services.some((s) => s.status === 'down' || s.status === 'degraded')) return 'degraded';
  if (services.some((s) => s.status === 'unknown')) return 'unknown';
  return 'healthy';
}
