// One status per service from workload and health facts: no ready replica is
// down, a failing health check is down, fewer ready than desired is degraded.
import { imageVersion } from './release-of';
import type { HealthResult, ServiceState, WorkloadFacts } from './types';

/** `healthExpected`: a health collector runs, so a service not checked yet is not known to be healthy. */
export function serviceState(w: WorkloadFacts, health: HealthResult | null, healthExpected = true): ServiceState {
  // The version as the image states it: tag as written (master, 1.2.1, 2026.07) or digest.
  const base = { ...w, version: imageVersion(w.image), health };
  if (w.ready === 0) {
    return { ...base, status: 'down', statusReason: w.reason || (w.desired === 0 ? 'scaled to 0 replicas' : 'no ready replicas') };
  }
  if (w.reasonIsFatal) return { ...base, status: 'down', statusReason: w.reason };
  if (!health && !healthExpected) {
    return w.ready < w.desired ? { ...base, status: 'degraded', statusReason: w.reason || w.rollout || `${w.ready} of ${w.desired} replicas ready` } : { ...base, status: 'healthy', statusReason: '' };
  }
  // Status comes from the service's own health endpoint; until it has answered once, it is not known.
  if (!health) return { ...base, status: 'unknown', statusReason: 'health not checked yet' };
  if (!health.ok) return { ...base, status: 'down', statusReason: `health check failed: ${health.detail}` };
  if (w.ready < w.desired) {
    return { ...base, status: 'degraded', statusReason: w.reason || w.rollout || `${w.ready} of ${w.desired} replicas ready` };
  }
  return { ...base, status: 'healthy', statusReason: '' };
}
