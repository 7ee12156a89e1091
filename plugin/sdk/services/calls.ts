// Plumbing shared by the pluginv2 services: a cancellation signal per call,
// aborting every open call at shutdown, handler errors → gRPC status, and
// writes that respect back-pressure.
import { status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import type { CallContext } from '../handlers';
import type { Logger } from '../logger';

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

export class CallTracker {
  private readonly open = new Set<AbortController>();

  constructor(private readonly logger: Logger) {}

  /** A context whose signal aborts when the client cancels this call or the plugin shuts down. */
  contextFor(call: AnyCall, method: string): { ctx: CallContext; done: () => void } {
    const controller = new AbortController();
    const onCancel = () => controller.abort(new Error('call cancelled by the client'));
    call.on('cancelled', onCancel);
    this.open.add(controller);
    return {
      ctx: { signal: controller.signal, logger: this.logger.with({ method }) },
      done: () => {
        call.off('cancelled', onCancel);
        this.open.delete(controller);
      },
    };
  }

  abortAll(reason: string): void {
    for (const c of this.open) c.abort(new Error(reason));
  }

  /** Runs a unary handler; a throw becomes gRPC UNKNOWN with the message, as a Go plugin's returned error does. */
  unary<Req, Res>(method: string, run: (request: Req, ctx: CallContext) => Promise<Res>) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      const { ctx, done } = this.contextFor(call as AnyCall, method);
      run(call.request, ctx).then(
        (response) => {
          done();
          callback(null, response);
        },
        (err: unknown) => {
          done();
          this.logger.error('handler failed', { method, error: err });
          callback({ code: status.UNKNOWN, details: messageOf(err) });
        },
      );
    };
  }

  /** Runs a server-streaming handler, ending the stream when it returns and with a status when it throws. */
  serverStream<Req, Res>(method: string, run: (call: ServerWritableStream<Req, Res>, ctx: CallContext) => Promise<void>) {
    return (call: ServerWritableStream<Req, Res>): void => {
      const { ctx, done } = this.contextFor(call as AnyCall, method);
      run(call, ctx).then(
        () => {
          done();
          if (!call.cancelled) call.end();
        },
        (err: unknown) => {
          done();
          if (call.cancelled || ctx.signal.aborted) {
            this.logger.debug('stream ended by cancellation', { method });
            if (!call.cancelled) call.emit('error', { code: status.CANCELLED, details: messageOf(ctx.signal.reason) });
            return;
          }
          this.logger.error('handler failed', { method, error: err });
          call.emit('error', { code: status.UNKNOWN, details: messageOf(err) });
        },
      );
    };
  }
}

/** Writes one message, waiting for 'drain' when the transport is full; rejects once the call is cancelled. */
export function writeMessage<Res>(call: ServerWritableStream<unknown, Res>, message: Res, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('call aborted'));
  if (call.write(message)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      call.off('drain', onDrain);
      reject(signal.reason instanceof Error ? signal.reason : new Error('call aborted'));
    };
    call.once('drain', onDrain);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
