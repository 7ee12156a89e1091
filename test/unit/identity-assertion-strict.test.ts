// The identity assertion is read strictly. Each case is
// signed with the right secret, so only the strictness refuses it; before the
// fix every one of them verified.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { signAssertion, verifyAssertion } from '../../contracts/identity';
import { SeenAssertions } from '../../backend/auth/replay-guard';

const SECRET = 'unit-test-secret-0123456789abcdef';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const claims = (edit: Record<string, unknown> = {}) => ({ iss: 'gen3-dcoc-app', aud: 'dcoc-control', sub: 'jdoe', name: '', email: '', role: 'viewer', iat: now(), exp: now() + 60, jti: 'jti-0123456789', ...edit });

/** A correctly signed token over exactly these header and payload segments. */
function signed(header: string, payload: string): string {
  return `${header}.${payload}.${createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url')}`;
}
const token = (head: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }, c: Record<string, unknown> = claims()) => signed(b64(head), b64(c));

describe('identity assertions are read strictly', async () => {
  it('a well-formed assertion verifies (the cases below differ from it in one thing)', async () => {
    assert.equal((await verifyAssertion(token(), SECRET)).sub, 'jdoe');
  });

  it('refuses signatures and segments not in canonical base64url', async () => {
    const good = token();
    const [h, p, s] = good.split('.');
    // The signature's last character carries 2 unused bits: flipping them spells the same bytes differently.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.at(-1)!);
    const sibling = alphabet[(last & ~3) | ((last + 1) & 3)];
    assert.deepEqual(Buffer.from(`${s.slice(0, -1)}${sibling}`, 'base64url'), Buffer.from(s, 'base64url'), 'Node decodes both spellings alike');
    for (const bad of [`${h}.${p}.${s.slice(0, -1)}${sibling}`, `${h}.${p}.${s}=`, `${h}.${p}.${s.slice(0, 10)}+${s.slice(11)}`, `${h}.${p}.${s.slice(0, 10)}*${s.slice(10)}`, `${h}=.${p}.${s}`]) {
      await assert.rejects(verifyAssertion(bad, SECRET), /canonical base64url/, bad);
    }
  });

  it('refuses header parameters it does not understand (crit, kid, jku) and a typ other than JWT', async () => {
    await assert.rejects(verifyAssertion(token({ alg: 'HS256', crit: ['exp'], exp: 1 }), SECRET), /does not understand: crit, exp/);
    await assert.rejects(verifyAssertion(token({ alg: 'HS256', kid: 'other' }), SECRET), /does not understand: kid/);
    await assert.rejects(verifyAssertion(token({ alg: 'HS256', typ: 'at+jwt' }), SECRET), /typ must be JWT/);
    await assert.rejects(verifyAssertion(signed(b64(['HS256']), b64(claims())), SECRET), /malformed assertion header/);
  });

  it('refuses exp at or before iat', async () => {
    await assert.rejects(verifyAssertion(token(undefined, claims({ iat: now(), exp: now() - 5 })), SECRET), /exp <= iat/);
    await assert.rejects(verifyAssertion(token(undefined, claims({ iat: now(), exp: now() })), SECRET), /exp <= iat/);
  });

  it('refuses a sub with control characters or one that mimics another kind of caller', async () => {
    for (const sub of ['jdoe\r\nINFO admin granted', 'jdoe\u0000', 'jdoe\u200b', 'token:admin (DCOC_ADMIN_TOKEN)', 'system', 'Anonymous', 'agent:1234', ' jdoe']) {
      await assert.rejects(verifyAssertion(token(undefined, claims({ sub })), SECRET), /invalid assertion claims: sub/, JSON.stringify(sub));
    }
    await assert.rejects(verifyAssertion(token(undefined, claims({ name: 'Jane\nDoe' })), SECRET), /invalid assertion claims: name/);
    assert.equal((await verifyAssertion(token(undefined, claims({ sub: 'jane.doe@example.org' })), SECRET)).sub, 'jane.doe@example.org');
  });

  it('the plugin signs what the verifier accepts', async () => {
    assert.equal((await verifyAssertion(await signAssertion({ login: 'jane.doe@example.org', name: 'Jane Doe', role: 'operator' }, SECRET), SECRET)).role, 'operator');
  });
});

describe('replay guard', async () => {
  it('accepts a jti once until it expires, then forgets it', async () => {
    const g = new SeenAssertions(30_000);
    const t0 = 1_000_000_000_000;
    const exp = t0 / 1000 + 60;
    assert.equal(g.firstUse('a', exp, t0), true);
    assert.equal(g.firstUse('a', exp, t0 + 1000), false, 'a replay within the lifetime');
    assert.equal(g.firstUse('b', exp, t0 + 1000), true);
    assert.equal(g.firstUse('c', exp + 600, t0 + 91_000), true, 'a later one');
    assert.equal(g.size, 1, 'a and b were forgotten after exp + skew');
  });

  it('holds at most `max` entries', async () => {
    const g = new SeenAssertions(30_000, 3);
    for (const j of ['a', 'b', 'c', 'd']) g.firstUse(j, 2_000_000_000);
    assert.equal(g.size, 3);
  });
});
