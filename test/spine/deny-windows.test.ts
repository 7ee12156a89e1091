// Deny windows through the running control service (issue 18, must-show 2,
// second half): during a change freeze an operator's restart is refused with
// 409 naming the window and its end (the refusal audited); an operator cannot
// override it, nor set a freeze; an admin's override with a reason restarts
// the service, and the override is audited with its reason before the
// restart; once the window is deleted, changes go through again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CommandView, CommonsDetail, Problem } from '../../contracts/api';
import type { WindowView } from '../../contracts/windows';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';

const MIDRC = DEMO_COMMONS[1];
const ID = 'data-midrc-org';

describe('deny windows', () => {
  let fleet: TestFleet;
  let operator: string;
  let freeze: WindowView;
  const auditOf = async (action: string) => (await fleet.admin<{ items: AuditEntry[] }>('GET', `/api/v1/audit?action=${encodeURIComponent(action)}&limit=200`)).body.items;
  const restart = (token: string, body?: unknown) => fleet.api<{ command: { id: string } } & Problem>(token, 'POST', `/api/v1/commons/${ID}/services/fence/restart`, body);
  const spec = () => ({
    name: 'year-end freeze',
    kind: 'deny',
    target: { commons: [ID] },
    schedule: { start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() },
    timeZone: 'America/Chicago',
    reason: 'year-end reporting',
  });

  before(async () => {
    fleet = await TestFleet.start({ commons: [MIDRC] });
    operator = await fleet.tokenFor('operator');
    await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
  });
  after(() => fleet.stop());

  it('only an admin sets a freeze: an operator is refused with 403 naming body.kind', async () => {
    const r = await fleet.api<Problem>(operator, 'POST', '/api/v1/windows', spec());
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.deepEqual(r.body.errors?.map((e) => e.field), ['body.kind']);
    assert.equal((await auditOf('window.create')).filter((e) => e.outcome === 'denied').length, 1);
    const created = await fleet.admin<WindowView>('POST', '/api/v1/windows', spec());
    assert.equal(created.status, 201, JSON.stringify(created.body));
    freeze = created.body;
    assert.ok(freeze.current, 'in progress now');
    const listed = await fleet.api<{ items: WindowView[] }>(operator, 'GET', `/api/v1/windows?kind=deny&commons=${ID}`);
    assert.deepEqual(listed.body.items.map((w) => w.id), [freeze.id]);
  });

  it("refuses an operator's restart with 409 naming the window and its end; the refusal is audited", async () => {
    const r = await restart(operator, { reason: 'rotate keys' });
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.match(r.body.detail, new RegExp(`refused by deny-window: ${ID} is in deny window "year-end freeze" \\(${freeze.id}\\) until ${freeze.current!.end.replace(/[.]/g, '\\.')} \\(.* C[SD]T \\(UTC−0[56]:00\\)\\): year-end reporting`));
    assert.deepEqual(r.body.errors?.map((e) => e.field), ['body.override']);
    const denied = (await auditOf('service.restart')).filter((e) => e.outcome === 'denied');
    assert.equal(denied.length, 1);
    assert.equal((denied[0].detail as { rule?: string }).rule, 'deny-window');
    // An operator may not override it.
    const op = await restart(operator, { override: { reason: 'please' } });
    assert.equal(op.status, 403, JSON.stringify(op.body));
  });

  it("an admin's override with a reason restarts the service; the override is audited with its reason", async () => {
    const r = await restart((await fleet.tokenFor('admin')), { override: { reason: 'security hotfix' } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const done = await eventually(async () => {
      const c = (await fleet.admin<CommandView>('GET', `/api/v1/commands/${r.body.command.id}`)).body;
      return c.state === 'succeeded' && c;
    }, { what: 'the restart to succeed' });
    assert.equal(done.kind, 'restart');
    const [override] = await auditOf('window.override');
    assert.equal(override.actor, 'token:test-admin');
    assert.equal(override.commons, ID);
    assert.equal((override.detail as { reason: string }).reason, 'security hotfix');
    assert.equal((override.detail as { windows: { name: string }[] }).windows[0].name, 'year-end freeze');
    const accepted = (await auditOf('service.restart')).filter((e) => e.outcome === 'accepted');
    assert.equal(accepted.length, 1);
    assert.ok(Date.parse(override.at) <= Date.parse(accepted[0].at), 'the override is audited before the restart');
  });

  it('once the window is deleted, the restart goes through', async () => {
    assert.equal((await fleet.admin('DELETE', `/api/v1/windows/${freeze.id}`)).status, 204);
    const r = await restart(operator);
    assert.equal(r.status, 202, JSON.stringify(r.body));
  });
});
