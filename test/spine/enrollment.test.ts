// Enrollment and the agent's mutual TLS: single-use expiring tokens, renewal,
// revocation, foreign CAs and plaintext refused.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import Sqlite from 'better-sqlite3';
import type { AgentView } from '../../contracts/api';
import { AgentGatewayClient, EnrollmentClient, type AgentMessage, type ControlMessage } from '../../contracts/pb/agent';
import { CertificateAuthority } from '../../backend/pki/ca';
import { createCsr, generateKeys, privateKeyToPem } from '../../lib/pki/x509';
import { type TlsIdentity, gatewayClient, unary } from '../../agent/protocol/client';
import { type AgentIdentity, enroll, renew } from '../../agent/protocol/identity';
import { DEMO_COMMONS, mintEnrollmentToken } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';

const tmp = () => mkdtempSync(join(tmpdir(), 'dcoc-enroll-'));

/** Opens the agent stream with `id`, says hello, and resolves with the first answer or the error. */
function connect(addr: string, id: TlsIdentity, hostname = 'enroll.example.org'): Promise<{ ok: true; call: grpc.ClientDuplexStream<AgentMessage, ControlMessage> } | { ok: false; code: number; details: string }> {
  const client = gatewayClient(addr, id);
  const call = client.connect();
  return new Promise((resolve) => {
    call.once('data', () => resolve({ ok: true, call }));
    call.once('error', (e: grpc.ServiceError) => resolve({ ok: false, code: e.code, details: e.details }));
    call.write({ seq: 0, hello: { agent_id: 'x', agent_version: 'test', capabilities: [], commons: { hostname, environment: 'test', name: 'test', namespace: 'test' }, finished: [] } });
  });
}

describe('enrollment and mutual TLS', () => {
  let fleet: TestFleet;
  let caPem: string;
  const doEnroll = async (token: string) =>
    enroll({ dataDir: tmp(), enrollAddr: fleet.control.enrollAddr, caPem, token, version: 'test', hostname: 'enroll.example.org' });

  before(async () => {
    fleet = await TestFleet.start({ commons: [], controlEnv: { DCOC_AGENT_CERT_TTL_S: '12' } });
    caPem = (await import('node:fs')).readFileSync(fleet.control.caFile, 'utf8');
  });
  after(() => fleet.stop());

  it('a token works once', async () => {
    const token = await mintEnrollmentToken(fleet.control);
    const id = await doEnroll(token);
    assert.match(id.agentId, /^[0-9a-f-]{36}$/);
    const first = await connect(fleet.control.gatewayAddr, id);
    assert.equal(first.ok, true);
    if (first.ok) first.call.cancel();
    await assert.rejects(doEnroll(token), (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED && /already used/.test(e.details));
  });

  it('an expired or unknown token is refused', async () => {
    const token = await mintEnrollmentToken(fleet.control);
    // Age the token in the store, as the clock would.
    const db = new Sqlite(join(fleet.control.opts.dataDir, 'dcoc.sqlite'));
    db.prepare("UPDATE enrollment_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE used_at IS NULL").run();
    db.close();
    await assert.rejects(doEnroll(token), (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED && /expired/.test(e.details));
    await assert.rejects(doEnroll('dcoc-enroll_made-up'), (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED && /not valid/.test(e.details));
  });

  it('a revoked agent is cut off and refused', async () => {
    const id = await doEnroll(await mintEnrollmentToken(fleet.control));
    const open = await connect(fleet.control.gatewayAddr, id, 'revoke.example.org');
    assert.equal(open.ok, true);
    const ended = new Promise<number>((r) => open.ok && open.call.once('error', (e: grpc.ServiceError) => r(e.code)));
    assert.equal((await fleet.admin('DELETE', `/api/v1/agents/${id.agentId}`)).status, 204);
    assert.equal(await ended, grpc.status.UNAVAILABLE);
    const again = await connect(fleet.control.gatewayAddr, id, 'revoke.example.org');
    assert.equal(again.ok, false);
    assert.ok(!again.ok && again.code === grpc.status.UNAUTHENTICATED && /revoked/.test(again.details));
    await assert.rejects(renew(tmp(), fleet.control.gatewayAddr, id), (e: grpc.ServiceError) => e.code === grpc.status.UNAUTHENTICATED);
    const agents = (await fleet.admin<{ items: AgentView[] }>('GET', '/api/v1/agents')).body.items;
    assert.equal(agents.find((a) => a.id === id.agentId)?.revoked, true);
  });

  it('a certificate from another CA is refused at the TLS handshake', async () => {
    const other = await CertificateAuthority.loadOrCreate(tmp());
    const keys = await generateKeys();
    const cert = await other.signAgentCsr(await createCsr('intruder', keys), 'intruder', 3_600_000);
    const r = await connect(fleet.control.gatewayAddr, { caPem, keyPem: await privateKeyToPem(keys.privateKey), certPem: cert.certPem });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.code === grpc.status.UNAVAILABLE, JSON.stringify(r));
  });

  it('plaintext clients are refused on both listeners', async () => {
    const plainGateway = new AgentGatewayClient(fleet.control.gatewayAddr, grpc.credentials.createInsecure());
    await assert.rejects(unary(plainGateway, 'renew', { csr_pem: 'x' }, 3000), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE);
    const plainEnroll = new EnrollmentClient(fleet.control.enrollAddr, grpc.credentials.createInsecure());
    await assert.rejects(unary(plainEnroll, 'enroll', { token: 'x', csr_pem: 'x', agent_version: '', hostname: '' }, 3000), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE);
  });

  it('a certificate is renewed before it expires, and the agent stays connected', async () => {
    const spec = { ...DEMO_COMMONS[2], hostname: 'renew.example.org', environment: 'renewtest' };
    const agent = await fleet.addAgent(spec);
    const first = await eventually(async () => {
      const a = (await fleet.admin<{ items: AgentView[] }>('GET', '/api/v1/agents')).body.items.find((x) => x.commons === 'renew-example-org');
      return a?.connected && a;
    }, { what: 'the agent to connect' });
    // TTL 12 s: renewal is due after 8 s.
    const renewed = await eventually(async () => {
      const a = (await fleet.admin<{ items: AgentView[] }>('GET', '/api/v1/agents')).body.items.find((x) => x.id === first.id);
      return a && a.certificateSerial !== first.certificateSerial && a.connected && a;
    }, { timeoutMs: 60_000, what: 'a renewed certificate' });
    assert.ok(Date.parse(renewed.certificateExpiresAt) > Date.parse(first.certificateExpiresAt));
    // The service records the new serial before it answers; the agent then moves its stream onto the new certificate.
    await eventually(() => agent.logs.some((l) => l.includes('certificate renewed')), { what: 'the agent to log the renewal' });
    await eventually(async () => {
      const a = (await fleet.admin<{ items: AgentView[] }>('GET', '/api/v1/agents')).body.items.find((x) => x.id === first.id);
      return a?.connected;
    }, { what: 'the agent connected on its new certificate' });
  });

  it('renewal needs the current certificate and issues a new serial', async () => {
    const id: AgentIdentity = await doEnroll(await mintEnrollmentToken(fleet.control));
    const next = await renew(tmp(), fleet.control.gatewayAddr, id);
    assert.notEqual(next.certPem, id.certPem);
    assert.equal(next.agentId, id.agentId);
    const r = await connect(fleet.control.gatewayAddr, next, 'renew2.example.org');
    assert.equal(r.ok, true);
    if (r.ok) r.call.cancel();
  });
});
