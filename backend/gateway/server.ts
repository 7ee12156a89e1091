// The two agent-facing gRPC listeners: enrollment (server TLS) and the
// gateway (mutual TLS, client certificates from our CA only).
import * as grpc from '@grpc/grpc-js';
import { type AddressInfo, createServer } from 'node:net';
import { splitHostPort } from '../config/env';
import type { Logger } from '../../lib/logger';
import { type AsyncHandlers, guardHandlers } from './guard';
import type { ServerIdentity } from './server-identity';
import { AgentGatewayService, EnrollmentService, type AgentGatewayServer, type EnrollmentServer } from '../../contracts/pb/agent';

function bind(server: grpc.Server, addr: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(addr, creds, (err, port) => (err ? reject(err) : resolve(port))));
}

/**
 * The gateway accepts on its own TCP listener and hands each connection to
 * grpc-js (TLS, HTTP/2 and keepalive stay grpc-js's), because grpc-js listens
 * with Node's default backlog of 511: when thousands of agents reconnect at
 * once, the kernel drops every connect past that while the event loop is busy
 * with handshakes, and each dropped agent waits out TCP's retransmit backoff.
 */
async function listenInjected(server: grpc.Server, addr: string, creds: grpc.ServerCredentials, backlog: number, log: Logger) {
  const injector = server.createConnectionInjector(creds);
  const { host, port } = splitHostPort(addr);
  const listener = createServer((socket) => injector.injectConnection(socket));
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen({ host, port, backlog }, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  listener.on('error', (e) => log.error({ err: e.message }, 'agent gateway listener error'));
  return { port: (listener.address() as AddressInfo).port, close: () => listener.close() };
}

export async function startGrpcServers(opts: {
  /** The CA that signs agents' certificates and the certificate both listeners present, renewed in place. */
  identity: ServerIdentity;
  gatewayAddr: string;
  /** The gateway's listen backlog (DCOC_GRPC_BACKLOG). */
  gatewayBacklog?: number;
  enrollAddr: string;
  gateway: AsyncHandlers<AgentGatewayServer>;
  enrollment: AsyncHandlers<EnrollmentServer>;
  log: Logger;
}) {
  const options = { 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000, 'grpc.keepalive_permit_without_calls': 1 };

  const gateway = new grpc.Server(options);
  gateway.addService(AgentGatewayService, guardHandlers<AgentGatewayServer>(AgentGatewayService, opts.gateway, opts.log));
  const gatewayListener = await listenInjected(
    gateway,
    opts.gatewayAddr,
    grpc.experimental.createCertificateProviderServerCredentials(opts.identity, opts.identity, true),
    opts.gatewayBacklog ?? 4096,
    opts.log,
  );

  const enroll = new grpc.Server();
  enroll.addService(EnrollmentService, guardHandlers<EnrollmentServer>(EnrollmentService, opts.enrollment, opts.log));
  const enrollPort = await bind(enroll, opts.enrollAddr, grpc.experimental.createCertificateProviderServerCredentials(opts.identity, null, false));

  return {
    gatewayPort: gatewayListener.port,
    enrollPort,
    async stop(graceMs = 2000) {
      gatewayListener.close();
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
