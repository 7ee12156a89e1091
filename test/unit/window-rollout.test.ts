// A maintenance window with a rollout action, on both store engines, with the
// real scheduler, rollout service and deny-window check and a clock the test
// sets: each occurrence starts exactly one rollout of the window's commons
// (its group as the target), as the window's author, with the window named in
// its reason, however many replicas tick and however often its start is asked
// again (a restart in the middle of it); the run's result line names the
// rollout. A deny window on one of the commons refuses it, a policy that holds
// it opens an approval: either is the run's line, and no rollout is written.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeploymentRequest } from '../../contracts/api';
import { WindowSpec } from '../../contracts/windows';
import type { ActingPrincipal } from '../../backend/auth/principal';
import { ChangeGate, type GateDecision, type ProposedChange } from '../../backend/changes/gate';
import { NotFound } from '../../backend/domain/errors';
import { EventBus } from '../../backend/events/bus';
import { RolloutService } from '../../backend/rollouts/service';
import type { SqlStore } from '../../backend/store/sql-store';
import { builtinActions, windowRolloutId } from '../../backend/windows/actions';
import { DenyWindowCheck } from '../../backend/windows/deny-check';
import { WindowScheduler } from '../../backend/windows/scheduler';
import { Windows } from '../../backend/windows/windows';
import { createLogger } from '../../lib/logger';
import { storeEngines } from '../support/store-engines';

const log = createLogger('test', 'silent');
const OPERATOR: ActingPrincipal = { actor: 'olga', kind: 'grafana', role: 'operator' };
const ADMIN: ActingPrincipal = { actor: 'ada', kind: 'grafana', role: 'admin' };
const T0 = Date.parse('2026-12-05T02:00:00Z');
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

const groups = {
  commonsIn: async (name: string) => {
    if (name === 'production') return ['data-a', 'data-b', 'data-c'];
    throw new NotFound(`group ${name}`);
  },
};

