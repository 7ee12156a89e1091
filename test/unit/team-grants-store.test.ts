// Team grants in the store, on SQLite and PostgreSQL: one grant per team and
// group (a put replaces the role), looked up by any of a user's team keys,
// each change written with its audit entry in one transaction.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlStore } from '../../backend/store/sql-store';
import type { NewAudit } from '../../backend/store/store';
import { storeEngines } from '../support/store-engines';

const at = '2026-07-01T00:00:00.000Z';
const audit = (action: string): NewAudit => ({ at, actor: 'admin', actor_kind: 'token', role: 'admin', action, commons_id: null, service: null, detail_json: '{}', outcome: 'succeeded', command_id: null });
const grant = (team: string, group: string, role: string) => ({ team, group_name: group, role, updated_by: 'admin', updated_at: at });

for (const engine of await storeEngines('team-grants'))
describe(`team grants in the store (${engine.name})`, { skip: engine.skip }, () => {
  let store: SqlStore;
  before(async () => {
    store = await engine.open();
  });
  after(() => engine.cleanup());

  it('puts, replaces, finds by team keys and deletes, each with its audit entry', async () => {
    assert.equal(await store.teamGrants.put(grant('ops-a', 'team-a', 'viewer'), audit('team-grant.put')), true);
    assert.equal(await store.teamGrants.put(grant('ops-a', 'team-a', 'operator'), audit('team-grant.put')), false, 'the same team and group: replaced');
    await store.teamGrants.put(grant('7', 'prod', 'viewer'), audit('team-grant.put'));
    await store.teamGrants.put(grant('ops-b', 'team-b', 'admin'), audit('team-grant.put'));
    assert.deepEqual((await store.teamGrants.list()).map((g) => [g.team, g.group_name, g.role]), [['7', 'prod', 'viewer'], ['ops-a', 'team-a', 'operator'], ['ops-b', 'team-b', 'admin']]);
    assert.deepEqual((await store.teamGrants.forTeams(['ops-a', '7'])).map((g) => g.group_name).sort(), ['prod', 'team-a']);
    assert.deepEqual(await store.teamGrants.forTeams([]), []);
    assert.equal(await store.teamGrants.delete('ops-b', 'team-b', audit('team-grant.delete')), true);
    assert.equal(await store.teamGrants.get('ops-b', 'team-b'), undefined);
    const actions = (await store.listAudit({ limit: 100 })).map((a) => a.action);
    assert.deepEqual(actions.filter((a) => a.startsWith('team-grant.')).sort(), ['team-grant.delete', 'team-grant.put', 'team-grant.put', 'team-grant.put', 'team-grant.put']);
  });

  it('lists narrow to the commons a scoped caller may see before the limit', async () => {
    for (const c of ['c1', 'c2', null]) await store.appendAudit({ ...audit('probe'), commons_id: c });
    assert.deepEqual((await store.listAudit({ action: 'probe', commonsIn: ['c1'], limit: 1 })).map((a) => a.commons_id), ['c1']);
    assert.deepEqual((await store.listAudit({ action: 'probe', commonsIn: ['c1', 'c2'], limit: 10 })).map((a) => a.commons_id).sort(), ['c1', 'c2'], 'fleet-wide entries are not among them');
    assert.deepEqual(await store.listAudit({ action: 'probe', commonsIn: [], limit: 10 }), []);
    assert.deepEqual(await store.listCommands({ commonsIn: [], limit: 10 }), []);
    assert.deepEqual(await store.listDeployments({ commonsIn: ['nowhere'], limit: 10 }), []);
  });
});
