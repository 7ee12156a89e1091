// gRPC clients for the agent protocol, generated from contracts/agent.proto
// (contracts/pb/agent.ts).
import * as grpc from '@grpc/grpc-js';
import type * as pb from '../../contracts/pb/agent';
import { AgentGatewayClient, EnrollmentClient } from '../../contracts/pb/agent';

export type { ControlMessage, CommandUpdateMsg, CronJobListMsg, ServiceStateMsg } from '../../contracts/agent-messages';

/** What the agent hands its connection; the connection numbers each message (seq). */
export type AgentMessage = Omit<pb.AgentMessage, 'seq'>;

export interface TlsIdentity {
  caPem: string;
  keyPem: string;
  certPem: string;
}

/** Hostname:port the certificate must match; grpc-js checks it against the server certificate's SANs. */
export function enrollmentClient(address: string, caPem: string): EnrollmentClient {
  return new EnrollmentClient(address, grpc.credentials.createSsl(Buffer.from(caPem)));
}

export function gatewayClient(address: string, id: TlsIdentity): AgentGatewayClient {
  return new AgentGatewayClient(
    address,
    grpc.credentials.createSsl(Buffer.from(id.caPem), Buffer.from(id.keyPem), Buffer.from(id.certPem)),
    { 'grpc.keepalive_time_ms': 20_000, 'grpc.keepalive_timeout_ms': 10_000, 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 10_000 },
  );
}

/** The generated client signature of a unary method that takes call options. */
type UnaryFn<Req, Res> = (req: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: (err: grpc.ServiceError | null, res: Res) => void) => grpc.ClientUnaryCall;
type UnaryMethod<C> = { [K in keyof C]: C[K] extends UnaryFn<never, unknown> ? K : never }[keyof C];
type RequestOf<F> = F extends UnaryFn<infer Req, unknown> ? Req : never;
type ResponseOf<F> = F extends UnaryFn<never, infer Res> ? Res : never;

/** One unary call with a deadline, as a promise: unary(client, 'enroll', request). */
export function unary<C extends grpc.Client, M extends UnaryMethod<C>>(client: C, method: M, req: RequestOf<C[M]>, deadlineMs = 10_000): Promise<ResponseOf<C[M]>> {
  const fn = client[method] as UnaryFn<RequestOf<C[M]>, ResponseOf<C[M]>>;
  return new Promise((resolve, reject) => {
    fn.call(client, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}
