// The control service refuses, with 401, an identity
// assertion signed with the wrong secret, an expired one, and one whose role
// was edited after signing; the genuine one is accepted. Checked against the
// control service directly, with assertions made as the plugin makes them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signAssertion, type AssertionUser } from '../../contracts/identity';
import type { AuditEntry, Problem } from '../../contracts/api';
import { PLUGIN_SECRET, TestFleet } from '../support/fleet';

let fleet: TestFleet;
const viewer: AssertionUser = { login: 'viewer-user', name: 'Viewer User', email: 'viewer-user@example.org', role: 'viewer', orgId: 1 };

before(async () => {
  fleet = await TestFleet.start({ commons: [] });
});
after(() => fleet?.stop());

function withClaims(token: string, edit: (claims: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  edit(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

const whoami = (token: string) => fleet.api<Problem & { actor?: string; role?: string }>(token, 'GET', '/api/v1/whoami');

describe('the control service and the identity assertion', () => {
  it('accepts an assertion signed with the shared secret, as that user and role', async () => {
    const r = await whoami(await signAssertion(viewer, PLUGIN_SECRET));
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.actor, r.body.role], ['viewer-user', 'viewer']);
  });

  it('refuses one signed with the wrong secret (401)', async () => {
    const r = await whoami(await signAssertion(viewer, 'some-other-secret-0123456789abcdef'));
    assert.equal(r.status, 401);
    assert.equal(r.body.detail, 'assertion signature does not verify');
  });

  it('refuses an expired one (401)', async () => {
    const tenMinutesAgo = Date.now() - 10 * 60_000;
    const r = await whoami(await signAssertion(viewer, PLUGIN_SECRET, 60, tenMinutesAgo));
    assert.equal(r.status, 401);
    assert.equal(r.body.detail, 'assertion expired');
  });

  it('refuses one whose role was edited after signing (401), and nothing happens', async () => {
    const edited = withClaims(await signAssertion(viewer, PLUGIN_SECRET), (c) => (c.role = 'admin'));
    const r = await whoami(edited);
    assert.equal(r.status, 401);
    assert.equal(r.body.detail, 'assertion signature does not verify');
    const token = await fleet.api(edited, 'POST', '/api/v1/enrollment-tokens', {});
    assert.equal(token.status, 401);
    const audit = (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=20')).body.items;
    const refused = audit.find((e) => e.action === 'POST /api/v1/enrollment-tokens');
    assert.equal(refused?.outcome, 'rejected');
    assert.equal(refused?.actor, 'anonymous');
    assert.ok(!audit.some((e) => e.action === 'enrollment-token.create'), 'no token was made');
  });

  it('refuses one whose user was edited after signing (401)', async () => {
    const r = await whoami(withClaims(await signAssertion(viewer, PLUGIN_SECRET), (c) => (c.sub = 'admin-user')));
    assert.equal(r.status, 401);
  });

  it('refuses an assertion sent a second time within its lifetime (401): each request carries a fresh one', async () => {
    const once = await signAssertion(viewer, PLUGIN_SECRET);
    assert.equal((await whoami(once)).status, 200);
    const again = await whoami(once);
    assert.equal(again.status, 401);
    assert.match(again.body.detail, /already used/);
    assert.equal((await whoami(await signAssertion(viewer, PLUGIN_SECRET))).status, 200, 'a fresh one still works');
  });
});
