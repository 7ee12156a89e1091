// pluginv2.Resource: CallResource, a server stream. Grafana takes status and
// headers from the first message only; every message's body is appended and
// flushed to the HTTP client.
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { CallResourceResponse, ResourceHandler } from '../handlers';
import type { ResourceServer } from '../pb/backend';
import { readCallResourceRequest } from '../requests';
import type { WireCallResourceRequest, WireCallResourceResponse, WireStringList } from '../wire';
import { writeMessage, type CallTracker } from './calls';

/** Large bodies go out in pieces of this size, well under any gRPC message limit. */
export const resourceChunkBytes = 1 << 20;

const utf8 = new TextEncoder();

export function resourceService(handler: ResourceHandler, calls: CallTracker): ResourceServer {
  return {
    callResource: calls.serverStream<WireCallResourceRequest, WireCallResourceResponse>('CallResource', async (call, ctx) => {
      const response = await handler.callResource(readCallResourceRequest(call.request), ctx);
      await sendResourceResponse(call, response, ctx.signal);
    }),
  };
}

async function sendResourceResponse(
  call: ServerWritableStream<WireCallResourceRequest, WireCallResourceResponse>,
  response: CallResourceResponse,
  signal: AbortSignal,
): Promise<void> {
  const headers: Record<string, WireStringList> = {};
  for (const [k, v] of Object.entries(response.headers ?? {})) headers[k] = { values: Array.isArray(v) ? v : [v] };
  const body = response.body;
  const first = (chunk: Uint8Array): WireCallResourceResponse => ({ code: response.status, headers, body: asBuffer(chunk) });
  const next = (chunk: Uint8Array): WireCallResourceResponse => ({ code: 0, headers: {}, body: asBuffer(chunk) });

  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? utf8.encode(body) : (body ?? new Uint8Array(0));
    await writeMessage(call, first(bytes.subarray(0, resourceChunkBytes)), signal);
    for (let at = resourceChunkBytes; at < bytes.length; at += resourceChunkBytes) {
      await writeMessage(call, next(bytes.subarray(at, at + resourceChunkBytes)), signal);
    }
    return;
  }
  // A streamed body: status and headers go out at once, chunks as they are produced.
  await writeMessage(call, first(new Uint8Array(0)), signal);
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? utf8.encode(chunk) : chunk;
    for (let at = 0; at < bytes.length; at += resourceChunkBytes) {
      await writeMessage(call, next(bytes.subarray(at, at + resourceChunkBytes)), signal);
    }
  }
}

/** The same bytes as a Buffer (the generated type for bytes), without copying. */
function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
