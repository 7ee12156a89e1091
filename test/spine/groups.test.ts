// Labels on commons and saved groups, through the running control service:
// an admin labels commons and saves a group; the fleet list carries the
// labels and filters by group; the group's members follow its selector as
// labels change; the automatic labels cannot be set; operators read but
// cannot edit (a group decides who may change what, through scoped roles and
// policies); every change is audited; labels and groups survive a restart
// (they live in the store, not in memory).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CommonsSummary } from '../../contracts/api';
import type { GroupView, LabelsView } from '../../contracts/groups';
import { TestFleet } from '../support/fleet';

describe('labels and groups', () => {
  let fleet: TestFleet;
  let ids: string[];
  before(async () => {
    fleet = await TestFleet.start();
    ids = (await fleet.healthyCommons()).map((c) => c.id).sort();
  });
  after(() => fleet.stop());

  const commons = async (query = '') => (await fleet.admin<{ items: CommonsSummary[] }>('GET', `/api/v1/commons${query}`)).body.items;

  it('labels set by an admin show in the fleet list beside the automatic ones', async () => {
    const [a, b] = ids;
    const r = await fleet.admin<LabelsView>('PUT', `/api/v1/commons/${a}/labels`, { labels: { tier: 'production', program: 'heal' } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.custom, { tier: 'production', program: 'heal' });
    assert.equal(r.body.labels.commons, a);
    assert.ok(r.body.labels.environment, 'the environment label comes from the commons');
    assert.equal((await fleet.admin('PUT', `/api/v1/commons/${b}/labels`, { labels: { tier: 'staging' } })).status, 200);
    const listed = Object.fromEntries((await commons()).map((c) => [c.id, c.labels]));
    assert.equal(listed[a]?.tier, 'production');
    assert.equal(listed[b]?.tier, 'staging');
    assert.equal(listed[ids[2]]?.tier, undefined);
    assert.equal(listed[ids[2]]?.commons, ids[2]);
  });

  it('a group picks the commons its selector matches, now and as labels change', async () => {
    const put = await fleet.admin<GroupView>('PUT', '/api/v1/groups/production', { description: 'Production commons', selector: { matchLabels: { tier: 'production' } } });
    assert.equal(put.status, 201);
    assert.deepEqual(put.body.commons, [ids[0]]);
    assert.equal(put.body.selectorText, 'tier=production');
    assert.deepEqual((await commons('?group=production')).map((c) => c.id), [ids[0]]);

    assert.equal((await fleet.admin('PUT', `/api/v1/commons/${ids[2]}/labels`, { labels: { tier: 'production' } })).status, 200);
    assert.deepEqual((await fleet.admin<GroupView>('GET', '/api/v1/groups/production')).body.commons, [ids[0], ids[2]].sort());

    const replaced = await fleet.admin<GroupView>('PUT', '/api/v1/groups/production', { selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['production', 'staging'] }] } });
    assert.equal(replaced.status, 200, 'replacing answers 200');
    assert.deepEqual(replaced.body.commons, [...ids].sort());
    const unknown = await fleet.admin<{ errors: { field: string }[] }>('GET', '/api/v1/commons?group=nope');
    assert.equal(unknown.status, 422, 'an unknown group is a bad filter value, named');
    assert.deepEqual(unknown.body.errors.map((e) => e.field), ['query.group']);
  });

  it('refuses bad input naming the field, and the automatic labels', async () => {
    const bad = await fleet.admin<{ errors: { field: string }[] }>('PUT', '/api/v1/groups/bad', { selector: { matchExpressions: [{ key: 'tier', operator: 'In' }] } });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['body.selector.matchExpressions.0.values']);
    const auto = await fleet.admin<{ errors: { field: string }[] }>('PUT', `/api/v1/commons/${ids[0]}/labels`, { labels: { environment: 'fake' } });
    assert.equal(auto.status, 422);
    assert.deepEqual(auto.body.errors.map((e) => e.field), ['body.labels']);
    assert.equal((await fleet.admin('PUT', '/api/v1/commons/no-such-commons/labels', { labels: {} })).status, 404);
    assert.equal((await fleet.admin('GET', '/api/v1/groups/bad')).status, 404, 'nothing was saved');
  });

  it('operators read groups and labels but cannot change them; the refusal is audited', async () => {
    const operator = await fleet.tokenFor('operator');
    assert.equal((await fleet.api(operator, 'GET', '/api/v1/groups')).status, 200);
    assert.equal((await fleet.api(operator, 'GET', `/api/v1/commons/${ids[0]}/labels`)).status, 200);
    assert.equal((await fleet.api(operator, 'PUT', `/api/v1/commons/${ids[1]}/labels`, { labels: { tier: 'production' } })).status, 403);
    assert.equal((await fleet.api(operator, 'PUT', '/api/v1/groups/mine', { selector: {} })).status, 403);
    assert.equal((await fleet.api(operator, 'DELETE', '/api/v1/groups/production')).status, 403);
    const audit = (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=100')).body.items;
    assert.ok(audit.some((e) => e.action === 'commons.labels' && e.outcome === 'denied' && e.commons === ids[1]), 'the refused label change is audited');
    const changed = audit.find((e) => e.action === 'commons.labels' && e.outcome === 'succeeded' && e.commons === ids[0]);
    assert.deepEqual(changed?.detail, { changed: { program: { from: null, to: 'heal' }, tier: { from: null, to: 'production' } } });
    assert.ok(audit.some((e) => e.action === 'group.put' && e.outcome === 'succeeded'));
  });

  it('labels and groups survive a control service restart; deleting a group leaves its commons', async () => {
    await fleet.restartControl();
    assert.deepEqual((await fleet.admin<GroupView>('GET', '/api/v1/groups/production')).body.commons, [...ids].sort());
    assert.equal((await fleet.admin('DELETE', '/api/v1/groups/production')).status, 204);
    assert.equal((await fleet.admin('GET', '/api/v1/groups/production')).status, 404);
    assert.equal((await fleet.admin('DELETE', '/api/v1/groups/production')).status, 404);
    assert.equal((await commons()).length, 3);
    assert.equal((await commons()).find((c) => c.id === ids[0])?.labels?.tier, 'production');
  });
});