for (const engine of await storeEngines('window-rollout'))
describe(`a maintenance window's rollout (${engine.name})`, { skip: engine.skip }, () => {
  let store: SqlStore;
  let windows: Windows;
  let rollouts: RolloutService;
  let clock = T0;
  /** What the gate was asked, and a policy's answer (undefined: allow). */
  const asked: ProposedChange[] = [];
  let policy: ((c: ProposedChange) => GateDecision | undefined) | undefined;
  const scheduler = () =>
    new WindowScheduler({
      now: () => clock,
      store: store.windows,
      windows,
      silences: null,
      mode: { set: async () => ({ switched: false, line: 'not in these tests' }) },
      actions: builtinActions({
        gate: { check: async () => ({ kind: 'allow' }) },
        commands: { create: async () => { throw new Error('not in these tests'); } },
        deployments: { apply: async () => { throw new Error('not in these tests'); } },
        store: { currentRevision: async () => undefined },
        fleet: { get: () => undefined },
        rollouts: () => rollouts,
      }),
      log,
    });
  const rolloutsNow = () => store.rollouts.list(50);

  before(async () => {
    store = await engine.open();
    windows = new Windows(store.windows, groups, () => T0 - MIN);
    const gate = new ChangeGate();
    gate.add({ name: 'recorder', check: async (c) => (asked.push(c), { kind: 'allow' }) });
    gate.add(new DenyWindowCheck(windows, store, () => clock));
    gate.add({ name: 'policy', check: async (c) => policy?.(c) ?? { kind: 'allow' } });
    const plan = async (req: DeploymentRequest) => ({ commons: { id: req.commons, exists: true }, base: { revision: null }, release: { version: req.release }, diff: { text: 'x', changes: [] }, services: [], warnings: [] });
    rollouts = new RolloutService({ store: store.rollouts, deployments: { plan } as never, groups, fleet: { get: () => undefined }, events: new EventBus(), gate, alertGate: false, log });
  });
  after(() => engine.cleanup());

  it('starts one rollout per occurrence, of the group, as the author, however many replicas tick or ask again', async () => {
    const w = await windows.create(
      WindowSpec.parse({
        name: 'nightly',
        kind: 'maintenance',
        target: { group: 'production' },
        schedule: { cron: '0 2 * * *', durationMinutes: 30 },
        reason: 'release 2026.07',
        silence: false,
        actions: [{ kind: 'rollout', release: '2026.07', template: 'gen3-default', profile: 'dev', waves: { canary: 'data-b', batchSize: 1, maxInFlight: 1, soakSeconds: 5 } }],
      }),
      OPERATOR,
    );
    const [a, b] = [scheduler(), scheduler()];
    await Promise.all([a.tick(T0 + 10_000), b.tick(T0 + 10_000), a.tick(T0 + 20_000), b.tick(T0 + 20_000)]);
    const items = await rolloutsNow();
    assert.equal(items.length, 1, 'one rollout for the occurrence');
    const r = await rollouts.view(items[0].id);
    const start = new Date(T0).toISOString();
    assert.equal(r.id, windowRolloutId({ window: { id: w.id, name: 'nightly', start, action: 0 } }));
    assert.deepEqual(r.target, { group: 'production' });
    assert.deepEqual(r.change, { release: '2026.07', template: 'gen3-default', profile: 'dev' });
    assert.deepEqual(r.targets.map((t) => [t.commons, t.wave]), [['data-b', 1], ['data-a', 2], ['data-c', 3]]);
    assert.equal(r.maxInFlight, 1);
    assert.equal(r.soakSeconds, 5);
    assert.equal(r.actor, 'olga');
    assert.equal(r.reason, 'release 2026.07 (maintenance window "nightly")');
    assert.equal(r.state, 'running');
    const rolloutAsks = asked.filter((c) => c.kind === 'rollout');
    assert.ok(rolloutAsks.length >= 3 && rolloutAsks.every((c) => c.scheduled?.windowId === w.id && c.principal.actor === 'olga'), 'the gate asked for every commons, as scheduled by the window');
    const [started] = await store.listAudit({ action: 'rollout.start', limit: 5 });
    assert.equal(JSON.parse(started.detail_json).window, w.id);
    assert.equal(started.actor, 'olga');

    const run = (await windows.view(await windows.get(w.id), T0 + 20_000)).runs[0];
    assert.equal(run.state, 'active');
    assert.deepEqual(run.results, [`rollout of release 2026.07 to group production: rollout ${r.id} (3 commons in 3 waves)`]);

    // A restart in the middle of the start asks for the same action of the same occurrence again: the rollout it started is the answer.
    const asks = asked.length;
    const again = await builtinActions({ gate: { check: async () => ({ kind: 'allow' }) }, commands: {} as never, deployments: {} as never, store: {} as never, fleet: { get: () => undefined }, rollouts: () => rollouts }).runForWindow(
      w.spec.actions[0],
      { window: { id: w.id, name: 'nightly', start, action: 0 }, target: w.spec.target, commons: ['data-a', 'data-b', 'data-c'], principal: OPERATOR, reason: 'again' },
    );
    assert.equal(again, `rollout of release 2026.07 to group production: rollout ${r.id} (3 commons in 3 waves)`);
    assert.equal((await rolloutsNow()).length, 1);
    assert.equal(asked.length, asks, 'the gate was not asked again');
    assert.equal((await store.listAudit({ action: 'rollout.start', limit: 5 })).length, 1);

    // The next night's occurrence starts a rollout of its own.
    await a.tick(T0 + 30 * MIN);
    await Promise.all([a.tick(T0 + DAY + 5_000), b.tick(T0 + DAY + 5_000)]);
    const next = await rolloutsNow();
    assert.equal(next.length, 2);
    assert.equal(next.filter((x) => x.id !== r.id)[0].id, windowRolloutId({ window: { id: w.id, name: 'nightly', start: new Date(T0 + DAY).toISOString(), action: 0 } }));
    await a.tick(T0 + DAY + 30 * MIN);
    await windows.delete(w.id, OPERATOR);
  });

  it('a deny window on one of its commons refuses the rollout, and a policy holds it: each is the run\'s line, and no rollout is written', async () => {
    clock = T0 + 2 * DAY;
    const start = T0 + 2 * DAY;
    const once = (name: string) =>
      WindowSpec.parse({ name, kind: 'maintenance', target: { commons: ['data-a', 'data-c'] }, schedule: { start: new Date(start).toISOString(), end: new Date(start + 30 * MIN).toISOString() }, reason: 'upgrade', silence: false, actions: [{ kind: 'rollout', release: '2026.07' }] });
    const freeze = await windows.create(WindowSpec.parse({ name: 'freeze', kind: 'deny', target: { commons: ['data-c'] }, schedule: { start: new Date(start - MIN).toISOString(), end: new Date(start + 60 * MIN).toISOString() }, reason: 'audit week' }), ADMIN);
    const before = (await rolloutsNow()).length;
    const refused = await windows.create(once('refused'), OPERATOR);
    await scheduler().tick(start + 1000);
    const [line] = (await windows.view(await windows.get(refused.id), start + 1000)).runs[0].results;
    assert.match(line, new RegExp(`^rollout of release 2026\\.07 to data-a, data-c: refused by deny-window on data-c: data-c is in deny window "freeze" \\(${freeze.id}\\) until `));
    assert.equal((await rolloutsNow()).length, before);
    await windows.delete(refused.id, OPERATOR);
    await windows.delete(freeze.id, ADMIN);

    policy = (c) => (c.kind === 'rollout' && !c.probe ? { kind: 'approval-required', rule: 'policy', approvalId: 'approval-9', detail: 'production rollouts need a second operator' } : undefined);
    const held = await windows.create(once('held'), OPERATOR);
    await scheduler().tick(start + 2000);
    assert.deepEqual((await windows.view(await windows.get(held.id), start + 2000)).runs[0].results, ['rollout of release 2026.07 to data-a, data-c: held for approval approval-9 (policy); the rollout starts once it is approved']);
    assert.equal((await rolloutsNow()).length, before);
    policy = undefined;
    await windows.delete(held.id, OPERATOR);
  });
});
