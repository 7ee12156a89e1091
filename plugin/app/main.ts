// The gen3-dcoc-app backend: the resources the app's pages call, and a health
// check of the connection to the control service. Built into
// dist/gpx_dcoc_app_linux_<arch> by scripts/build-plugin-backend.ts.
import { checkHealthAs } from '../control/health-check';
import { IdentityResolver } from '../identity/resolve';
import { createLogger, forwardedHeader, serve } from '../sdk';
import { resourceHandler } from './resources';

const resolver = new IdentityResolver();
// Debug lines too: Grafana's own log level decides what it keeps.
const logger = createLogger({ module: 'gen3-dcoc-app' });

serve({
  logger,
  resource: { callResource: resourceHandler(resolver) },
  diagnostics: {
    async checkHealth(req, ctx) {
      const r = await resolver.resolve({
        pluginContext: req.pluginContext,
        idToken: forwardedHeader(req.headers, 'X-Grafana-Id'),
        signal: ctx.signal,
        logger: ctx.logger,
      });
      return checkHealthAs(r, req.pluginContext, ctx.signal);
    },
  },
}).catch((err: unknown) => {
  logger.error('plugin failed to start', { error: err });
  process.exit(1);
});
