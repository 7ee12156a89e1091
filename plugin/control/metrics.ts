// The plugin's own metrics about its calls to the control service, in the
// registry CollectMetrics serves (prom-client's global one).
import { Counter, Histogram } from 'prom-client';

export const controlRequests = new Counter({
  name: 'dcoc_plugin_control_requests_total',
  help: 'Requests from the plugin to the DCOC control service, by route and status ("error" when unreachable).',
  labelNames: ['route', 'status'] as const,
});

export const controlRequestSeconds = new Histogram({
  name: 'dcoc_plugin_control_request_duration_seconds',
  help: 'Time to the response headers of requests from the plugin to the DCOC control service.',
  labelNames: ['route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const eventStreamReconnects = new Counter({
  name: 'dcoc_plugin_event_stream_reconnects_total',
  help: 'Reconnections of the relay from the control service event stream to Grafana Live.',
});
