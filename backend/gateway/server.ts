// The two agent-facing gRPC listeners: enrollment (server TLS) and the
// gateway (mutual TLS, client certificates from our CA only).
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../lib/logger';
import { type AsyncHandlers, guardHandlers } from './guard';
import type { ServerIdentity } from './server-identity';
import { AgentGatewayService, EnrollmentService, type AgentGatewayServer, type EnrollmentServer } from '../../contracts/pb/agent';

function bind(server: grpc.Server, addr: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(addr, creds, (err, port) => (err ? reject(err) : resolve(port))));
}

export async function startGrpcServers(opts: {
  /** The CA that signs agents' certificates and the certificate both listeners present, renewed in place. */
  identity: ServerIdentity;
  gatewayAddr: string;
  enrollAddr: string;
  gateway: AsyncHandlers<AgentGatewayServer>;
  enrollment: AsyncHandlers<EnrollmentServer>;
  log: Logger;
}) {
  const options = { 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000, 'grpc.keepalive_permit_without_calls': 1 };

  const gateway = new grpc.Server(options);
  gateway.addService(AgentGatewayService, guardHandlers<AgentGatewayServer>(AgentGatewayService, opts.gateway, opts.log));
  const gatewayPort = await bind(gateway, opts.gatewayAddr, grpc.experimental.createCertificateProviderServerCredentials(opts.identity, opts.identity, true));

  const enroll = new grpc.Server();
  enroll.addService(EnrollmentService, guardHandlers<EnrollmentServer>(EnrollmentService, opts.enrollment, opts.log));
  const enrollPort = await bind(enroll, opts.enrollAddr, grpc.experimental.createCertificateProviderServerCredentials(opts.identity, null, false));

  return {
    gatewayPort,
    enrollPort,
    async stop(graceMs = 2000) {
      await Promise.all(
        [gateway, enroll].map(
          (s) =>
            new Promise<void>((resolve) => {
              const t = setTimeout(() => {
                s.forceShutdown();
                resolve();
              }, graceMs);
              s.tryShutdown(() => {
                clearTimeout(t);
                resolve();
              });
            }),
        ),
      );
    },
  };
}
