// What a maintenance window does at its start, per commons: each built-in
// action asks the change gate as the window's author with `scheduled` set,
// and says in one line what it did or why not (refused, held, unknown
// commons or service, no revision to deploy from); an unknown action kind is
// named, and a failing one does not throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Principal } from '../../backend/auth/principal';
import type { GateDecision, ProposedChange } from '../../backend/changes/gate';
import { builtinActions } from '../../backend/windows/actions';

const AUTHOR: Principal = { actor: 'olga', kind: 'grafana', role: 'operator' };
const RUN = { commons: 'data-a', window: { id: 'w-1', name: 'nightly' }, principal: AUTHOR, reason: 'patching (maintenance window "nightly")' };

function setup(decide: (c: ProposedChange) => GateDecision = () => ({ kind: 'allow' })) {
  const asked: ProposedChange[] = [];
  const created: { kind: string; commonsId: string; service: string | null; detail: Record<string, unknown>; principal: Principal }[] = [];
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
    assert.match(await actions.run({ kind: 'rollout' }, RUN), /this control service has no rollout action \(known: restart, run-job, deploy\)/);
    assert.equal(created.length, 0);
    const failing = builtinActions({ gate: { check: async () => { throw new Error('store down'); } }, commands: { create: async () => ({}) as never }, deployments: { apply: async () => ({}) as never }, store: { currentRevision: async () => undefined }, fleet: { get: () => ({ services: new Map([['fence', {}]]) }) as never } });
    assert.equal(await failing.run({ kind: 'restart', services: ['fence'] } as never, RUN), 'restart on data-a failed: store down');
  });
});
