// The signed identity assertion the plugin sends the control service.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_LIFETIME_S, signAssertion, verifyAssertion } from '../../contracts/identity';

const SECRET = 'a-shared-secret-of-enough-length';
const user = { login: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.org', role: 'operator' as const, orgId: 1 };

describe('identity assertion', async () => {
  it('round-trips the Grafana user and role', async () => {
    const c = await verifyAssertion(await signAssertion(user, SECRET), SECRET);
    assert.equal(c.sub, 'jdoe');
    assert.equal(c.role, 'operator');
    assert.equal(c.email, 'jdoe@example.org');
    assert.equal(c.iss, 'gen3-dcoc-app');
    assert.equal(c.aud, 'dcoc-control');
    assert.ok(c.exp - c.iat <= MAX_LIFETIME_S);
  });

  it('refuses a wrong secret, an expired assertion and an edited role', async () => {
    await assert.rejects(verifyAssertion(await signAssertion(user, SECRET), 'another-secret-of-enough-length'), /signature/);
    const old = await signAssertion(user, SECRET, 60, Date.now() - 10 * 60_000);
    await assert.rejects(verifyAssertion(old, SECRET), /expired/);
    const [h, p, s] = (await signAssertion({ ...user, role: 'viewer' }, SECRET)).split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const edited = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    await assert.rejects(verifyAssertion(`${h}.${edited}.${s}`, SECRET), /signature/);
  });

  it('caps the lifetime and refuses other algorithms', async () => {
    const c = await verifyAssertion(await signAssertion(user, SECRET, 3600), SECRET);
    assert.equal(c.exp - c.iat, MAX_LIFETIME_S);
    const [, p, s] = (await signAssertion(user, SECRET)).split('.');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await assert.rejects(verifyAssertion(`${none}.${p}.${s}`, SECRET), /HS256/);
    await assert.rejects(verifyAssertion(await signAssertion(user, SECRET), ''), /DCOC_PLUGIN_SECRET/);
  });
});
