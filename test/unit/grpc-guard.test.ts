// backend/gateway/guard.ts: a gRPC handler that throws or rejects answers
// INTERNAL and is logged, instead of ending the process with an unhandled
// rejection: whatever the next such bug is, it cannot take the control
// service down.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { unary } from '../../agent/protocol/client';
import { guardHandlers } from '../../backend/gateway/guard';
import { EnrollmentClient, EnrollmentService, type EnrollmentServer } from '../../contracts/pb/agent';

const logged: string[] = [];
const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
const server = new grpc.Server();
let calls = 0;
server.addService(
  EnrollmentService,
  guardHandlers<EnrollmentServer>(
    EnrollmentService,
    {
      // Rejects on the first call, throws synchronously on the second.
      enroll: (() => {
        if (++calls % 2) return Promise.reject(new Error('store is read-only'));
        throw new Error('sync bug');
      }) as EnrollmentServer['enroll'],
    },
    log,
  ),
);
after(() => server.forceShutdown());

it('a handler that rejects or throws answers INTERNAL, is logged, and the server keeps serving', async () => {
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  const client = new EnrollmentClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  for (let i = 0; i < 4; i++) {
    await assert.rejects(unary(client, 'enroll', { token: 't', csr_pem: 'c', agent_version: '', hostname: '' }), (e: grpc.ServiceError) => e.code === grpc.status.INTERNAL && /the control service failed handling Enroll; retry/.test(e.details));
  }
  assert.equal(logged.length, 4);
  assert.match(logged[0], /"method":"Enroll".*"err":"store is read-only"/);
  assert.match(logged[1], /"err":"sync bug"/);
  client.close();
});
