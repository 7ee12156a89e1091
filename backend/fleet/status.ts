// How a service's and a commons' status follow from what the agent observed
// (the rule gen3-admin uses too: no ready replicas is down, fewer than desired
// is degraded; a failing health check is down).
import type { ServiceStatus, ServiceView } from '../contracts/api';

export function commonsStatus(services: ServiceView[], agentOnline: boolean): ServiceStatus {
  if (!agentOnline || services.length === 0) return 'unknown';
  const down = services.filter((s) => s.status === 'down');
  // Without revproxy nothing in the commons is reachable from outside.
  if (down.length === services.length || down.some((s) => s.name === 'revproxy')) return 'down';
  if (services.some((s) => s.status === 'down' || s.status === 'degraded')) return 'degraded';
  if (services.some((s) => s.status === 'unknown')) return 'unknown';
  return 'healthy';
}
