// pluginv2.Diagnostics: CheckHealth (only when the plugin has one; otherwise
// UNIMPLEMENTED, which Grafana shows as "Health check not implemented") and
// CollectMetrics (the process's own Prometheus metrics).
import type { Registry } from 'prom-client';
import type { DiagnosticsHandler } from '../handlers';
import type { DiagnosticsServer } from '../pb/backend';
import { readCheckHealthRequest, readCollectMetricsRequest } from '../requests';
import type {
  WireCheckHealthRequest,
  WireCheckHealthResponse,
  WireCollectMetricsRequest,
  WireCollectMetricsResponse,
} from '../wire';
import type { CallTracker } from './calls';

/** CheckHealth is served only when the handler has one. */
export function diagnosticsService(handler: DiagnosticsHandler, registry: Registry, calls: CallTracker): DiagnosticsServer | Pick<DiagnosticsServer, 'collectMetrics'> {
  const impl = {
    collectMetrics: calls.unary<WireCollectMetricsRequest, WireCollectMetricsResponse>('CollectMetrics', async (wire, ctx) => {
      const text = handler.collectMetrics ? await handler.collectMetrics(readCollectMetricsRequest(wire), ctx) : await registry.metrics();
      return { metrics: { prometheus: Buffer.from(text, 'utf8') } };
    }),
  };
  const checkHealth = handler.checkHealth?.bind(handler);
  if (!checkHealth) return impl;
  return {
    ...impl,
    checkHealth: calls.unary<WireCheckHealthRequest, WireCheckHealthResponse>('CheckHealth', async (wire, ctx) => {
      const result = await checkHealth(readCheckHealthRequest(wire), ctx);
      return {
        status: result.status,
        message: result.message ?? '',
        jsonDetails: result.details === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(result.details), 'utf8'),
      };
    }),
  };
}
