// What a plugin implements: one handler group per pluginv2 service, in plain
// TypeScript types (the SDK converts to and from the wire messages).
import type { Frame } from './frames/frame';
import type { Logger } from './logger';
import type { PluginContext } from './plugin-context';

/** Per-call context: cancelled when Grafana cancels the call or the plugin shuts down. */
export interface CallContext {
  signal: AbortSignal;
  logger: Logger;
}

// ------------------------------------------------------------------ Data

export interface DataQuery {
  refId: string;
  queryType: string;
  maxDataPoints: number;
  intervalMs: number;
  timeRange: { from: Date; to: Date };
  /** The query model from the frontend, as raw JSON bytes (see queryModel). */
  json: Uint8Array;
}

export interface QueryDataRequest {
  pluginContext: PluginContext;
  /** Forwarded HTTP headers as `http_<Name>` keys; see forwardedHeader. */
  headers: Record<string, string>;
  queries: DataQuery[];
}

export interface DataResponse {
  /** Frames, or frames already encoded with toArrow. A frame without refId gets the query's. */
  frames?: (Frame | Uint8Array)[];
  error?: string;
  /** HTTP-style status; default 200, or 500 when `error` is set. */
  status?: number;
  errorSource?: 'plugin' | 'downstream';
}

export interface QueryDataResponse {
  /** Keyed by refId. */
  responses: Record<string, DataResponse>;
}

export interface DataHandler {
  queryData(request: QueryDataRequest, ctx: CallContext): Promise<QueryDataResponse> | QueryDataResponse;
}

// ------------------------------------------------------------------ Resource

export interface CallResourceRequest {
  pluginContext: PluginContext;
  /** Path below …/resources/, without a leading slash. */
  path: string;
  method: string;
  /** The path with the query string. */
  url: string;
  /** Incoming HTTP headers, each with all its values; see resourceHeader. */
  headers: Record<string, string[]>;
  body: Uint8Array;
}

export type ResourceBody = Uint8Array | string | AsyncIterable<Uint8Array | string>;

export interface CallResourceResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  /** A whole body, or chunks that Grafana flushes to the client as they come. */
  body?: ResourceBody;
}

export interface ResourceHandler {
  callResource(request: CallResourceRequest, ctx: CallContext): Promise<CallResourceResponse> | CallResourceResponse;
}

// ------------------------------------------------------------------ Diagnostics

export interface CheckHealthRequest {
  pluginContext: PluginContext;
  headers: Record<string, string>;
}

export interface CheckHealthResult {
  status: 'OK' | 'ERROR' | 'UNKNOWN';
  message?: string;
  /** Sent as JSON in jsonDetails. */
  details?: unknown;
}

export interface CollectMetricsRequest {
  pluginContext: PluginContext;
}

export interface DiagnosticsHandler {
  checkHealth?(request: CheckHealthRequest, ctx: CallContext): Promise<CheckHealthResult> | CheckHealthResult;
  /** Prometheus text exposition. Default: the prom-client registry given to serve(). */
  collectMetrics?(request: CollectMetricsRequest, ctx: CallContext): Promise<string> | string;
}

// ------------------------------------------------------------------ Stream (Grafana Live)

export interface StreamRequest {
  pluginContext: PluginContext;
  path: string;
  data: Uint8Array;
  headers: Record<string, string>;
}

export interface StreamReply {
  status: 'OK' | 'NOT_FOUND' | 'PERMISSION_DENIED';
  /** Sent as JSON. For SubscribeStream, the initial data of the channel. */
  data?: unknown;
}

export interface StreamSender {
  /** Sends one packet with `value` as JSON; resolves once the transport accepts more. */
  sendJson(value: unknown): Promise<void>;
  /** Sends one packet whose data is a frame in Grafana's JSON frame form. */
  sendFrame(frame: Frame): Promise<void>;
}

export interface StreamHandler {
  subscribeStream(request: StreamRequest, ctx: CallContext): Promise<StreamReply> | StreamReply;
  /** Runs until the stream ends or ctx.signal aborts (last subscriber gone, or shutdown). */
  runStream(request: StreamRequest, sender: StreamSender, ctx: CallContext): Promise<void>;
  publishStream?(request: StreamRequest, ctx: CallContext): Promise<StreamReply> | StreamReply;
}

// ------------------------------------------------------------------ serve()

export interface PluginHandlers {
  data?: DataHandler;
  resource?: ResourceHandler;
  diagnostics?: DiagnosticsHandler;
  stream?: StreamHandler;
}
