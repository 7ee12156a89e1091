// The identity assertion is a plain RFC 7515/7519 HS256 JWT: a token made by
// hand with node:crypto (not jose, which the plugin and control service use)
// verifies, and the plugin's tokens verify by hand. So another implementation
// of either side interoperates.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, it } from 'node:test';
import { signAssertion, verifyAssertion } from '../../contracts/identity';

const SECRET = 'interop-secret-0123456789abcdef';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const hmac = (input: string, secret = SECRET) => createHmac('sha256', secret).update(input).digest('base64url');

function handMade(claims: Record<string, unknown>, secret = SECRET): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${hmac(input, secret)}`;
}

describe('identity assertion interoperability', () => {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { iss: 'gen3-dcoc-app', aud: 'dcoc-control', sub: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.org', role: 'operator', org: 2, iat, exp: iat + 60, jti: 'hand-made-0001' };

  it('verifies a token signed by hand with node:crypto, and only with its secret', async () => {
    assert.deepEqual(await verifyAssertion(handMade(claims), SECRET), claims);
    await assert.rejects(verifyAssertion(handMade(claims, 'not-the-shared-secret-0123456789'), SECRET), /^Error: assertion signature does not verify$/);
  });

  it('keeps its refusals in its own words for hand-made tokens', async () => {
    await assert.rejects(verifyAssertion(handMade({ ...claims, iat: iat - 600, exp: iat - 540 }), SECRET), /^Error: assertion expired$/);
    await assert.rejects(verifyAssertion(handMade({ ...claims, aud: 'someone-else' }), SECRET), /^Error: invalid assertion claims: aud$/);
    await assert.rejects(verifyAssertion(handMade({ ...claims, iss: 'someone-else' }), SECRET), /^Error: invalid assertion claims: iss$/);
    await assert.rejects(verifyAssertion(handMade({ ...claims, iat: iat + 120, exp: iat + 180 }), SECRET), /^Error: assertion issued in the future$/);
    await assert.rejects(verifyAssertion(handMade({ ...claims, exp: iat + 301 }), SECRET), /^Error: assertion lifetime exceeds 300 s$/);
  });

  it('keeps the 30 s of skew on both sides of the lifetime', async () => {
    const at = (s: number) => (iat + s) * 1000;
    assert.equal((await verifyAssertion(handMade(claims), SECRET, at(60 + 30))).sub, 'jdoe', 'exp 30 s ago is still accepted');
    await assert.rejects(verifyAssertion(handMade(claims), SECRET, at(60 + 31)), /expired/);
    assert.equal((await verifyAssertion(handMade(claims), SECRET, at(-30))).sub, 'jdoe', 'iat 30 s ahead is still accepted');
    await assert.rejects(verifyAssertion(handMade(claims), SECRET, at(-31)), /issued in the future/);
  });

  it("signs tokens a hand-written verifier accepts: HS256 header, the contract's claims, an HMAC over the first two parts", async () => {
    const token = await signAssertion({ login: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.org', role: 'viewer', orgId: 2 }, SECRET, 90, iat * 1000);
    const [header, payload, signature] = token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { alg: 'HS256', typ: 'JWT' });
    assert.ok(timingSafeEqual(Buffer.from(signature, 'base64url'), Buffer.from(hmac(`${header}.${payload}`), 'base64url')));
    const c = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    assert.match(String(c.jti), /^[0-9a-f-]{36}$/);
    assert.deepEqual({ ...c, jti: 'x' }, { iss: 'gen3-dcoc-app', aud: 'dcoc-control', sub: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.org', role: 'viewer', org: 2, iat, exp: iat + 90, jti: 'x' });
  });
});
