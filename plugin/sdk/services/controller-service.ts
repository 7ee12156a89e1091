// plugin.GRPCController (hashicorp/go-plugin). Grafana's Kill() calls Shutdown,
// waits up to 2 s for the process to exit, then sends SIGKILL.
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { Empty, GRPCControllerServer } from '../pb/grpc_controller';

export function controllerService(requestShutdown: (reason: string) => void): GRPCControllerServer {
  return {
    shutdown(_call: ServerUnaryCall<Empty, Empty>, callback: sendUnaryData<Empty>) {
      callback(null, {});
      // Answer first; the graceful server shutdown then waits for this reply to flush.
      setImmediate(() => requestShutdown('GRPCController.Shutdown'));
    },
  };
}
