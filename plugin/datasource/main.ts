// The gen3-dcoc-datasource backend: QueryData for dashboards and alert rules,
// CheckHealth, Grafana Live events, and its own metrics. Built into
// dist/datasource/gpx_dcoc_datasource_linux_<arch> by scripts/build-plugin-backend.ts.
import { checkHealthAs } from '../control/health-check';
import { IdentityResolver } from '../identity/resolve';
import { createLogger, serve } from '../sdk';
import { resolveDataSourceIdentity } from './identity';
import { queryDataHandler } from './query-data';
import { streamHandler } from './stream';

const resolver = new IdentityResolver();
// Debug lines too: Grafana's own log level decides what it keeps.
const logger = createLogger({ module: 'gen3-dcoc-datasource' });

serve({
  logger,
  data: { queryData: queryDataHandler(resolver) },
  stream: streamHandler(resolver),
  diagnostics: {
    async checkHealth(req, ctx) {
      const r = await resolveDataSourceIdentity(resolver, req.pluginContext, req.headers, ctx.signal, ctx.logger);
      return checkHealthAs(r, req.pluginContext, ctx.signal);
    },
  },
}).catch((err: unknown) => {
  logger.error('plugin failed to start', { error: err });
  process.exit(1);
});
