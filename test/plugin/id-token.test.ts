// The X-Grafana-Id verifier against a Grafana JWKS served by a fake fetch:
// tokens signed by hand with node:crypto (as Grafana signs them, ES256 and
// typ "jwt"), the key cache (an unknown kid refetches, at most every 10 s)
// and the refusals' words, which reach users in 401 bodies.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { IdTokenVerifier } from '../../plugin/identity/id-token';

const APP = 'http://grafana.test/';
const KEYS_URL = 'http://grafana.test/api/signing-keys/keys';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function newKey(kid: string) {
  return { kid, ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) };
}

function idToken(key: { kid: string; privateKey: KeyObject }, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const input = `${b64({ alg: 'ES256', kid: key.kid, typ: 'jwt', ...header })}.${b64({ sub: 'user:42', iat: now(), exp: now() + 300, ...claims })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** A Grafana whose published keys can change; counts its JWKS fetches. */
function fakeGrafana(keys: ReturnType<typeof newKey>[]) {
  const state = { keys, fetches: 0, status: 200 };
  const fetchImpl = (async (url: string) => {
    assert.equal(String(url), KEYS_URL);
    state.fetches++;
    const body = { keys: state.keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: 'ES256', use: 'sig' })) };
    return new Response(JSON.stringify(body), { status: state.status, headers: { 'Content-Type': 'application/json' } });
  }) as typeof fetch;
  return { state, verifier: new IdTokenVerifier(fetchImpl) };
}

describe('Grafana ID token verification', () => {
  it("accepts a token signed with one of Grafana's keys and caches the keys", async () => {
    const k1 = newKey('k1');
    const { state, verifier } = fakeGrafana([k1]);
    assert.equal((await verifier.verify(idToken(k1), APP)).sub, 'user:42');
    assert.equal((await verifier.verify(idToken(k1, { sub: 'service-account:7' }), APP)).sub, 'service-account:7');
    assert.equal(state.fetches, 1, 'the second token used the cached keys');
  });

  it('refuses a forged signature, and an unknown kid without refetching within 10 s', async () => {
    const k1 = newKey('k1');
    const { state, verifier } = fakeGrafana([k1]);
    const forged = idToken({ kid: 'k1', privateKey: newKey('x').privateKey });
    await assert.rejects(verifier.verify(forged, APP), { message: 'ID token signature does not verify against Grafana signing keys' });
    await assert.rejects(verifier.verify(idToken(newKey('k2')), APP), { message: 'ID token signed with unknown key "k2"' });
    assert.equal(state.fetches, 1, 'keys fetched a moment ago are not fetched again for an unknown kid');
  });

  it('refuses expired tokens, tokens not valid yet, other token types and subjects', async () => {
    const k1 = newKey('k1');
    const { verifier } = fakeGrafana([k1]);
    await assert.rejects(verifier.verify(idToken(k1, { iat: now() - 600, exp: now() - 60 }), APP), { message: 'ID token expired' });
    await assert.rejects(verifier.verify(idToken(k1, { exp: undefined }), APP), { message: 'ID token has no expiry' });
    await assert.rejects(verifier.verify(idToken(k1, { nbf: now() + 120 }), APP), { message: 'ID token not valid yet' });
    await assert.rejects(verifier.verify(idToken(k1, {}, { typ: 'at+jwt' }), APP), { message: 'not an ID token (typ at+jwt)' });
    await assert.rejects(verifier.verify(idToken(k1, {}, { alg: 'HS256' }), APP), { message: 'unsupported ID token algorithm "HS256"' });
    await assert.rejects(verifier.verify(idToken(k1, {}, { kid: undefined }), APP), { message: 'ID token names no signing key (kid)' });
    await assert.rejects(verifier.verify(idToken(k1, { sub: 'api-key:1' }), APP), { message: 'ID token subject is not a user or service account' });
    await assert.rejects(verifier.verify('not-a-jwt', APP), { message: 'X-Grafana-Id is not a JWT' });
    await assert.rejects(verifier.verify('e30K!.e30.e30', APP), { message: 'malformed ID token header' });
  });

  it("says why Grafana's keys could not be had", async () => {
    const k1 = newKey('k1');
    const { state, verifier } = fakeGrafana([k1]);
    state.status = 500;
    await assert.rejects(verifier.verify(idToken(k1), APP), { message: `Grafana signing keys at ${KEYS_URL} answered 500` });
    const down = new IdTokenVerifier((async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    }) as typeof fetch);
    await assert.rejects(down.verify(idToken(k1), APP), { message: `cannot fetch Grafana signing keys from ${KEYS_URL}: ECONNREFUSED` });
  });
});
