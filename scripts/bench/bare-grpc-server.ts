// The baseline for the bench's ratio: a gRPC server with the same proto and
// TLS that receives the agent stream and does nothing but count messages.
import * as grpc from '@grpc/grpc-js';
import { AgentGatewayService } from '../../contracts/pb/agent';

const [keyPem, certPem] = [process.env.BENCH_KEY!, process.env.BENCH_CERT!];
let samples = 0;
let messages = 0;
const server = new grpc.Server();
server.addService(AgentGatewayService, {
  connect(call: grpc.ServerDuplexStream<{ metrics?: { samples: unknown[] } }, unknown>) {
    call.on('data', (m: { metrics?: { samples: unknown[] } }) => {
      messages += 1;
      samples += m.metrics?.samples.length ?? 0;
    });
    call.on('end', () => call.end());
  },
  renew(_call: unknown, cb: grpc.sendUnaryData<unknown>) {
    cb({ code: grpc.status.UNIMPLEMENTED });
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(keyPem), cert_chain: Buffer.from(certPem) }], false), (err, port) => {
  if (err) throw err;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.stdin.on('data', () => process.stdout.write(`${JSON.stringify({ samples, messages })}\n`));
