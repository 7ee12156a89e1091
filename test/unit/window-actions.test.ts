// What a maintenance window does at its start, per commons: each built-in
// action asks the change gate as the window's author with `scheduled` set,
// and says in one line what it did or why not (refused, held, unknown
// commons or service, no revision to deploy from); an unknown action kind is
// named, and a failing one does not throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActingPrincipal } from '../../backend/auth/principal';
import type { GateDecision, ProposedChange } from '../../backend/changes/gate';
import { builtinActions, windowRolloutId } from '../../backend/windows/actions';
import { WindowSpec } from '../../contracts/windows';

const AUTHOR: ActingPrincipal = { actor: 'olga', kind: 'grafana', role: 'operator' };
const RUN = { commons: 'data-a', window: { id: 'w-1', name: 'nightly' }, principal: AUTHOR, reason: 'patching (maintenance window "nightly")' };

function setup(decide: (c: ProposedChange) => GateDecision = () => ({ kind: 'allow' })) {
  const asked: ProposedChange[] = [];
  const created: { kind: string; commonsId: string; service: string | null; detail: Record<string, unknown>; principal: ActingPrincipal }[] = [];
  const applied: unknown[] = [];
  const actions = builtinActions({
    gate: { check: async (c) => (asked.push(c), decide(c)) },
    commands: { create: async (c) => (created.push(c), { id: `cmd-${created.length}` }) as never },
    deployments: { apply: async (req) => (applied.push(req), { id: 'dep-1', revision: 4 }) as never },
    store: { currentRevision: async (id) => (id === 'data-a' ? ({ revision: 3, overrides_json: '{"fence":{"replicaCount":2}}' } as never) : undefined) },
    fleet: { get: (id) => (id === 'data-a' ? ({ services: new Map([['fence', {}], ['indexd', {}]]) } as never) : undefined) },
  });
  return { actions, asked, created, applied };
}

describe('maintenance window actions', () => {
  it('restarts each service through the gate, as the author, marked as scheduled by the window', async () => {
    const { actions, asked, created } = setup();
    const line = await actions.run({ kind: 'restart', services: ['fence', 'nope', 'indexd'] } as never, RUN);
    assert.equal(line, 'restart fence on data-a: command cmd-1; restart nope on data-a: no such service (known: fence, indexd); restart indexd on data-a: command cmd-2');
    assert.deepEqual(asked.map((c) => [c.kind, c.principal.actor, c.scheduled?.windowId, c.request]), [
      ['restart', 'olga', 'w-1', { id: 'data-a', service: 'fence', reason: RUN.reason }],
      ['restart', 'olga', 'w-1', { id: 'data-a', service: 'indexd', reason: RUN.reason }],
    ]);
    assert.deepEqual(created.map((c) => [c.kind, c.service, c.detail.window, c.principal.actor]), [
      ['restart', 'fence', 'w-1', 'olga'],
      ['restart', 'indexd', 'w-1', 'olga'],
    ]);
  });

  it('says why not when the gate refuses or holds, and creates nothing', async () => {
    const { actions, created } = setup((c) => (c.kind === 'job' ? { kind: 'approval-required', rule: 'policy', approvalId: 'ap-1', detail: 'held' } : { kind: 'refuse', status: 409, rule: 'deny-window', detail: 'data-a is in deny window "freeze"' }));
    assert.equal(await actions.run({ kind: 'restart', services: ['fence'] } as never, RUN), 'restart fence on data-a: refused by deny-window: data-a is in deny window "freeze"');
    assert.equal(await actions.run({ kind: 'run-job', cronjob: 'usersync' } as never, RUN), 'run a Job from usersync on data-a: held for approval ap-1 (policy)');
    assert.equal(created.length, 0);
  });

  it('deploys a release with the current overrides against the current revision', async () => {
    const { actions, asked, applied } = setup();
    assert.equal(await actions.run({ kind: 'deploy', release: '2026.07' } as never, RUN), 'deploy 2026.07 on data-a: deployment dep-1 (revision 4)');
    assert.deepEqual(applied, [{ commons: 'data-a', release: '2026.07', overrides: { fence: { replicaCount: 2 } }, mode: 'apply', reason: RUN.reason, baseRevision: 3 }]);
    assert.equal(asked[0].release, '2026.07');
    assert.match(await actions.run({ kind: 'deploy', release: '2026.07' } as never, { ...RUN, commons: 'data-b' }), /no DCOC revision to carry the overrides from/);
  });

  it('names an unknown commons or action kind, and turns a failure into its line', async () => {
    const { actions, created } = setup();
    assert.match(await actions.run({ kind: 'restart', services: ['fence'] } as never, { ...RUN, commons: 'gone' }), /restart fence on gone: no such commons in the fleet/);
    assert.match(await actions.run({ kind: 'backup' }, RUN), /this control service has no backup action \(known: restart, run-job, deploy, rollout\)/);
    assert.equal(created.length, 0);
    const failing = builtinActions({ gate: { check: async () => { throw new Error('store down'); } }, commands: { create: async () => ({}) as never }, deployments: { apply: async () => ({}) as never }, store: { currentRevision: async () => undefined }, fleet: { get: () => ({ services: new Map([['fence', {}]]) }) as never } });
    assert.equal(await failing.run({ kind: 'restart', services: ['fence'] } as never, RUN), 'restart on data-a failed: store down');
  });

  it('a rollout runs once for the window: named by its window, start and action, refused without a rollout service, its canary one of the commons', async () => {
    const { actions } = setup();
    const run = { window: { id: 'w-1', name: 'nightly', start: '2026-12-05T02:00:00.000Z', action: 0 }, target: { commons: ['data-a', 'data-b'] }, commons: ['data-a', 'data-b'], principal: AUTHOR, reason: RUN.reason };
    assert.equal(await actions.runForWindow({ kind: 'rollout', release: '2026.07' } as never, run), 'rollout of release 2026.07 to data-a, data-b: this control service has no rollouts');
    assert.match(await actions.runForWindow({ kind: 'restart' }, run), /this control service has no restart action for a whole window/);
    assert.equal(windowRolloutId(run), windowRolloutId({ window: { ...run.window } }));
    assert.notEqual(windowRolloutId(run), windowRolloutId({ window: { ...run.window, action: 1 } }));
    assert.notEqual(windowRolloutId(run), windowRolloutId({ window: { ...run.window, start: '2026-12-06T02:00:00.000Z' } }));
    assert.match(windowRolloutId(run), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const spec = { name: 'n', kind: 'maintenance', target: { commons: ['data-a'] }, schedule: { cron: '0 2 * * *', durationMinutes: 30 }, reason: 'r' };
    const bad = WindowSpec.safeParse({ ...spec, actions: [{ kind: 'rollout', release: '2026.07', waves: { canary: 'data-z', soakSeconds: 90_000 }, overrides: {} }] });
    assert.deepEqual(bad.error?.issues.map((i) => i.path.join('.')).sort(), ['actions.0', 'actions.0.waves.canary', 'actions.0.waves.soakSeconds']);
    assert.ok(WindowSpec.safeParse({ ...spec, actions: [{ kind: 'rollout', release: '2026.07', waves: { canary: 'data-a' } }] }).success);
  });
});
