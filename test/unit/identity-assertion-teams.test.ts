// The teams claim of the identity assertion (scoped roles): optional, so an
// assertion from an older plugin still verifies; a user with no role of their
// own is role null; teams are {id, name}, bounded, and anything else refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { ASSERTION_AUDIENCE, ASSERTION_ISSUER, signAssertion, verifyAssertion } from '../../contracts/identity';
import { TEAMS_MAX } from '../../contracts/scopes';

const SECRET = 'a-shared-secret-of-enough-length';

/** An assertion with exactly these extra claims, signed as the plugin signs (to send what the plugin would not). */
function raw(claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: '', email: '', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ASSERTION_ISSUER)
    .setAudience(ASSERTION_AUDIENCE)
    .setSubject('jdoe')
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .setJti(globalThis.crypto.randomUUID())
    .sign(new TextEncoder().encode(SECRET));
}

describe('the teams claim', () => {
  it('an assertion without teams (an older plugin) still verifies, with no teams', async () => {
    const c = await verifyAssertion(await raw({ role: 'viewer' }), SECRET);
    assert.equal(c.role, 'viewer');
    assert.equal(c.teams, undefined);
  });

  it('carries the user’s teams, and a null role for a user whose access is only through them', async () => {
    const c = await verifyAssertion(await signAssertion({ login: 'jdoe', role: null, teams: [{ id: 3, name: 'ops-a' }] }, SECRET), SECRET);
    assert.equal(c.role, null);
    assert.deepEqual(c.teams, [{ id: 3, name: 'ops-a' }]);
    const none = await verifyAssertion(await signAssertion({ login: 'jdoe', role: 'viewer', teams: [] }, SECRET), SECRET);
    assert.equal(none.teams, undefined, 'no teams: no claim');
  });

  it('refuses teams it does not understand, too many, or a role claim left out', async () => {
    const refused = async (claims: Record<string, unknown>, why: RegExp) => assert.rejects(verifyAssertion(await raw(claims), SECRET), why);
    await refused({ role: null, teams: ['ops-a'] }, /invalid assertion claims: teams/);
    await refused({ role: null, teams: [{ id: 3, name: 'ops\na' }] }, /invalid assertion claims: teams/);
    await refused({ role: null, teams: [{ id: 3, name: 'ops-a', admin: true }] }, /invalid assertion claims: teams/);
    await refused({ role: null, teams: Array.from({ length: TEAMS_MAX + 1 }, (_, i) => ({ id: i + 1, name: `t${i}` })) }, /invalid assertion claims: teams/);
    await refused({ teams: [{ id: 3, name: 'ops-a' }] }, /invalid assertion claims: role/);
  });
});
