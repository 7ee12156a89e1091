// A progressive rollout of a release to 20 simulated commons in 3 waves (a
// canary, then 10 and 9 with at most 4 in flight): a commons made unhealthy
// while it soaks in wave 2 stops the rollout there; fixed and resumed, the
// rollout goes on; the control service killed (SIGKILL) mid-wave 3 carries on
// after its restart and every commons got exactly one deployment. A second
// rollout, aborted in wave 2 and rolled back, leaves every commons it had
// finished as it was before, and those it had not started untouched.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeploymentView, RevisionSummary } from '../../contracts/api';
import type { RolloutPlan, RolloutView } from '../../contracts/rollouts';
import type { CommonsSpec } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';

const COUNT = 20;
const SPECS: CommonsSpec[] = Array.from({ length: COUNT }, (_, i) => {
  const n = String(i + 1).padStart(2, '0');
  return { hostname: `rc${n}.rollout.example.org`, environment: `rc${n}`, name: `Rollout commons ${n}`, release: '2026.06', size: 'small' };
});
const idOf = (s: CommonsSpec) => s.hostname.replaceAll('.', '-');
const IDS = SPECS.map(idOf);
const specOf = (id: string) => SPECS.find((s) => idOf(s) === id)!;

describe('progressive rollout to 20 commons', () => {
  let fleet: TestFleet;
  let operator: string;
  /** Each commons' service images once the first rollout completed. */
  const imagesAfterFirst = new Map<string, Record<string, string>>();

  const rollout = async (id: string) => (await fleet.api<RolloutView>(operator, 'GET', `/api/v1/rollouts/${id}`)).body;
  const act = async (id: string, action: string) => {
    const r = await fleet.api<{ rollout: RolloutView }>(operator, 'POST', `/api/v1/rollouts/${id}/${action}`, { reason: `test ${action}` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.rollout;
  };
  const until = (id: string, what: string, ok: (r: RolloutView) => boolean, timeoutMs = 120_000) =>
    eventually(
      async () => {
        const r = await rollout(id);
        return ok(r) && r;
      },
      { what, timeoutMs, intervalMs: 100 },
    );
  const deploymentsOf = async (commons: string) => (await fleet.admin<{ items: DeploymentView[] }>('GET', `/api/v1/deployments?commons=${commons}&limit=50`)).body.items;
  const images = async (commons: string) => Object.fromEntries(Object.entries((await fleet.simState(specOf(commons).hostname)).services).map(([n, s]) => [n, (s as unknown as { image: string }).image]));

  before(async () => {
    fleet = await TestFleet.start({ commons: [], tickMs: 100, podStartMs: 200 });
    // Two agents start at a time: each is a node process compiling TypeScript, on a machine shared with other tests.
    for (let i = 0; i < COUNT; i += 2) await Promise.all(SPECS.slice(i, i + 2).map((s) => fleet.addAgent(s)));
    await fleet.healthyCommons(COUNT, 180_000);
    operator = await fleet.tokenFor('operator');
  });
  after(() => fleet?.stop());

  let firstId = '';

  it('plans 3 waves with every commons diff, and writes nothing', async () => {
    const r = await fleet.api<RolloutPlan>(operator, 'POST', '/api/v1/rollouts', {
      target: { commons: IDS },
      change: { release: '2026.07', template: 'gen3-default', profile: 'dev' },
      waves: { canary: IDS[0], maxInFlight: 4, soakSeconds: 2 },
      mode: 'plan',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.waves.map((w) => w.commons.length),
      [1, 10, 9],
    );
    assert.deepEqual(r.body.waves[0].commons, [IDS[0]]);
    assert.equal(r.body.commons.length, COUNT);
    for (const c of r.body.commons) {
      assert.ok(c.diff.changes.length > 0 && c.diff.text.includes('2026.07'), `${c.commons}: a diff to 2026.07`);
      assert.equal(c.release.to, '2026.07');
    }
    assert.equal((await fleet.api<{ items: RolloutView[] }>(operator, 'GET', '/api/v1/rollouts')).body.items.length, 0);
    for (const id of IDS.slice(0, 3)) assert.equal((await deploymentsOf(id)).length, 0);
  });

  it('refuses a bad rollout naming the field, and a viewer', async () => {
    const bad = await fleet.api<{ errors: { field: string }[] }>(operator, 'POST', '/api/v1/rollouts', { target: { commons: IDS }, change: { release: '2026.07', template: 'gen3-default', profile: 'dev' }, waves: { canary: 'nope-example-org' }, mode: 'apply', reason: 'x' });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.errors.some((e) => e.field === 'body.waves.canary'), JSON.stringify(bad.body));
    const noTemplate = await fleet.api<{ errors: { field: string }[] }>(operator, 'POST', '/api/v1/rollouts', { target: { commons: IDS.slice(0, 2) }, change: { release: '2026.07' }, mode: 'plan' });
    assert.equal(noTemplate.status, 422);
    assert.ok(noTemplate.body.errors.some((e) => e.field === 'body.change.template'), JSON.stringify(noTemplate.body));
    const viewer = await fleet.tokenFor('viewer');
    assert.equal((await fleet.api(viewer, 'POST', '/api/v1/rollouts', { target: { commons: IDS }, change: { release: '2026.07' }, mode: 'plan' })).status, 403);
    assert.equal((await fleet.api<{ items: RolloutView[] }>(operator, 'GET', '/api/v1/rollouts')).body.items.length, 0);
  });

  it('stops on a commons made unhealthy in wave 2; resumed after the fix, survives a SIGKILL mid-wave 3 without deploying any commons twice', async () => {
    const start = await fleet.api<{ rollout: RolloutView }>(operator, 'POST', '/api/v1/rollouts', {
      target: { commons: IDS },
      change: { release: '2026.07', template: 'gen3-default', profile: 'dev' },
      waves: { canary: IDS[0], maxInFlight: 4, soakSeconds: 3 },
      reason: 'release 2026.07 to the fleet',
      mode: 'apply',
    });
    assert.equal(start.status, 202, JSON.stringify(start.body));
    firstId = start.body.rollout.id;
    const wave2 = start.body.rollout.targets.filter((t) => t.wave === 2).map((t) => t.commons);
    const wave3 = start.body.rollout.targets.filter((t) => t.wave === 3).map((t) => t.commons);
    const victim = wave2[0];

    // The victim's deployment succeeded and it soaks: a service of it stops.
    await until(firstId, `${victim} to soak`, (r) => r.targets.find((t) => t.commons === victim)!.state === 'soaking');
    const service = Object.keys((await fleet.simState(specOf(victim).hostname)).services).find((s) => s === 'fence') ?? Object.keys((await fleet.simState(specOf(victim).hostname)).services)[0];
    await fleet.simFault(specOf(victim).hostname, service, 'down');
    const paused = await until(firstId, 'the rollout to stop on the victim', (r) => r.state === 'paused-on-failure');
    assert.equal(paused.failure?.commons, victim, JSON.stringify(paused.failure));
    assert.match(paused.failure!.reason, new RegExp(`${victim} is (down|degraded)`));
    assert.equal(paused.targets.find((t) => t.commons === victim)!.state, 'failed');
    // What was in flight finishes; nothing new starts, and wave 3 is untouched.
    const settled = await until(firstId, 'in-flight commons to settle', (r) => r.targets.every((t) => !['deploying', 'soaking'].includes(t.state)), 60_000);
    assert.ok(settled.targets.filter((t) => t.wave === 3).every((t) => t.state === 'pending' && t.deployment === null));
    const pendingInWave2 = settled.targets.filter((t) => t.wave === 2 && t.state === 'pending').length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await rollout(firstId)).targets.filter((t) => t.wave === 2 && t.state === 'pending').length, pendingInWave2, 'no commons starts while paused on a failure');
    assert.equal((await rollout(firstId)).state, 'paused-on-failure');

    // Fixed and resumed: the victim soaks again (no second deployment) and the rollout goes on.
    await fleet.simFault(specOf(victim).hostname, service, 'none');
    await eventually(async () => (await fleet.admin<{ status: string }>('GET', `/api/v1/commons/${victim}`)).body.status === 'healthy', { what: `${victim} healthy again` });
    assert.equal((await act(firstId, 'resume')).state, 'running');

    // Killed mid-wave 3.
    await until(firstId, 'wave 3 to be under way', (r) => r.targets.some((t) => t.wave === 3 && t.state === 'deploying'));
    fleet.control.child.kill('SIGKILL');
    await fleet.control.exited;
    await fleet.restartControl();

    const done = await until(firstId, 'the rollout to complete', (r) => r.state === 'completed', 180_000);
    assert.ok(done.targets.every((t) => t.state === 'done' && t.attempts === 1), JSON.stringify(done.targets.filter((t) => t.state !== 'done' || t.attempts !== 1)));
    assert.deepEqual(done.waves.map((w) => [w.state, w.done, w.total]), [['done', 1, 1], ['done', 10, 10], ['done', 9, 9]]);
    for (const t of done.targets) {
      const deps = await deploymentsOf(t.commons);
      assert.equal(deps.length, 1, `${t.commons}: one deployment, got ${deps.length}`);
      assert.equal(deps[0].id, t.deployment);
      assert.equal(deps[0].state, 'succeeded');
      const sim = await fleet.simState(specOf(t.commons).hostname);
      for (const [name, s] of Object.entries(sim.services)) assert.ok(s.rollouts <= 1, `${t.commons} ${name} rolled ${s.rollouts} times`);
      imagesAfterFirst.set(t.commons, await images(t.commons));
    }
    assert.ok(wave3.every((c) => done.targets.find((t) => t.commons === c)!.wave === 3));
  });

  it('abort in wave 2 keeps finished commons; rollback returns every finished commons to its revision before', async () => {
    assert.ok(firstId, 'needs the first rollout');
    const start = await fleet.api<{ rollout: RolloutView }>(operator, 'POST', '/api/v1/rollouts', {
      target: { commons: IDS },
      change: { release: '2026.08' },
      waves: { maxInFlight: 3, soakSeconds: 1 },
      reason: 'release 2026.08 to the fleet',
      mode: 'apply',
    });
    assert.equal(start.status, 202, JSON.stringify(start.body));
    const id = start.body.rollout.id;
    await until(id, 'three wave-2 commons done', (r) => r.targets.filter((t) => t.wave === 2 && t.state === 'done').length >= 3);
    const aborted = await act(id, 'abort');
    assert.equal(aborted.state, 'aborted');
    assert.ok(aborted.targets.filter((t) => t.wave === 3).every((t) => t.state === 'skipped'));
    const settled = await until(id, 'in-flight commons to finish', (r) => r.targets.every((t) => !['deploying', 'soaking', 'pending'].includes(t.state)), 60_000);
    const finished = settled.targets.filter((t) => t.deployment !== null).map((t) => t.commons);
    assert.ok(finished.length >= 4 && finished.length < COUNT, `finished: ${finished.length}`);
    assert.equal((await rollout(id)).state, 'aborted', 'abort leaves finished commons as they are');
    for (const c of finished) assert.notDeepEqual(await images(c), imagesAfterFirst.get(c), `${c} runs 2026.08's images`);

    assert.equal((await act(id, 'rollback')).state, 'rolling-back');
    const back = await until(id, 'the rollback to finish', (r) => r.state === 'rolled-back', 120_000);
    for (const t of back.targets) {
      if (finished.includes(t.commons)) {
        assert.equal(t.state, 'rolled-back', `${t.commons}: ${t.message}`);
        const revs = (await fleet.admin<{ items: RevisionSummary[] }>('GET', `/api/v1/commons/${t.commons}/revisions`)).body.items;
        assert.equal(revs[0].kind, 'rollback');
        assert.equal(revs[0].rollbackOf, t.fromRevision);
      } else {
        assert.equal(t.state, 'skipped');
        assert.equal((await deploymentsOf(t.commons)).length, 1, `${t.commons} was not touched`);
      }
      await eventually(async () => JSON.stringify(await images(t.commons)) === JSON.stringify(imagesAfterFirst.get(t.commons)), { what: `${t.commons} back at its images before the rollout` });
    }
  });
});
