// serve(): runs a Grafana backend plugin process. Checks it was started by
// Grafana, listens on an ephemeral loopback port, prints the go-plugin
// handshake, serves the pluginv2 services the plugin implements plus health
// and shutdown, and exits when Grafana asks (GRPCController.Shutdown, SIGTERM).
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { routeConsoleToLogger } from './console-guard';
import type { PluginHandlers } from './handlers';
import { checkHandshakeEnv, handshakeLine } from './handshake';
import { createLogger, type Logger } from './logger';
import { pluginRegistry } from './metrics';
import { DataService, DiagnosticsService, ResourceService, StreamService } from './pb/backend';
import { GRPCControllerService } from './pb/grpc_controller';
import { HealthService } from './pb/health';
import { CallTracker } from './services/calls';
import { controllerService } from './services/controller-service';
import { dataService } from './services/data-service';
import { diagnosticsService } from './services/diagnostics-service';
import { HealthStatuses, healthService } from './services/health-service';
import { resourceService } from './services/resource-service';
import { streamService } from './services/stream-service';

export interface ServeOptions extends PluginHandlers {
  /** Default: hclog JSON on stderr, module "plugin". */
  logger?: Logger;
  /** Registry for CollectMetrics; default prom-client's global registry. */
  metricsRegistry?: Registry;
  /** Add process and Node.js metrics to that registry; default true. */
  defaultMetrics?: boolean;
  /** Largest request accepted; default 16 MiB like the Go SDK (grpc-js alone allows 4 MiB). */
  maxReceiveMessageLength?: number;
  /** Called once when shutting down, before the server closes; bounded by the 2 s Grafana allows. */
  onShutdown?: () => Promise<void> | void;
}

export interface RunningPlugin {
  host: string;
  port: number;
  logger: Logger;
  /** Stops serving and exits the process. */
  shutdown(reason: string): Promise<void>;
}

/** Loopback only: Grafana runs on the same host, and nobody else should reach the plugin. */
const listenHost = '127.0.0.1';
/** Grafana SIGKILLs 2 s after asking for shutdown; be gone well before. */
const exitDeadlineMs = 1500;
const gracefulCloseMs = 500;

export async function serve(options: ServeOptions): Promise<RunningPlugin> {
  const logger = options.logger ?? createLogger();
  const check = checkHandshakeEnv(process.env);
  if (!check.ok) {
    process.stderr.write(check.message + '\n');
    process.exit(1);
  }
  routeConsoleToLogger(logger);

  const calls = new CallTracker(logger);
  const health = new HealthStatuses({ '': 'SERVING', plugin: 'SERVING' });
  const server = new Server({ 'grpc.max_receive_message_length': options.maxReceiveMessageLength ?? 16 * 1024 * 1024 });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= stop(reason);
    return stopping;
  };
  const stop = async (reason: string): Promise<void> => {
    logger.info('plugin shutting down', { reason });
    setTimeout(() => process.exit(0), exitDeadlineMs).unref();
    health.setAll('NOT_SERVING');
    calls.abortAll(`plugin shutting down (${reason})`);
    try {
      await options.onShutdown?.();
    } catch (err) {
      logger.error('onShutdown failed', { error: err });
    }
    await closeServer(server);
    process.exit(0);
  };

  server.addService(HealthService, healthService(health));
  server.addService(GRPCControllerService, controllerService((reason) => void shutdown(reason)));
  // Every pluginv2 service is registered; methods the plugin lacks answer UNIMPLEMENTED.
  server.addService(DataService, options.data ? dataService(options.data, calls, logger) : {});
  server.addService(ResourceService, options.resource ? resourceService(options.resource, calls) : {});
  server.addService(StreamService, options.stream ? streamService(options.stream, calls) : {});
  const registry = pluginRegistry(options.metricsRegistry, options.defaultMetrics ?? true);
  server.addService(DiagnosticsService, diagnosticsService(options.diagnostics ?? {}, registry, calls));

  // Like go-plugin servers: Ctrl-C in Grafana's terminal must not kill the plugin before Grafana stops it.
  process.on('SIGINT', () => logger.debug('plugin received interrupt signal, ignoring'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('uncaughtException', (err) => {
    logger.error('uncaught exception', { error: err });
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.error('unhandled promise rejection', { error: err });
    process.exit(1);
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${listenHost}:0`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });

  process.stdout.write(handshakeLine(listenHost, port));
  logger.debug('plugin serving', { address: `${listenHost}:${port}`, pid: process.pid });
  return { host: listenHost, port, logger, shutdown };
}

/** Lets in-flight replies (such as the Shutdown answer) finish, then cuts what is left. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, gracefulCloseMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
