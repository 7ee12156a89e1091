// pluginv2.Data: QueryData. Frames leave as Arrow IPC files with format ARROW,
// which every Grafana version decodes whatever format it asked for.
// QueryChunkedData is not implemented: Grafana then falls back to QueryData.
import { toArrow } from '../frames/to-arrow';
import type { DataHandler, DataResponse } from '../handlers';
import type { Logger } from '../logger';
import type { DataServer } from '../pb/backend';
import { readQueryDataRequest } from '../requests';
import type { WireDataResponse, WireQueryDataRequest, WireQueryDataResponse } from '../wire';
import { messageOf, type CallTracker } from './calls';

/** QueryChunkedData is left out: grpc-js answers it UNIMPLEMENTED. */
export function dataService(handler: DataHandler, calls: CallTracker, logger: Logger): Pick<DataServer, 'queryData'> {
  return {
    queryData: calls.unary<WireQueryDataRequest, WireQueryDataResponse>('QueryData', async (wire, ctx) => {
      const response = await handler.queryData(readQueryDataRequest(wire), ctx);
      const responses: Record<string, WireDataResponse> = {};
      for (const [refId, r] of Object.entries(response.responses)) responses[refId] = encodeDataResponse(refId, r, logger);
      return { responses };
    }),
  };
}

function encodeDataResponse(refId: string, r: DataResponse, logger: Logger): WireDataResponse {
  try {
    const frames = (r.frames ?? []).map((f) => Buffer.from(f instanceof Uint8Array ? f : toArrow({ ...f, refId: f.refId || refId })));
    return {
      frames,
      error: r.error ?? '',
      // Grafana maps status 0 to 500, so always set it.
      status: r.status ?? (r.error ? 500 : 200),
      errorSource: r.errorSource ?? '',
      format: 'ARROW',
      jsonMeta: Buffer.alloc(0),
    };
  } catch (err) {
    // A frame that cannot be encoded fails its own query, not the whole request.
    logger.error('cannot encode frames', { refId, error: err });
    return { frames: [], error: `cannot encode frames: ${messageOf(err)}`, status: 500, errorSource: 'plugin', format: 'ARROW', jsonMeta: Buffer.alloc(0) };
  }
}
