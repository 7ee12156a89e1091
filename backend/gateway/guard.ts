// No gRPC handler may take the control service down: a handler that throws
// or rejects answers its caller INTERNAL (a unary call) or ends its stream
// with INTERNAL, and is logged; nothing reaches Node's unhandled-rejection
// exit. Applied to every handler of both agent-facing services.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../lib/logger';

type Handler = (...args: unknown[]) => unknown;

function fail(call: unknown, callback: unknown, e: unknown, method: string, log: Logger): void {
  log.error({ method, err: (e as Error)?.message ?? String(e) }, 'gRPC handler failed');
  const status = { code: grpc.status.INTERNAL, details: `the control service failed handling ${method}; retry, and if it persists see the control service's log` };
  if (typeof callback === 'function') {
    try {
      (callback as grpc.sendUnaryData<unknown>)(status);
    } catch {
      // Already answered: nothing more to tell the caller.
    }
  } else {
    (call as grpc.ServerDuplexStream<unknown, unknown>).destroy?.(Object.assign(new Error(status.details), status));
  }
}

/** The method as the .proto names it (Enroll), from its path; the generated keys are camelCase (enroll). */
function methodName(service: grpc.ServiceDefinition, key: string): string {
  return service[key]?.path.split('/').pop() || key;
}

/** A service's handlers as written: each may be async, which grpc-js would not await; guardHandlers makes them what grpc-js calls. */
export type AsyncHandlers<Impl> = { [K in keyof Impl]: Impl[K] extends (...args: infer A) => void ? (...args: A) => void | Promise<void> : Impl[K] };

export function guardHandlers<Impl extends grpc.UntypedServiceImplementation>(service: grpc.ServiceDefinition, impl: AsyncHandlers<Impl>, log: Logger): Impl {
  return Object.fromEntries(
    Object.entries(impl).map(([key, handler]) => {
      const method = methodName(service, key);
      return [
        key,
        (call: unknown, callback?: unknown) => {
          try {
            const out = (handler as Handler)(call, callback);
            if (out && typeof (out as Promise<unknown>).then === 'function') (out as Promise<unknown>).catch((e) => fail(call, callback, e, method, log));
          } catch (e) {
            fail(call, callback, e, method, log);
          }
        },
      ];
    }),
  ) as Impl;
}
