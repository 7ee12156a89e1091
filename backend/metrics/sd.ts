// Prometheus HTTP service discovery (http_sd_configs, Prometheus >= 2.28):
// one target per commons whose per-service detail Prometheus should scrape,
// at /metrics/commons/{id}. `?group=` (a saved group) and `?selector=` (a
// label selector as kubectl writes it) narrow the list, so operators choose
// which commons get per-service series.
import type { LiveCommons } from '../fleet/fleet';

export interface SdTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

export const commonsMetricsPath = (id: string) => `/metrics/commons/${id}`;

/**
 * One target group per commons: the address Prometheus reaches the control
 * service at, the detail's path, and the commons' labels (the series carry the
 * same ones: scrape with honor_labels: true).
 */
export function sdTargets(commons: readonly Pick<LiveCommons, 'id' | 'environment'>[], address: string): SdTargetGroup[] {
  return commons.map((c) => ({ targets: [address], labels: { __metrics_path__: commonsMetricsPath(c.id), commons: c.id, environment: c.environment } }));
}
