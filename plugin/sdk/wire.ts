// pluginv2, health and controller messages as they cross the wire, under
// names that keep them apart from the friendlier handler types (requests.ts
// turns one into the other). Generated from proto/*.proto into pb/ by
// `npm run gen:proto`: int64 as decimal strings, bytes as Buffer, enums by
// name, absent messages null or undefined. Shared by the SDK and by the test
// harness that plays Grafana.
export type {
  AppInstanceSettings as WireAppInstanceSettings,
  CallResourceRequest as WireCallResourceRequest,
  CallResourceResponse as WireCallResourceResponse,
  CheckHealthRequest as WireCheckHealthRequest,
  CheckHealthResponse as WireCheckHealthResponse,
  CheckHealthResponse_HealthStatus as WireHealthStatus,
  CollectMetricsRequest as WireCollectMetricsRequest,
  CollectMetricsResponse as WireCollectMetricsResponse,
  DataFrameFormat as WireDataFrameFormat,
  DataQuery as WireDataQuery,
  DataResponse as WireDataResponse,
  DataSourceInstanceSettings as WireDataSourceInstanceSettings,
  PluginContext as WirePluginContext,
  QueryDataRequest as WireQueryDataRequest,
  QueryDataResponse as WireQueryDataResponse,
  StreamPacket as WireStreamPacket,
  StringList as WireStringList,
  TimeRange as WireTimeRange,
  User as WireUser,
} from './pb/backend';
export type {
  HealthCheckRequest as WireHealthCheckRequest,
  HealthCheckResponse as WireHealthCheckResponse,
  HealthCheckResponse_ServingStatus as WireServingStatus,
} from './pb/health';
import type { SubscribeStreamRequest, SubscribeStreamResponse } from './pb/backend';

/** int64 as the generated code carries it: decimal text, no loss above 2^53. */
export type Int64String = string;

/** SubscribeStreamRequest, PublishStreamRequest and RunStreamRequest have the same fields. */
export type WireStreamRequest = SubscribeStreamRequest;
/** SubscribeStreamResponse and PublishStreamResponse have the same fields (and status names). */
export type WireStreamResponse = SubscribeStreamResponse;
export type WireStreamStatus = SubscribeStreamResponse['status'];
