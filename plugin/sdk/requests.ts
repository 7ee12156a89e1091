// Wire requests → the handler types in handlers.ts.
import type { CallResourceRequest, CheckHealthRequest, CollectMetricsRequest, DataQuery, QueryDataRequest, StreamRequest } from './handlers';
import { readPluginContext } from './plugin-context';
import type {
  WireCallResourceRequest,
  WireCheckHealthRequest,
  WireCollectMetricsRequest,
  WireDataQuery,
  WireQueryDataRequest,
  WireStreamRequest,
} from './wire';

const empty = new Uint8Array(0);

function bytes(b: Uint8Array | null | undefined): Uint8Array {
  return b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : empty;
}

export function readQueryDataRequest(wire: WireQueryDataRequest): QueryDataRequest {
  return {
    pluginContext: readPluginContext(wire.pluginContext),
    headers: { ...wire.headers },
    queries: (wire.queries ?? []).map(readDataQuery),
  };
}

function readDataQuery(q: WireDataQuery): DataQuery {
  return {
    refId: q.refId,
    queryType: q.queryType,
    maxDataPoints: Number(q.maxDataPoints || 0),
    intervalMs: Number(q.intervalMS || 0),
    timeRange: { from: new Date(Number(q.timeRange?.fromEpochMS || 0)), to: new Date(Number(q.timeRange?.toEpochMS || 0)) },
    json: bytes(q.json),
  };
}

/** The query model a panel or alert rule sent; {} when there is none. */
export function queryModel<T = Record<string, unknown>>(query: DataQuery): T {
  if (query.json.length === 0) return {} as T;
  return JSON.parse(new TextDecoder().decode(query.json)) as T;
}

export function readCallResourceRequest(wire: WireCallResourceRequest): CallResourceRequest {
  const headers: Record<string, string[]> = {};
  for (const [k, list] of Object.entries(wire.headers ?? {})) headers[k] = [...(list?.values ?? [])];
  return {
    pluginContext: readPluginContext(wire.pluginContext),
    path: wire.path,
    method: wire.method,
    url: wire.url,
    headers,
    body: bytes(wire.body),
  };
}

export function readCheckHealthRequest(wire: WireCheckHealthRequest): CheckHealthRequest {
  return { pluginContext: readPluginContext(wire.pluginContext), headers: { ...wire.headers } };
}

export function readCollectMetricsRequest(wire: WireCollectMetricsRequest): CollectMetricsRequest {
  return { pluginContext: readPluginContext(wire.pluginContext) };
}

export function readStreamRequest(wire: WireStreamRequest): StreamRequest {
  return {
    pluginContext: readPluginContext(wire.pluginContext),
    path: wire.path,
    data: bytes(wire.data),
    headers: { ...wire.headers },
  };
}
