// Refused changes are in the audit log: an
// authenticated caller's 422 and 409 name the caller, the route and the
// fields; unauthenticated attempts are recorded with bounded rows, at most
// ANONYMOUS_PER_MINUTE a minute one by one and the rest counted into one row.
// Before the fix 409s and 422s never appeared, and every unauthenticated POST
// appended a row holding its whole path (233 rows a second from one client).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CommonsDetail } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { ANONYMOUS_PER_MINUTE } from '../../backend/http/refusal-audit';
import { TestFleet } from '../support/fleet';

const ID = 'data-midrc-org';

describe('refusals in the audit log', () => {
  let fleet: TestFleet;
  let operator: string;
  const auditLog = async () => (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=500')).body.items;

  before(async () => {
    fleet = await TestFleet.start({ commons: [DEMO_COMMONS[1]] });
    await fleet.healthyCommons(1);
    operator = await fleet.tokenFor('operator');
  });
  after(() => fleet.stop());

  it("an operator's invalid scale (422) and stale config change (409) are recorded with the fields", async () => {
    const scale = await fleet.api(operator, 'POST', `/api/v1/commons/${ID}/services/fence/scale`, { replicas: -1 });
    assert.equal(scale.status, 422);
    const { revision: current, data } = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body.config;
    const admin = await fleet.tokenFor('admin');
    const config = await fleet.api(admin, 'PUT', `/api/v1/commons/${ID}/config`, { data: { ...data, maintenance_mode: 'on' }, baseRevision: current - 1, reason: 'maintenance' });
    assert.equal(config.status, 409);

    const rejected = (await auditLog()).filter((e) => e.outcome === 'rejected' && e.actor !== 'anonymous');
    const s = rejected.find((e) => e.action === 'POST /api/v1/commons/:id/services/:service/scale');
    assert.ok(s, JSON.stringify(rejected));
    assert.equal(s.actor, 'token:test-operator');
    assert.deepEqual([s.detail.status, s.detail.fields], [422, ['body.replicas']]);
    assert.deepEqual([s.commons, s.service], [ID, 'fence'], 'the refusal names the commons and service it was about');
    const c = rejected.find((e) => e.action === 'PUT /api/v1/commons/:id/config');
    assert.ok(c, JSON.stringify(rejected));
    assert.deepEqual([c.actor, c.detail.status, c.detail.fields], ['token:test-admin', 409, ['body.baseRevision']]);
    assert.equal(c.commons, ID);
  });

  it('a flood of unauthenticated changes with long paths writes bounded rows, at most the minute\'s limit one by one', async () => {
    const before = (await auditLog()).filter((e) => e.actor === 'anonymous').length;
    const longPath = `/api/v1/commons/${'x'.repeat(10_000)}/services/fence/restart`;
    const statuses = await Promise.all(Array.from({ length: 200 }, () => fetch(`${fleet.control.url}${longPath}`, { method: 'POST' }).then((r) => r.status)));
    assert.ok(statuses.every((s) => s === 401));
    const rows = (await auditLog()).filter((e) => e.actor === 'anonymous');
    assert.ok(rows.length - before <= ANONYMOUS_PER_MINUTE, `${rows.length - before} rows for 200 refusals`);
    assert.ok(rows.every((e) => e.action.length <= 'POST '.length + 201), 'actions are bounded');
  });
});
