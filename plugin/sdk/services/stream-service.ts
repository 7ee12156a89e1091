// pluginv2.Stream: Grafana Live channels served by the plugin
// (plugin/<pluginId>/<path>). RunStream lives while the channel has subscribers.
import { frameToJson } from '../frames/frame-json';
import type { StreamHandler, StreamReply, StreamSender } from '../handlers';
import type { StreamServer } from '../pb/backend';
import { readStreamRequest } from '../requests';
import type { WireStreamPacket, WireStreamRequest, WireStreamResponse } from '../wire';
import { writeMessage, type CallTracker } from './calls';

/** PublishStream is served only when the handler has one. */
export function streamService(handler: StreamHandler, calls: CallTracker): StreamServer | Pick<StreamServer, 'subscribeStream' | 'runStream'> {
  const impl = {
    subscribeStream: calls.unary<WireStreamRequest, WireStreamResponse>('SubscribeStream', async (wire, ctx) =>
      encodeReply(await handler.subscribeStream(readStreamRequest(wire), ctx)),
    ),
    runStream: calls.serverStream<WireStreamRequest, WireStreamPacket>('RunStream', async (call, ctx) => {
      const send = (json: string) => writeMessage(call, { data: Buffer.from(json, 'utf8') }, ctx.signal);
      const sender: StreamSender = {
        sendJson: (value) => send(JSON.stringify(value)),
        sendFrame: (frame) => send(frameToJson(frame)),
      };
      await handler.runStream(readStreamRequest(call.request), sender, ctx);
    }),
  };
  const publish = handler.publishStream?.bind(handler);
  if (!publish) return impl;
  return {
    ...impl,
    publishStream: calls.unary<WireStreamRequest, WireStreamResponse>('PublishStream', async (wire, ctx) =>
      encodeReply(await publish(readStreamRequest(wire), ctx)),
    ),
  };
}

function encodeReply(reply: StreamReply): WireStreamResponse {
  return {
    status: reply.status,
    data: reply.data === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(reply.data), 'utf8'),
  };
}
