// When thousands of agents reconnect at once (a control service restart, a
// network blip), the gateway's event loop is busy with TLS handshakes and the
// kernel holds the rest in the listen queue. grpc-js listens with Node's
// default backlog of 511, so connects past that were dropped and each agent
// waited out TCP's SYN retransmits (1 s, 3 s, 7 s, ...): 10,000 agents took
// 83 s to connect in `npm run bench`. The gateway now listens with
// DCOC_GRPC_BACKLOG (default 4096). Shown here with the event loop held
// still: every connect a child process makes is queued by the kernel.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { CertificateAuthority } from '../../backend/pki/ca';
import { ServerIdentity } from '../../backend/gateway/server-identity';
import { startGrpcServers } from '../../backend/gateway/server';
import type { AsyncHandlers } from '../../backend/gateway/guard';
import type { AgentGatewayServer, EnrollmentServer } from '../../contracts/pb/agent';

const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
/** More than Node's default backlog (511), within what the kernel allows. */
const CONNECTS = Math.min(1500, somaxconn);

/** Blocks this thread (and so the gateway's accept loop) until `file` exists or `ms` pass. */
function holdEventLoop(file: string, ms: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const until = Date.now() + ms;
  while (!existsSync(file) && Date.now() < until) Atomics.wait(cell, 0, 0, 20);
}

// Opens n TCP connections, then writes how many completed their handshake
// once all have, or 10 s after the last one was started (a dropped SYN is
// retried only after 1 s, and dropped again while the queue stays full).
const CHILD = `
const net = require('node:net'); const fs = require('node:fs');
const [port, n, out] = [Number(process.argv[1]), Number(process.argv[2]), process.argv[3]];
let connected = 0, done = false; const sockets = [];
const finish = () => { if (done) return; done = true; fs.writeFileSync(out + '.tmp', String(connected)); fs.renameSync(out + '.tmp', out); };
for (let i = 0; i < n; i++) {
  const s = net.connect(port, '127.0.0.1', () => { if (++connected === n) finish(); });
  s.on('error', () => {}); sockets.push(s);
}
setTimeout(finish, 10000);
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

/** The gateway and enrollment listeners on free ports, with a CA in `dir`; no handlers (nothing here gets that far). */
async function startGateway(dir: string) {
  const ca = await CertificateAuthority.loadOrCreate(join(dir, 'pki'));
  const identity = new ServerIdentity(ca.certPem, await ca.issueServerCertificate(['localhost']));
  const servers = await startGrpcServers({
    identity,
    gatewayAddr: '127.0.0.1:0',
    enrollAddr: '127.0.0.1:0',
    gateway: {} as AsyncHandlers<AgentGatewayServer>,
    enrollment: {} as AsyncHandlers<EnrollmentServer>,
    log: pino({ level: 'silent' }),
  });
  return { ca, identity, servers };
}

describe('the agent gateway listener', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-backlog-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`queues ${CONNECTS} connects that arrive while the control service is busy (Node's default backlog held 511)`, async () => {
    const { identity, servers } = await startGateway(dir);
    const out = join(dir, 'connected');
    const child = spawn(process.execPath, ['-e', CHILD, String(servers.gatewayPort), String(CONNECTS), out], { stdio: ['pipe', 'inherit', 'inherit'] });
    try {
      // Nothing here runs until the child is done: the connects sit in the kernel's listen queue.
      holdEventLoop(out, 30_000);
      assert.ok(existsSync(out), 'the child reported how many connects completed');
      const connected = Number(readFileSync(out, 'utf8'));
      assert.equal(connected, CONNECTS, `${connected} of ${CONNECTS} connects were queued while the gateway was busy (net.core.somaxconn ${somaxconn})`);
    } finally {
      child.stdin!.end();
      await new Promise((r) => child.once('exit', r));
      await servers.stop(500);
      identity.stop();
    }
  });

  it('outlives connections that send garbage, reset at once, or fail the TLS handshake, and keeps accepting', async () => {
    const { ca, identity, servers } = await startGateway(dir);
    const port = servers.gatewayPort;
    const closed = (s: import('node:net').Socket) => new Promise<void>((resolve) => (s.on('error', () => undefined), s.once('close', () => resolve())));
    try {
      const garbage = tcpConnect(port, '127.0.0.1', () => garbage.end(Buffer.from('GET / HTTP/1.1\r\n\r\n\u0016\u0003\u0001\u00ff\u00ff garbage')));
      const reset = tcpConnect(port, '127.0.0.1', () => reset.resetAndDestroy());
      // No client certificate: the gateway asks for one and refuses the handshake.
      const noCert = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', ca: ca.certPem });
      await Promise.all([closed(garbage), closed(reset), closed(noCert)]);
      const again = tcpConnect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => (again.once('connect', () => resolve()), again.once('error', reject)));
      again.destroy();
    } finally {
      await servers.stop(500);
      identity.stop();
    }
  });
});
