// plugin.GRPCController (hashicorp/go-plugin). Grafana's Kill() calls Shutdown,
// waits up to 2 s for the process to exit, then sends SIGKILL.
import type { ServerUnaryCall, UntypedServiceImplementation, sendUnaryData } from '@grpc/grpc-js';

type Empty = Record<string, never>;

export function controllerService(requestShutdown: (reason: string) => void): UntypedServiceImplementation {
  return {
    Shutdown(_call: ServerUnaryCall<Empty, Empty>, callback: sendUnaryData<Empty>) {
      callback(null, {});
      // Answer first; the graceful server shutdown then waits for this reply to flush.
      setImmediate(() => requestShutdown('GRPCController.Shutdown'));
    },
  };
}
