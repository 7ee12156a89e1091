// The enrollment port listens on every interface for agents that hold no
// certificate yet: no request on it may take the control service down, and
// no work is done for one without a live token. Before
// the fix, a junk token with a P-384 or RSA CSR threw in signing before the
// token was read, and the unhandled rejection ended the process.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { enrollmentClient, unary } from '../../agent/protocol/client';
import { x509 } from '../../lib/pki/x509';
import { createCsr, generateKeys } from '../../lib/pki/x509';
import { mintEnrollmentToken } from '../../scripts/demo/processes';
import { TestFleet } from '../support/fleet';
import { type StoreSnapshot, assertOnlyAccepted, snapshotOf } from '../support/store-snapshot';

async function csrWith(alg: 'P-384' | 'RSA'): Promise<string> {
  const params = alg === 'RSA'
    ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
  const keys = (await webcrypto.subtle.generateKey(params, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  return (await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=attacker', keys, signingAlgorithm: params })).toString('pem');
}

describe('the enrollment port under attack', () => {
  let fleet: TestFleet;
  let stored: StoreSnapshot;
  let client: ReturnType<typeof enrollmentClient>;
  const enroll = (token: string, csr_pem: string) => unary(client, 'enroll', { token, csr_pem, agent_version: 'test', hostname: 'attack.example.org' });
  const refusedWith = (code: grpc.status, details: RegExp) => (e: grpc.ServiceError) => e.code === code && details.test(e.details);
  const alive = async () => assert.equal((await fetch(`${fleet.control.url}/readyz`)).status, 200);

  before(async () => {
    fleet = await TestFleet.start({ commons: [] });
    client = enrollmentClient(fleet.control.enrollAddr, readFileSync(fleet.control.caFile, 'utf8'));
    stored = await snapshotOf(fleet.control.opts);
  });
  after(() => fleet.stop());

  it('a junk token with a P-384 or an RSA CSR is refused for the token, and the control service lives on', async () => {
    for (const alg of ['P-384', 'RSA'] as const) {
      await assert.rejects(enroll('dcoc-enroll_junk', await csrWith(alg)), refusedWith(grpc.status.PERMISSION_DENIED, /enrollment token is not valid/));
      await alive();
    }
  });

  it('a live token with a key the agent does not make is refused as bad input, and the token stays usable', async () => {
    const token = await mintEnrollmentToken(fleet.control);
    await assert.rejects(enroll(token, await csrWith('P-384')), refusedWith(grpc.status.INVALID_ARGUMENT, /^the CSR's key must be ECDSA P-256, as the DCOC agent makes it; this one is ECDSA P-384$/));
    await assert.rejects(enroll(token, await csrWith('RSA')), refusedWith(grpc.status.INVALID_ARGUMENT, /^the CSR's key must be ECDSA P-256.*this one is RSASSA-PKCS1-v1_5$/));
    await assert.rejects(enroll(token, 'not a csr'), refusedWith(grpc.status.INVALID_ARGUMENT, /not a PEM PKCS#10/));
    await alive();
    const ok = await enroll(token, await createCsr('agent', await generateKeys()));
    assert.ok((ok as { agent_id?: string }).agent_id, 'the token still enrolls an agent');
  });

  it('after the attacks the store holds only what was accepted (one token minted, one agent enrolled), and /readyz is 200', async () => {
    // The token the second case minted (with its audit entry), and the agent it enrolled (with its audit entry).
    await assertOnlyAccepted(fleet.control.opts, stored, { enrollment_tokens: 1, agents: 1, audit: 2 }, fleet.control.url);
  });
});
