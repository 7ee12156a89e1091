// The agent's deploy executor on the simulated commons, in process: target
// state (a repeat changes nothing), per-service progress, a crash-looping
// service failing the deploy, cancel, and services the commons does not run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceProgress } from '../../contracts/api';
import type { CommandSpec, ExecContext } from '../../agent/executors/executor';
import { SimCommons } from '../../agent/simulate/model';
import { simDeployExecutor } from '../../agent/simulate/sim-deploy';

let seq = 0;
const cmd = (target: Record<string, unknown>, deadlineMs = Date.now() + 60_000): CommandSpec => ({
  id: `00000000-0000-4000-9000-${String(++seq).padStart(12, '0')}`,
  kind: 'deploy',
  service: '',
  target,
  deadlineMs,
  createdAtMs: Date.now(),
});

function run(sim: SimCommons, c: CommandSpec, abortWhen?: (services: ServiceProgress[]) => boolean) {
  const ac = new AbortController();
  const reports: { message: string; percent: number; services: ServiceProgress[] }[] = [];
  const ctx: ExecContext = {
    signal: ac.signal,
    progress: (message, percent, result) => {
      const services = (result?.services ?? []) as ServiceProgress[];
      reports.push({ message, percent, services });
      if (abortWhen?.(services)) ac.abort('operator cancelled');
    },
  };
  return simDeployExecutor(sim)
    .execute(c, ctx)
    .then(
      (r) => ({ ok: true as const, message: r.message, result: r.result, reports }),
      (e: Error) => ({ ok: false as const, message: e.message, result: undefined, reports }),
    );
}

describe('deploy executor (simulated commons)', () => {
  let sim: SimCommons;
  const images = (tag: string) => ({ fence: `quay.io/cdis/fence:${tag}`, 'presigned-url-fence': `quay.io/cdis/fence:${tag}`, indexd: `quay.io/cdis/indexd:${tag}`, arborist: `quay.io/cdis/arborist:${tag}` });

  before(() => {
    sim = new SimCommons({ hostname: 'sim.example.org', environment: 'simprod', name: 'sim', namespace: 'sim', release: '2026.06', services: ['fence', 'presigned-url-fence', 'indexd', 'arborist', 'ambassador'], tickMs: 20, podStartMs: 150 });
    sim.start();
  });
  after(() => sim.stop());

  it('changes only what differs, reports each service from pending to done, and the commons reports the release; a repeat changes nothing', async () => {
    const target = { revision: 1, release: '2026.07', images: { ...images('2026.07'), arborist: 'quay.io/cdis/arborist:2026.06' }, replicas: { indexd: 2 } };
    const r = await run(sim, cmd(target));
    assert.equal(r.ok, true, r.message);
    const final = (r.result as { services: ServiceProgress[]; unchanged: string[] });
    assert.deepEqual(final.services.map((s) => [s.name, s.from, s.to, s.state, s.desired]), [
      ['fence', 'quay.io/cdis/fence:2026.06', 'quay.io/cdis/fence:2026.07', 'done', 3],
      ['indexd', 'quay.io/cdis/indexd:2026.06', 'quay.io/cdis/indexd:2026.07', 'done', 2],
      ['presigned-url-fence', 'quay.io/cdis/fence:2026.06', 'quay.io/cdis/fence:2026.07', 'done', 3],
    ]);
    assert.deepEqual(final.unchanged, ['arborist']);
    assert.deepEqual(r.reports[0].services.map((s) => s.state), ['pending', 'pending', 'pending']);
    assert.ok(r.reports.some((x) => x.services.some((s) => s.state === 'rolling' && s.updated < s.desired)));
    assert.ok(r.reports.some((x) => x.percent > 0 && x.percent < 100), 'percent moves between 0 and 100');
    assert.equal(sim.release, '2026.07');
    const effects = sim.effects();
    assert.deepEqual([effects.fence.rollouts, effects.indexd.rollouts, effects.indexd.scales, effects.arborist.rollouts, effects.ambassador.rollouts], [1, 1, 1, 0, 0]);
    assert.equal(effects.indexd.desired, 2);

    const again = await run(sim, cmd(target));
    assert.equal(again.ok, true, again.message);
    assert.deepEqual((again.result as { services: unknown[] }).services, []);
    assert.match(again.message, /0 service\(s\) changed, 4 already there/);
    assert.equal(sim.effects().fence.rollouts, 1, 'no second rollout');
  });

  it('refuses a service the commons does not run, changing nothing', async () => {
    const r = await run(sim, cmd({ revision: 2, release: '2026.08', images: { ...images('2026.08'), guppy: 'quay.io/cdis/guppy:2026.08' } }));
    assert.equal(r.ok, false);
    assert.match(r.message, /^not deployed in this commons: guppy; nothing was changed/);
    assert.equal(sim.effects().fence.image, 'quay.io/cdis/fence:2026.07');
  });

  it('a service whose new pods crash-loop fails the deploy, naming it', async () => {
    sim.inject('arborist', 'crashloop');
    const r = await run(sim, cmd({ revision: 3, release: '2026.08', images: images('2026.08') }));
    sim.inject('arborist', 'none');
    assert.equal(r.ok, false);
    assert.match(r.message, /^rollout failed: arborist: CrashLoopBackOff: new pods are not becoming ready/);
    const last = r.reports[r.reports.length - 1].services;
    assert.equal(last.find((s) => s.name === 'arborist')?.state, 'failed');
    // What the commons runs: the images were applied (arborist's pods crash on it), so it reports 2026.08.
    assert.equal(sim.release, '2026.08', 'the release the Deployments are on, not the one before the deploy');
  });

  it('cancel stops following the rollout and says what stays applied', async () => {
    const r = await run(sim, cmd({ revision: 4, release: '2026.09', images: images('2026.09') }), (services) => services.some((s) => s.state === 'rolling'));
    assert.equal(r.ok, false);
    assert.match(r.message, /^cancelled: operator cancelled .*what was applied stays, roll back to undo it$/);
    assert.equal(sim.release, '2026.09', 'what was applied stays, and the commons says so');
  });

  it('refuses a malformed target', async () => {
    assert.match((await run(sim, cmd({ release: '2026.09', images: {} }))).message, /target\.revision/);
    assert.match((await run(sim, cmd({ revision: 1, release: '2026.09', images: { fence: 'no-tag' } }))).message, /target\.images/);
    assert.match((await run(sim, cmd({ revision: 1, release: '2026.09', images: {}, replicas: { fence: -1 } }))).message, /target\.replicas/);
  });
});
