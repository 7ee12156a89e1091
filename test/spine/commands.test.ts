// Restart and scale through the API, with roles and the audit log
//.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CommandView, CommonsDetail } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';

const MIDRC = DEMO_COMMONS[1];
const ID = 'data-midrc-org';

describe('restart and scale through the API', () => {
  let fleet: TestFleet;
  let operator: string;
  let viewer: string;

  before(async () => {
    fleet = await TestFleet.start({ commons: [MIDRC] });
    operator = await fleet.tokenFor('operator');
    viewer = await fleet.tokenFor('viewer');
    await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
  });
  after(() => fleet.stop());

  const waitFinal = (id: string) =>
    eventually(
      async () => {
        const r = await fleet.api<CommandView>(operator, 'GET', `/api/v1/commands/${id}`);
        return ['succeeded', 'failed', 'expired', 'cancelled'].includes(r.body.state) && r.body;
      },
      { what: `command ${id} to finish` },
    );

  it('an operator restarts fence: 202, the rollout shows in the service state, the command succeeds', async () => {
    const r = await fleet.api<{ command: { id: string } }>(operator, 'POST', `/api/v1/commons/${ID}/services/fence/restart`);
    assert.equal(r.status, 202);
    const id = r.body.command.id;
    // The rollout is visible: fewer ready than desired or pods not yet updated, while it runs.
    const during = await eventually(async () => {
      const fence = (await fleet.api<CommonsDetail>(operator, 'GET', `/api/v1/commons/${ID}`)).body.services.find((s) => s.name === 'fence')!;
      return fence.rollout ? fence : undefined;
    }, { what: 'fence to report its rollout' });
    assert.match(during.rollout!, /^Waiting for deployment "fence-deployment" rollout to finish: /);
    const done = await waitFinal(id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.ok(done.progress.some((p) => p.state === 'running' && /updated/.test(p.message)), 'progress messages follow the rollout');
    const target = done.target.restartedAt as string;
    const fence = await eventually(async () => {
      const s = (await fleet.api<CommonsDetail>(operator, 'GET', `/api/v1/commons/${ID}`)).body.services.find((x) => x.name === 'fence')!;
      return s.restartedAt === target && s.readyReplicas === s.desiredReplicas && s;
    }, { what: 'fence to settle on the new restartedAt' });
    assert.equal(fence.status, 'healthy');
    const sim = await fleet.simState(MIDRC.hostname);
    assert.equal(sim.services.fence.rollouts, 1);
    assert.equal(sim.services.fence.restartedAt, target);
  });

  it('an operator scales indexd: 202, ready replicas follow, the command succeeds', async () => {
    const r = await fleet.api<{ command: { id: string } }>(operator, 'POST', `/api/v1/commons/${ID}/services/indexd/scale`, { replicas: 6 });
    assert.equal(r.status, 202);
    const done = await waitFinal(r.body.command.id);
    assert.equal(done.state, 'succeeded', done.message);
    const indexd = (await fleet.api<CommonsDetail>(operator, 'GET', `/api/v1/commons/${ID}`)).body.services.find((s) => s.name === 'indexd')!;
    assert.equal(indexd.desiredReplicas, 6);
    assert.equal(indexd.readyReplicas, 6);
  });

  it('an operator runs a Job from one of its CronJobs; a CronJob it does not have is refused before anything is queued', async () => {
    // fence-delete-expired-clients: rendered by gen3-helm's default values (42cc46bc, helm/fence/templates/fence-delete-expired-clients-cron.yaml).
    const r = await fleet.api<{ command: { id: string } }>(operator, 'POST', `/api/v1/commons/${ID}/jobs/fence-delete-expired-clients/run`);
    assert.equal(r.status, 202);
    const done = await waitFinal(r.body.command.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.match(done.message, /fence-delete-expired-clients-dcoc-[0-9a-f]{10}: 1\/1 succeeded/);
    const before = (await fleet.admin<{ items: CommandView[] }>('GET', `/api/v1/commands?commons=${ID}`)).body.items.length;
    const bad = await fleet.api<{ errors: { field: string }[] }>(operator, 'POST', `/api/v1/commons/${ID}/jobs/no-such-job/run`);
    assert.equal(bad.status, 404);
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['path.cronjob']);
    assert.equal((await fleet.admin<{ items: CommandView[] }>('GET', `/api/v1/commands?commons=${ID}`)).body.items.length, before);
  });

  it('a viewer gets 403 and no credential gets 401; nothing is queued', async () => {
    const before = (await fleet.admin<{ items: CommandView[] }>('GET', `/api/v1/commands?commons=${ID}`)).body.items.length;
    const v = await fleet.api<{ title: string; detail: string }>(viewer, 'POST', `/api/v1/commons/${ID}/services/fence/restart`);
    assert.equal(v.status, 403);
    assert.match(v.body.detail, /role viewer/);
    const vs = await fleet.api(viewer, 'POST', `/api/v1/commons/${ID}/services/fence/scale`, { replicas: 2 });
    assert.equal(vs.status, 403);
    const n = await fleet.api(null, 'POST', `/api/v1/commons/${ID}/services/fence/restart`);
    assert.equal(n.status, 401);
    const forged = await fleet.api('dcoc_not-a-real-token', 'POST', `/api/v1/commons/${ID}/services/fence/restart`);
    assert.equal(forged.status, 401);
    const after = (await fleet.admin<{ items: CommandView[] }>('GET', `/api/v1/commands?commons=${ID}`)).body.items.length;
    assert.equal(after, before);
  });

  it('the audit log names the actor of each attempt, with its outcome', async () => {
    const audit = (await fleet.admin<{ items: (AuditEntry & { result: string })[] }>('GET', '/api/v1/audit?limit=100')).body.items;
    const restart = audit.find((e) => e.action === 'service.restart' && e.outcome === 'accepted');
    assert.equal(restart?.actor, 'token:test-operator');
    assert.equal(restart?.role, 'operator');
    assert.equal(restart?.result, 'succeeded');
    assert.equal(audit.find((e) => e.action === 'service.scale' && e.outcome === 'accepted')?.actor, 'token:test-operator');
    const denied = audit.filter((e) => e.outcome === 'denied');
    assert.ok(denied.some((e) => e.actor === 'token:test-viewer' && e.action === 'service.restart' && e.service === 'fence'));
    assert.ok(denied.some((e) => e.actor === 'token:test-viewer' && e.action === 'service.scale'));
    const rejected = audit.filter((e) => e.outcome === 'rejected');
    // The unauthenticated attempts, and the operator's run of a CronJob the commons does not have.
    const anonymous = rejected.filter((e) => e.actor === 'anonymous');
    assert.ok(anonymous.length >= 2);
    assert.ok(anonymous.some((e) => /missing bearer/.test(String(e.detail.reason))));
    assert.deepEqual(
      rejected.filter((e) => e.actor !== 'anonymous').map((e) => [e.actor, e.action, e.detail.status]),
      [['token:test-operator', 'POST /api/v1/commons/:id/jobs/:cronjob/run', 404]],
    );
  });

  it('a viewer cannot read the audit log', async () => {
    assert.equal((await fleet.api(viewer, 'GET', '/api/v1/audit')).status, 403);
  });
});
