// The DCOC-agnostic Grafana backend plugin SDK: serve() plus the types and
// helpers a plugin needs. Frames live in ./frames.
export { serve, type RunningPlugin, type ServeOptions } from './serve';
export type {
  CallContext,
  CallResourceRequest,
  CallResourceResponse,
  CheckHealthRequest,
  CheckHealthResult,
  CollectMetricsRequest,
  DataHandler,
  DataQuery,
  DataResponse,
  DiagnosticsHandler,
  PluginHandlers,
  QueryDataRequest,
  QueryDataResponse,
  ResourceBody,
  ResourceHandler,
  StreamHandler,
  StreamReply,
  StreamRequest,
  StreamSender,
} from './handlers';
export {
  parseJsonData,
  readPluginContext,
  secureSetting,
  type AppInstanceSettings,
  type DataSourceInstanceSettings,
  type PluginContext,
  type User,
} from './plugin-context';
export { forwardedHeader, resourceHeader, resourceHeaderValues } from './headers';
export { queryModel } from './requests';
export { jsonResponse } from './responses';
export { createLogger, hclogTimestamp, type LogFields, type Logger, type LoggerOptions, type LogLevel } from './logger';
export { checkHandshakeEnv, handshakeLine } from './handshake';
export * from './frames';
