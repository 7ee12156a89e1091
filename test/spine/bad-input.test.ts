// Bad input gets problem+json naming the field at fault, and changes
// nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommandView, CommonsDetail, Problem } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { ADMIN_TOKEN, type SimState, TestFleet, eventually } from '../support/fleet';

const HEAL = DEMO_COMMONS[2];
const ID = 'healdata-org';

describe('bad input', () => {
  let fleet: TestFleet;
  let before0: { sim: SimState; commands: number; audit: number };

  const raw = async (method: string, path: string, body: string, contentType = 'application/json') => {
    const r = await fetch(`${fleet.control.url}${path}`, { method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': contentType }, body: method === 'GET' ? undefined : body });
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as Problem };
  };
  const scale = (body: unknown) => raw('POST', `/api/v1/commons/${ID}/services/fence/scale`, JSON.stringify(body));
  const counts = async () => ({
    sim: await fleet.simState(HEAL.hostname),
    commands: (await fleet.admin<{ items: CommandView[] }>('GET', '/api/v1/commands')).body.items.length,
    audit: (await fleet.admin<{ items: { outcome: string }[] }>('GET', '/api/v1/audit')).body.items.filter((e) => e.outcome === 'accepted').length,
  });

  before(async () => {
    fleet = await TestFleet.start({ commons: [HEAL] });
    await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
    before0 = await counts();
  });
  after(() => fleet.stop());

  const isProblem = (r: { status: number; type: string; body: Problem }, status: number, field?: string) => {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.match(r.type, /^application\/problem\+json/);
    assert.equal(r.body.status, status);
    assert.ok(r.body.title && r.body.detail && r.body.type);
    if (field) assert.ok(r.body.errors?.some((e) => e.field === field), `errors name ${field}: ${JSON.stringify(r.body.errors)}`);
  };

  it('malformed JSON → 400', async () => isProblem(await raw('POST', `/api/v1/commons/${ID}/services/fence/scale`, '{"replicas": 3'), 400, 'body'));

  it('replicas -1, 1e9, "3", 2.5 and missing → 422 naming body.replicas', async () => {
    for (const replicas of [-1, 1e9, '3', 2.5, null]) isProblem(await scale({ replicas }), 422, 'body.replicas');
    isProblem(await scale({}), 422, 'body.replicas');
  });

  it('unknown fields → 422 naming each', async () => {
    const r = await scale({ replicas: 3, force: true, dryRun: 1 });
    isProblem(r, 422, 'body.force');
    assert.ok(r.body.errors?.some((e) => e.field === 'body.dryRun'));
    isProblem(await raw('POST', `/api/v1/commons/${ID}/services/fence/restart`, '{"when":"now"}'), 422, 'body.when');
  });

  it('unknown commons or service → 404; a malformed one → 422 naming the path', async () => {
    isProblem(await raw('POST', '/api/v1/commons/no-such-commons/services/fence/restart', ''), 404);
    const unknownSvc = await raw('POST', `/api/v1/commons/${ID}/services/guppy/restart`, '');
    isProblem(unknownSvc, 404);
    assert.match(unknownSvc.body.detail, /known: .*fence/);
    isProblem(await raw('POST', `/api/v1/commons/${ID}/services/Fence_X/restart`, ''), 422, 'path.service');
    isProblem(await raw('GET', '/api/v1/commands/not-a-uuid', ''), 422, 'path.id');
  });

  it('a 10 MB body → 413', async () => {
    const big = 'a'.repeat(10 * 1024 * 1024);
    const r = await fetch(`${fleet.control.url}/api/v1/commons/${ID}/config`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: big,
    }).catch((e: Error) => e);
    // The server may answer 413 and close before the whole body is sent; either way nothing is accepted.
    if (!(r instanceof Error)) {
      assert.equal(r.status, 413);
      assert.equal(((await r.json()) as Problem).status, 413);
    }
  });

  it('a wrong content type → 415', async () => isProblem(await raw('POST', `/api/v1/commons/${ID}/services/fence/scale`, 'replicas=3', 'application/x-www-form-urlencoded'), 415));

  it('a stale config baseRevision → 409, and the current revision is named', async () => {
    const { revision: current, data } = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body.config;
    const r = await raw('PUT', `/api/v1/commons/${ID}/config`, JSON.stringify({ data: { ...data, maintenance_mode: 'on' }, baseRevision: current - 1, reason: 'maintenance' }));
    isProblem(r, 409, 'body.baseRevision');
    assert.match(r.body.detail, new RegExp(`revision ${current}`));
  });

  it('bad query parameters → 422', async () => {
    isProblem(await raw('GET', '/api/v1/commands?status=failed,exploded', ''), 422, 'query.status.1');
    isProblem(await raw('GET', '/api/v1/audit?limit=0', ''), 422, 'query.limit');
    isProblem(await raw('GET', '/api/v1/commands?colour=red', ''), 422, 'query.colour');
    isProblem(await raw('GET', '/api/v1/fleet/summary?from=yesterday', ''), 422, 'query.from');
    isProblem(await raw('GET', '/api/v1/fleet/summary?from=2026-12-04T12:00:00Z&to=2026-12-04T11:00:00Z', ''), 422, 'query.from');
    isProblem(await raw('GET', '/api/v1/fleet/summary?services=yes', ''), 422, 'query.services');
    isProblem(await raw('GET', '/api/v1/fleet/summary?service=Not_A_Label', ''), 422, 'query.service');
  });

  it('none of it changed anything', async () => {
    const now = await counts();
    assert.equal(now.commands, before0.commands);
    assert.equal(now.audit, before0.audit);
    assert.deepEqual(
      Object.fromEntries(Object.entries(now.sim.services).map(([k, v]) => [k, [v.rollouts, v.scales, v.desired]])),
      Object.fromEntries(Object.entries(before0.sim.services).map(([k, v]) => [k, [v.rollouts, v.scales, v.desired]])),
    );
    assert.equal(now.sim.configWrites, before0.sim.configWrites);
  });

  it('a good config change moves the revision, and a second one on the old base is refused with 409', async () => {
    const { revision: base, data } = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body.config;
    const ok = await fleet.admin<{ command: { id: string }; revision: number }>('PUT', `/api/v1/commons/${ID}/config`, { data: { ...data, maintenance_mode: 'on' }, baseRevision: base, reason: 'maintenance' });
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
    const stale = await raw('PUT', `/api/v1/commons/${ID}/config`, JSON.stringify({ data: { ...data, maintenance_mode: 'off' }, baseRevision: base, reason: 'maintenance over' }));
    assert.equal(stale.status, 409);
    const c = await eventually(async () => {
      const v = (await fleet.admin<CommandView>('GET', `/api/v1/commands/${ok.body.command.id}`)).body;
      return v.state === 'succeeded' && v;
    }, { what: 'the config change to apply' });
    assert.equal(c.target.revision, base + 1);
    const detail = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
    assert.equal(detail.config.revision, base + 1);
    assert.equal(detail.config.data.maintenance_mode, 'on');
    assert.equal((await fleet.simState(HEAL.hostname)).configWrites, before0.sim.configWrites + 1);
    const revisions = (await fleet.admin<{ items: { revision: number; state: string; author: string }[] }>('GET', `/api/v1/commons/${ID}/config/revisions`)).body.items;
    assert.deepEqual(revisions[0], { ...revisions[0], revision: base + 1, state: 'applied', author: 'token:admin (DCOC_ADMIN_TOKEN)' });
  });
});
