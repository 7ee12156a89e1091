// The gateway certificate the CA issues is renewed once two thirds of its
// lifetime are gone, and listeners (grpc-js) hear the new one; before that, nothing changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { ServerIdentity, renewAtTwoThirds } from '../../backend/gateway/server-identity';

const cert = (name: string, lifeMs: number) => ({ certPem: name, keyPem: `${name}-key`, notAfter: new Date(Date.now() + lifeMs) });

describe('the gateway certificate', () => {
  it('is due for renewal at two thirds of its lifetime, not before', () => {
    const issuedAt = Date.now();
    assert.equal(renewAtTwoThirds(() => issuedAt)(cert('a', 90_000)), false);
    assert.equal(renewAtTwoThirds(() => issuedAt - 59_000)(cert('a', 31_000)), false); // 59 s of 90 s
    assert.equal(renewAtTwoThirds(() => issuedAt - 61_000)(cert('a', 29_000)), true); // 61 s of 90 s
  });

  it('tells its listeners of the renewed certificate', async () => {
    const id = new ServerIdentity('ca', cert('first', 60_000));
    const heard: string[] = [];
    id.addIdentityCertificateListener((u) => heard.push(u?.certificate.toString() ?? 'none'));
    let renewals = 0;
    id.keepFresh({ checkMs: 10, due: (c) => c.certPem === 'first', renew: () => Promise.resolve(cert(`renewed-${++renewals}`, 60_000)), log: pino({ level: 'silent' }) });
    await new Promise((r) => setTimeout(r, 100));
    id.stop();
    assert.deepEqual(heard, ['first', 'renewed-1']);
    assert.equal(id.certificate.certPem, 'renewed-1');
  });
});
