// The two agent-facing gRPC listeners: enrollment (server TLS) and the
// gateway (mutual TLS, client certificates from our CA only).
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../lib/logger';
import { type AsyncHandlers, guardHandlers } from './guard';
import { AgentGatewayService, EnrollmentService, type AgentGatewayServer, type EnrollmentServer } from '../../contracts/pb/agent';

export interface TlsMaterial {
  caPem: string;
  keyPem: string;
  certPem: string;
}

function bind(server: grpc.Server, addr: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(addr, creds, (err, port) => (err ? reject(err) : resolve(port))));
}

export async function startGrpcServers(opts: {
  tls: TlsMaterial;
  gatewayAddr: string;
  enrollAddr: string;
  gateway: AsyncHandlers<AgentGatewayServer>;
  enrollment: AsyncHandlers<EnrollmentServer>;
  log: Logger;
}) {
  const keyCert = [{ private_key: Buffer.from(opts.tls.keyPem), cert_chain: Buffer.from(opts.tls.certPem) }];
  const options = { 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000, 'grpc.keepalive_permit_without_calls': 1 };

  const gateway = new grpc.Server(options);
  gateway.addService(AgentGatewayService, guardHandlers<AgentGatewayServer>(AgentGatewayService, opts.gateway, opts.log));
  const gatewayPort = await bind(gateway, opts.gatewayAddr, grpc.ServerCredentials.createSsl(Buffer.from(opts.tls.caPem), keyCert, true));

  const enroll = new grpc.Server();
  enroll.addService(EnrollmentService, guardHandlers<EnrollmentServer>(EnrollmentService, opts.enrollment, opts.log));
  const enrollPort = await bind(enroll, opts.enrollAddr, grpc.ServerCredentials.createSsl(null, keyCert, false));

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
