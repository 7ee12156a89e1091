// Rollout waves and the rollout state machine (backend/rollouts/waves.ts,
// state.ts): who goes in which wave, who starts next under maxInFlight, that
// a failure starts nothing more, and which finished commons a rollback takes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planWaves } from '../../backend/rollouts/waves';
import { ACTIONS, allDone, currentWave, nextToRollBack, nextToStart, rollbackOver, waveProgress, type TargetLike } from '../../backend/rollouts/state';
import { RolloutRequest } from '../../contracts/rollouts';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);

describe('planWaves', () => {
  it('puts the canary alone first, then the rest in two waves by default (20 commons: 1, 10, 9)', () => {
    const w = planWaves(ids(20), {});
    assert.deepEqual(w.map((x) => x.length), [1, 10, 9]);
    assert.deepEqual(w[0], ['c01']);
    assert.deepEqual(w.flat().sort(), ids(20));
  });

  it('takes a chosen canary out of its place, and waves or batch size', () => {
    const w = planWaves(ids(7), { canary: 'c05', waves: 3 });
    assert.deepEqual(w, [['c05'], ['c01', 'c02'], ['c03', 'c04'], ['c06', 'c07']]);
    assert.deepEqual(planWaves(ids(6), { batchSize: 2 }), [['c01'], ['c02', 'c03'], ['c04', 'c05'], ['c06']]);
    assert.deepEqual(planWaves(ids(3), { waves: 10 }), [['c01'], ['c02'], ['c03']]);
    assert.deepEqual(planWaves(['a'], {}), [['a']]);
    assert.deepEqual(planWaves([], {}), []);
  });

  it('refuses a canary that is not a target, and repeats count once', () => {
    assert.throws(() => planWaves(ids(3), { canary: 'zz' }), /zz is not one of/);
    assert.deepEqual(planWaves(['a', 'b', 'a'], {}), [['a'], ['b']]);
  });

  it('the request schema refuses waves with batchSize, and apply without a reason, naming the field', () => {
    const base = { target: { commons: ['a'] }, change: { release: '2026.07' } };
    const both = RolloutRequest.safeParse({ ...base, waves: { waves: 2, batchSize: 3 }, mode: 'plan' });
    assert.ok(!both.success && both.error.issues.some((i) => i.path.join('.') === 'waves.batchSize'));
    const noReason = RolloutRequest.safeParse({ ...base, mode: 'apply' });
    assert.ok(!noReason.success && noReason.error.issues.some((i) => i.path.join('.') === 'reason'));
    const ok = RolloutRequest.parse({ ...base, mode: 'plan' });
    assert.deepEqual([ok.waves.maxInFlight, ok.waves.soakSeconds], [5, 60]);
    assert.ok(!RolloutRequest.safeParse({ target: { group: 'Not A Group' }, change: { release: '2026.07' }, mode: 'plan' }).success);
  });
});

const t = (commons: string, wave: number, position: number, state: string, extra: Partial<TargetLike> = {}): TargetLike => ({ commons_id: commons, wave, position, state, deployment_id: null, from_revision: null, ...extra });

describe('the rollout state machine', () => {
  it('starts the canary alone, then a wave only once the one before is done, up to maxInFlight', () => {
    const ts = [t('a', 1, 0, 'pending'), t('b', 2, 0, 'pending'), t('c', 2, 1, 'pending'), t('d', 2, 2, 'pending'), t('e', 3, 0, 'pending')];
    assert.deepEqual(nextToStart(ts, 5), ['a']);
    ts[0].state = 'soaking';
    assert.deepEqual(nextToStart(ts, 5), [], 'the canary soaking holds wave 2');
    ts[0].state = 'done';
    assert.equal(currentWave(ts), 2);
    assert.deepEqual(nextToStart(ts, 2), ['b', 'c']);
    ts[1].state = 'deploying';
    ts[2].state = 'soaking';
    assert.deepEqual(nextToStart(ts, 2), [], 'two in flight');
    ts[1].state = 'done';
    assert.deepEqual(nextToStart(ts, 2), ['d']);
    ts[2].state = 'done';
    ts[3].state = 'done';
    assert.deepEqual(nextToStart(ts, 2), ['e']);
    ts[4].state = 'done';
    assert.ok(allDone(ts));
    assert.equal(currentWave(ts), undefined);
  });

  it('starts nothing while any commons has failed, in any wave', () => {
    const ts = [t('a', 1, 0, 'done'), t('b', 2, 0, 'failed'), t('c', 2, 1, 'pending')];
    assert.deepEqual(nextToStart(ts, 5), []);
    assert.deepEqual(waveProgress(ts), [
      { wave: 1, state: 'done', done: 1, total: 1 },
      { wave: 2, state: 'failed', done: 0, total: 2 },
    ]);
  });

  it('allows each action only from the states it names', () => {
    assert.deepEqual(ACTIONS.resume.from, ['paused', 'paused-on-failure']);
    assert.ok(!ACTIONS.rollback.from.includes('running'), 'a running rollout is paused or aborted before it is rolled back');
    assert.ok(!ACTIONS.abort.from.includes('completed'));
    assert.equal(ACTIONS.abort.to, 'aborted');
  });

  it('rolls back every commons the rollout deployed, not those it skipped, at most maxInFlight at once', () => {
    const dep = (n: number) => ({ deployment_id: `d${n}`, from_revision: n });
    const ts = [
      t('a', 1, 0, 'done', dep(1)),
      t('b', 2, 0, 'done', dep(2)),
      t('c', 2, 1, 'failed', dep(3)),
      t('d', 2, 2, 'soaking', dep(4)),
      t('e', 2, 3, 'done', { deployment_id: 'd5', from_revision: null }),
      t('f', 3, 0, 'skipped'),
      t('g', 2, 4, 'failed'),
    ];
    const r = nextToRollBack(ts, 3);
    assert.deepEqual(r.start, ['a', 'b', 'c']);
    assert.deepEqual(r.cannot.map((x) => x.commons), ['e', 'g']);
    ts[0].state = 'rolling-back';
    ts[1].state = 'rolling-back';
    assert.deepEqual(nextToRollBack(ts, 3).start, ['c']);
    assert.ok(!rollbackOver(ts));
    for (const x of ts) if (['a', 'b', 'c', 'd'].includes(x.commons_id)) x.state = 'rolled-back';
    ts[4].state = 'not-rolled-back';
    ts[6].state = 'not-rolled-back';
    assert.ok(rollbackOver(ts));
  });

  it('waits for a commons still deploying before the rollback is over', () => {
    const ts = [t('a', 1, 0, 'rolled-back', { deployment_id: 'd1', from_revision: 1 }), t('b', 2, 0, 'deploying', { deployment_id: 'd2', from_revision: 1 })];
    assert.deepEqual(nextToRollBack(ts, 5).start, []);
    assert.ok(!rollbackOver(ts));
  });
});
