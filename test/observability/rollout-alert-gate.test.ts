// A rollout's soak gate reads the real Alertmanager 0.25: an alert firing with
// label commons=<id> (posted as Prometheus posts it) stops the rollout on that
// commons, though it is healthy; once the alert resolves, resume completes it.
// The control service asks the Alertmanager through DCOC_ALERTMANAGER_URL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RolloutPlan, RolloutView } from '../../contracts/rollouts';
import type { CommonsSpec } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { ALERTMANAGER, type Daemon, findTool, requireTools, startAlertmanager } from './support';

const bin = findTool(ALERTMANAGER);
const SPECS: CommonsSpec[] = [
  { hostname: 'ag1.gate.example.org', environment: 'ag1', name: 'Gate 1', release: '2026.06', size: 'small' },
  { hostname: 'ag2.gate.example.org', environment: 'ag2', name: 'Gate 2', release: '2026.06', size: 'small' },
];
const [FIRST, SECOND] = SPECS.map((s) => s.hostname.replaceAll('.', '-'));

describe('rollout gate on firing alerts (real Alertmanager)', () => {
  let am: Daemon | undefined;
  let fleet: TestFleet | undefined;
  const alert = (endsAt: string) =>
    fetch(`${am!.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'DCOCServiceDown', commons: SECOND, service: 'fence', severity: 'critical' }, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt }]),
    });

  before(async () => {
    if (!bin) return;
    am = await startAlertmanager(bin, 'route:\n  receiver: blackhole\n  group_wait: 0s\nreceivers:\n  - name: blackhole\n');
    fleet = await TestFleet.start({ commons: SPECS, controlEnv: { DCOC_ALERTMANAGER_URL: am.url }, podStartMs: 200 });
    await fleet.healthyCommons(2);
  });
  after(async () => {
    await fleet?.stop();
    await am?.stop();
  });

  it('stops on the commons an alert fires for, and completes once it resolves', async (t) => {
    if (!requireTools(t, ALERTMANAGER)) return;
    const operator = await fleet!.tokenFor('operator');
    const body = { target: { commons: [FIRST, SECOND] }, change: { release: '2026.07', template: 'gen3-default', profile: 'dev' }, waves: { maxInFlight: 1, soakSeconds: 1 } };
    const plan = await fleet!.api<RolloutPlan>(operator, 'POST', '/api/v1/rollouts', { ...body, mode: 'plan' });
    assert.equal(plan.body.alertGate, true);
    assert.equal((await alert(new Date(Date.now() + 3_600_000).toISOString())).status, 200);
    const start = await fleet!.api<{ rollout: RolloutView }>(operator, 'POST', '/api/v1/rollouts', { ...body, mode: 'apply', reason: 'gate test' });
    assert.equal(start.status, 202);
    const id = start.body.rollout.id;
    const get = async () => (await fleet!.api<RolloutView>(operator, 'GET', `/api/v1/rollouts/${id}`)).body;
    const paused = await eventually(async () => {
      const r = await get();
      return r.state === 'paused-on-failure' && r;
    }, { what: 'the rollout to stop on the alert', timeoutMs: 60_000 });
    assert.equal(paused.failure?.commons, SECOND);
    assert.match(paused.failure!.reason, new RegExp(`alert firing for ${SECOND}: DCOCServiceDown`));
    assert.equal(paused.targets.find((x) => x.commons === FIRST)?.state, 'done', 'the canary had no alert');
    assert.equal((await fleet!.admin<{ status: string }>('GET', `/api/v1/commons/${SECOND}`)).body.status, 'healthy', 'stopped by the alert, not by health');

    // Resolved, as Prometheus resolves an alert: endsAt now.
    assert.equal((await alert(new Date().toISOString())).status, 200);
    const resumed = await fleet!.api<{ rollout: RolloutView }>(operator, 'POST', `/api/v1/rollouts/${id}/resume`);
    assert.equal(resumed.status, 200);
    const done = await eventually(async () => {
      const r = await get();
      return r.state === 'completed' && r;
    }, { what: 'the rollout to complete', timeoutMs: 60_000 });
    assert.ok(done.targets.every((x) => x.state === 'done' && x.attempts === 1));
  });
});
