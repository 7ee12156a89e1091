// The bench's baselines: a gRPC server with the same proto and TLS that
// receives the agent stream and does nothing but count messages. With
// BENCH_CA it asks for and verifies client certificates as the gateway does
// (mutual TLS), and with BENCH_WELCOME it answers each hello with a welcome
// naming the control service's intervals, so the load generator's agents send
// their usual traffic: the transport's own cost, under the control service's.
import * as grpc from '@grpc/grpc-js';
import { AgentGatewayService, type AgentMessage, type ControlMessage } from '../../contracts/pb/agent';

const [keyPem, certPem, caPem] = [process.env.BENCH_KEY!, process.env.BENCH_CERT!, process.env.BENCH_CA];
const welcome = process.env.BENCH_WELCOME === '1';
let samples = 0;
let messages = 0;
let streams = 0;
const server = new grpc.Server();
server.addService(AgentGatewayService, {
  connect(call: grpc.ServerDuplexStream<AgentMessage, ControlMessage>) {
    streams++;
    call.on('data', (m: AgentMessage) => {
      messages += 1;
      samples += m.metrics?.samples.length ?? 0;
      if (welcome && m.hello) {
        call.write({ welcome: { agent_id: m.hello.agent_id, commons_id: m.hello.commons?.hostname ?? '', config: { heartbeat_interval_ms: 10_000, health_interval_ms: 5000, metrics_interval_ms: 15_000 } } });
      }
    });
    call.on('error', () => undefined);
    call.on('end', () => call.end());
  },
  renew(_call: unknown, cb: grpc.sendUnaryData<unknown>) {
    cb({ code: grpc.status.UNIMPLEMENTED });
  },
});
const creds = grpc.ServerCredentials.createSsl(caPem ? Buffer.from(caPem) : null, [{ private_key: Buffer.from(keyPem), cert_chain: Buffer.from(certPem) }], Boolean(caPem));
server.bindAsync('127.0.0.1:0', creds, (err, port) => {
  if (err) throw err;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.stdin.on('data', () => process.stdout.write(`${JSON.stringify({ samples, messages, streams })}\n`));
