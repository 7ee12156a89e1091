// gRPC clients for the agent protocol (the one .proto in contracts/).
import * as grpc from '@grpc/grpc-js';
import { AgentGatewayService, EnrollmentService } from '../../lib/agent-proto';

export type { AgentMessage, ControlMessage, CommandUpdateMsg, CronJobListMsg, ServiceStateMsg } from '../../contracts/agent-messages';

export interface TlsIdentity {
  caPem: string;
  keyPem: string;
  certPem: string;
}

/** Hostname:port the certificate must match; grpc-js checks it against the server certificate's SANs. */
export function enrollmentClient(address: string, caPem: string): grpc.Client {
  return new EnrollmentService(address, grpc.credentials.createSsl(Buffer.from(caPem)));
}

export function gatewayClient(address: string, id: TlsIdentity): grpc.Client {
  return new AgentGatewayService(
    address,
    grpc.credentials.createSsl(Buffer.from(id.caPem), Buffer.from(id.keyPem), Buffer.from(id.certPem)),
    { 'grpc.keepalive_time_ms': 20_000, 'grpc.keepalive_timeout_ms': 10_000, 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 10_000 },
  );
}

export function unary<Req, Res>(client: grpc.Client, method: string, req: Req, deadlineMs = 10_000): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, (r: Req, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Res) => void) => void>)[method];
    fn.call(client, req, { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}
