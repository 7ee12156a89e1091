// pluginv2 messages as @grpc/proto-loader hands them over with the options in
// proto-options.ts: int64 as decimal strings, bytes as Buffer, enums by name,
// absent messages as null. Shared by the SDK and by the test harness that plays
// Grafana. Handlers never see these: request.ts turns them into friendlier types.

export type Int64String = string;

export interface WireUser {
  login: string;
  name: string;
  email: string;
  role: string;
}

export interface WireAppInstanceSettings {
  jsonData: Buffer;
  decryptedSecureJsonData: Record<string, string>;
  lastUpdatedMS: Int64String;
  apiVersion: string;
}

export interface WireDataSourceInstanceSettings {
  id: Int64String;
  name: string;
  url: string;
  user: string;
  database: string;
  basicAuthEnabled: boolean;
  basicAuthUser: string;
  jsonData: Buffer;
  decryptedSecureJsonData: Record<string, string>;
  lastUpdatedMS: Int64String;
  uid: string;
  apiVersion: string;
}

export interface WirePluginContext {
  orgId: Int64String;
  pluginId: string;
  user: WireUser | null;
  appInstanceSettings: WireAppInstanceSettings | null;
  dataSourceInstanceSettings: WireDataSourceInstanceSettings | null;
  grafanaConfig: Record<string, string>;
  pluginVersion: string;
  userAgent: string;
  apiVersion: string;
  namespace: string;
}

export interface WireStringList {
  values: string[];
}

export interface WireCallResourceRequest {
  pluginContext: WirePluginContext | null;
  path: string;
  method: string;
  url: string;
  headers: Record<string, WireStringList>;
  body: Buffer;
}

export interface WireCallResourceResponse {
  code: number;
  headers: Record<string, WireStringList>;
  body: Buffer | Uint8Array;
}

export type WireDataFrameFormat = 'ARROW' | 'JSON';

export interface WireTimeRange {
  fromEpochMS: Int64String;
  toEpochMS: Int64String;
}

export interface WireDataQuery {
  refId: string;
  maxDataPoints: Int64String;
  intervalMS: Int64String;
  timeRange: WireTimeRange | null;
  json: Buffer;
  queryType: string;
}

export interface WireQueryDataRequest {
  pluginContext: WirePluginContext | null;
  headers: Record<string, string>;
  queries: WireDataQuery[];
  format: WireDataFrameFormat;
}

export interface WireDataResponse {
  frames: (Buffer | Uint8Array)[];
  error: string;
  jsonMeta?: Buffer | Uint8Array;
  status: number;
  errorSource: string;
  format: WireDataFrameFormat;
}

export interface WireQueryDataResponse {
  responses: Record<string, WireDataResponse>;
}

export interface WireCheckHealthRequest {
  pluginContext: WirePluginContext | null;
  headers: Record<string, string>;
}

export type WireHealthStatus = 'UNKNOWN' | 'OK' | 'ERROR';

export interface WireCheckHealthResponse {
  status: WireHealthStatus;
  message: string;
  jsonDetails: Buffer | Uint8Array;
}

export interface WireCollectMetricsRequest {
  pluginContext: WirePluginContext | null;
}

export interface WireCollectMetricsResponse {
  metrics: { prometheus: Buffer | Uint8Array } | null;
}

/** SubscribeStreamRequest, PublishStreamRequest and RunStreamRequest share this shape. */
export interface WireStreamRequest {
  pluginContext: WirePluginContext | null;
  path: string;
  data: Buffer;
  headers: Record<string, string>;
}

export type WireStreamStatus = 'OK' | 'NOT_FOUND' | 'PERMISSION_DENIED';

/** SubscribeStreamResponse and PublishStreamResponse share this shape. */
export interface WireStreamResponse {
  status: WireStreamStatus;
  data: Buffer | Uint8Array;
}

export interface WireStreamPacket {
  data: Buffer | Uint8Array;
}

export type WireServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export interface WireHealthCheckRequest {
  service: string;
}

export interface WireHealthCheckResponse {
  status: WireServingStatus;
}
