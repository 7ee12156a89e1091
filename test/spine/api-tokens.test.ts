// API tokens: an admin lists them (never their secrets)
// and revokes one; a token minted without a TTL expires (90 days); unsetting
// DCOC_ADMIN_TOKEN retires the token it seeded, and a seed revoked through
// the API stays revoked across restarts. Before the fix there was no list or
// revoke route, tokens without a TTL never expired, and the seed outlived its
// setting.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiTokenInfo } from '../../contracts/api';
import { startControl, stopProc } from '../../scripts/demo/processes';
import { ADMIN_TOKEN, TestFleet } from '../support/fleet';

describe('API tokens', () => {
  let fleet: TestFleet;
  before(async () => {
    fleet = await TestFleet.start({ commons: [] });
  });
  after(() => fleet.stop());

  const status = (token: string) => fetch(`${fleet.control.url}/api/v1/whoami`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);

  it('a token minted without a TTL expires in 90 days', async () => {
    const before = Date.now();
    const r = await fleet.admin<{ expiresAt: string | null }>('POST', '/api/v1/tokens', { name: 'ci', role: 'viewer' });
    assert.equal(r.status, 201);
    assert.ok(r.body.expiresAt, 'an expiry');
    const days = (Date.parse(r.body.expiresAt) - before) / 86_400_000;
    assert.ok(days > 89.99 && days < 90.01, `expires in ${days} days`);
  });

  it('an admin lists tokens without their secrets, and revokes one', async () => {
    const minted = await fleet.admin<{ id: string; token: string }>('POST', '/api/v1/tokens', { name: 'to-revoke', role: 'operator', ttlSeconds: 3600 });
    assert.equal(await status(minted.body.token), 200);
    const list = await fleet.admin<{ items: ApiTokenInfo[] }>('GET', '/api/v1/tokens');
    assert.equal(list.status, 200);
    const listed = list.body.items.find((t) => t.id === minted.body.id);
    assert.deepEqual(listed && { name: listed.name, role: listed.role, state: listed.state, createdBy: listed.createdBy }, { name: 'to-revoke', role: 'operator', state: 'active', createdBy: 'token:admin (DCOC_ADMIN_TOKEN)' });
    const text = JSON.stringify(list.body);
    assert.ok(!text.includes(minted.body.token) && !/token_hash|[0-9a-f]{64}/.test(text), 'no secret or hash in the list');

    const operator = await fleet.tokenFor('operator');
    assert.equal((await fleet.api(operator, 'GET', '/api/v1/tokens')).status, 403, 'only admins list tokens');
    assert.equal((await fleet.api(operator, 'DELETE', `/api/v1/tokens/${minted.body.id}`)).status, 403, 'only admins revoke');

    assert.equal((await fleet.admin('DELETE', `/api/v1/tokens/${minted.body.id}`)).status, 204);
    assert.equal(await status(minted.body.token), 401, 'the revoked token no longer works');
    assert.equal((await fleet.admin('DELETE', `/api/v1/tokens/${minted.body.id}`)).status, 204, 'revoking again is idempotent');
    const after = (await fleet.admin<{ items: ApiTokenInfo[] }>('GET', '/api/v1/tokens')).body.items.find((t) => t.id === minted.body.id);
    assert.equal(after?.state, 'revoked');
    assert.equal((await fleet.admin('DELETE', '/api/v1/tokens/no-such-token')).status, 404);

    const audit = await fleet.admin<{ items: { action: string; detail: { id?: string } }[] }>('GET', '/api/v1/audit?action=api-token.revoke');
    assert.equal(audit.body.items.filter((e) => e.detail.id === minted.body.id).length, 1, 'one audit entry for the revocation');
  });

  it('unsetting DCOC_ADMIN_TOKEN retires the seeded admin token; setting it again seeds it', async () => {
    const opts = fleet.control.opts;
    const operator = await fleet.tokenFor('operator');
    await stopProc(fleet.control);
    fleet.control = await startControl({ ...opts, env: { ...opts.env, DCOC_ADMIN_TOKEN: undefined } });
    assert.equal(await status(ADMIN_TOKEN), 401, 'the old seed is retired');
    assert.equal(await status(operator), 200, 'minted tokens are not affected');

    await stopProc(fleet.control);
    fleet.control = await startControl(opts);
    assert.equal(await status(ADMIN_TOKEN), 200, 'setting it again seeds it');
    const audit = await fleet.admin<{ items: { action: string; actor: string }[] }>('GET', '/api/v1/audit?actor=system');
    assert.ok(audit.body.items.some((e) => e.action === 'api-token.retire'), `the retirement is audited: ${JSON.stringify(audit.body.items.map((e) => e.action))}`);
  });

  it('a seed revoked through the API stays revoked across a restart with the same value', async () => {
    assert.equal((await fleet.admin('DELETE', '/api/v1/tokens/seed-admin')).status, 204);
    assert.equal(await status(ADMIN_TOKEN), 401);
    await fleet.restartControl();
    assert.equal(await status(ADMIN_TOKEN), 401, 'a restart does not bring back a revoked credential');
    await stopProc(fleet.control);
    const fresh = 'dcoc_a-new-admin-token-0123456789';
    fleet.control = await startControl({ ...fleet.control.opts, adminToken: fresh });
    assert.equal(await status(fresh), 200, 'a new value seeds a new admin token');
  });
});
