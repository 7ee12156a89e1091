// A maintenance window that rolls a release out (issue 18): a window on two
// simulated commons, starting now, with a rollout action starts one rollout
// of the release to both at its start, as the window's author and with the
// window in its reason; the rollout completes (each commons deployed once,
// running the new release) and the window's run names it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CommonsDetail, DeploymentView } from '../../contracts/api';
import type { RolloutView } from '../../contracts/rollouts';
import type { WindowView } from '../../contracts/windows';
import type { CommonsSpec } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';

const SPECS: CommonsSpec[] = ['01', '02'].map((n) => ({ hostname: `mw${n}.window.example.org`, environment: `mw${n}`, name: `Window commons ${n}`, release: '2026.06', size: 'small' }));
const IDS = SPECS.map((s) => s.hostname.replaceAll('.', '-'));

describe("a maintenance window's rollout", () => {
  let fleet: TestFleet;
  let operator: string;

  before(async () => {
    fleet = await TestFleet.start({ commons: SPECS, tickMs: 100, podStartMs: 200 });
    operator = await fleet.tokenFor('operator');
    await fleet.healthyCommons(SPECS.length, 120_000);
  });
  after(() => fleet?.stop());

  it('starts one rollout to both commons at its start; the rollout completes and the run names it', async () => {
    const created = await fleet.api<WindowView>(operator, 'POST', '/api/v1/windows', {
      name: 'release night',
      kind: 'maintenance',
      target: { commons: IDS },
      schedule: { start: new Date(Date.now() - 1000).toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() },
      reason: 'release 2026.07',
      silence: false,
      actions: [{ kind: 'rollout', release: '2026.07', template: 'gen3-default', profile: 'dev', waves: { canary: IDS[1], maxInFlight: 1, soakSeconds: 1 } }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const w = created.body;

    const line = await eventually(
      async () => (await fleet.api<WindowView>(operator, 'GET', `/api/v1/windows/${w.id}`)).body.runs[0]?.results.find((l) => l.startsWith('rollout of release 2026.07')),
      { what: 'the window to start its rollout', timeoutMs: 30_000 },
    );
    const m = /: rollout ([0-9a-f-]{36}) \(2 commons in 2 waves\)$/.exec(line);
    assert.ok(m, line);
    const id = m[1];

    const done = await eventually(
      async () => {
        const r = (await fleet.api<RolloutView>(operator, 'GET', `/api/v1/rollouts/${id}`)).body;
        return r.state === 'completed' && r;
      },
      { what: 'the rollout to complete', timeoutMs: 120_000, intervalMs: 200 },
    );
    assert.deepEqual(done.target, { commons: IDS });
    assert.deepEqual(done.targets.map((t) => [t.commons, t.wave, t.state, t.attempts]), [[IDS[1], 1, 'done', 1], [IDS[0], 2, 'done', 1]]);
    assert.equal(done.reason, 'release 2026.07 (maintenance window "release night")');
    assert.equal(done.actor, w.createdBy, "the window's author");
    for (const c of IDS) {
      const deps = (await fleet.admin<{ items: DeploymentView[] }>('GET', `/api/v1/deployments?commons=${c}&limit=50`)).body.items;
      assert.deepEqual(deps.map((d) => [d.state, d.release]), [['succeeded', '2026.07']], `${c}: one deployment of 2026.07`);
      await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${c}`)).body.version.startsWith('2026.07'), { what: `${c} running 2026.07's images` });
    }
    // The window started it once: one rollout, one accepted start, naming the window.
    assert.deepEqual((await fleet.api<{ items: RolloutView[] }>(operator, 'GET', '/api/v1/rollouts')).body.items.map((r) => r.id), [id]);
    const starts = (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?action=rollout.start&limit=50')).body.items;
    assert.deepEqual(starts.map((e) => [e.outcome, (e.detail as { rollout?: string; window?: string }).rollout, (e.detail as { window?: string }).window]), [['accepted', id, w.id]]);
    const run = (await fleet.api<WindowView>(operator, 'GET', `/api/v1/windows/${w.id}`)).body.runs[0];
    assert.equal(run.state, 'active');
    assert.deepEqual(run.commons, IDS);
    assert.ok(run.results.includes(line), run.results.join('\n'));
    assert.equal((await fleet.api(operator, 'DELETE', `/api/v1/windows/${w.id}`)).status, 204);
  });
});
