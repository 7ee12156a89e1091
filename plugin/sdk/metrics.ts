// The plugin process's own Prometheus metrics, served through CollectMetrics
// (Grafana exposes them at /metrics/plugins/<pluginId>).
import { collectDefaultMetrics, register, type Registry } from 'prom-client';

const withDefaults = new WeakSet<Registry>();

/**
 * The registry CollectMetrics reads: prom-client's global one unless given,
 * so metrics a plugin creates with plain `new Counter(...)` show up. Process
 * and Node.js runtime metrics are added once per registry.
 */
export function pluginRegistry(registry: Registry = register, defaultMetrics = true): Registry {
  if (defaultMetrics && !withDefaults.has(registry)) {
    collectDefaultMetrics({ register: registry });
    withDefaults.add(registry);
  }
  return registry;
}
