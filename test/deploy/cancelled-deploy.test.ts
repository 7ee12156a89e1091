// A deploy cancelled mid-rollout: what it applied keeps
// rolling in the cluster, so the deployment's per-service state follows the
// commons instead of freezing at "rolling 1/4", and the commons' version is
// what its pods run, not the release before the deploy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommonsDetail, DeploymentView } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { simState, waitDeployment } from './support';

const MIDRC = DEMO_COMMONS[1]; // 2026.06
const ID = 'data-midrc-org';

describe('a cancelled deploy', () => {
  let fleet: TestFleet;
  let operator: string;
  before(async () => {
    // Slow pods: the rollout is still going when the cancel lands.
    fleet = await TestFleet.start({ commons: [MIDRC], tickMs: 100, podStartMs: 1500 });
    operator = await fleet.tokenFor('operator');
    await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
  });
  after(() => fleet.stop());

  it('shows the services as the commons runs them and the version its pods run', async () => {
    const applied = await fleet.api<{ deployment: DeploymentView }>(operator, 'POST', '/api/v1/deployments', {
      commons: ID,
      template: 'gen3-explorer',
      profile: 'small',
      release: '2026.07',
      mode: 'apply',
      reason: 'monthly release',
    });
    assert.equal(applied.status, 202, JSON.stringify(applied.body));
    const id = applied.body.deployment.id;
    // Cancel once the images are applied and the pods are rolling.
    await eventually(
      async () => {
        const d = (await fleet.api<DeploymentView>(operator, 'GET', `/api/v1/deployments/${id}`)).body;
        return d.state === 'running' && d.services.some((s) => s.state === 'rolling') && !d.services.every((s) => s.state === 'done');
      },
      { what: 'the rollout to be under way', intervalMs: 20 },
    );
    const cancelled = await fleet.api<{ deployment: DeploymentView }>(operator, 'POST', `/api/v1/deployments/${id}/cancel`, undefined);
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    const stopped = await waitDeployment(fleet, operator, id);
    assert.equal(stopped.state, 'cancelled');

    // The cluster finishes what was applied; the deployment shows it instead of its last progress report.
    const settled = await eventually(
      async () => {
        const d = (await fleet.api<DeploymentView>(operator, 'GET', `/api/v1/deployments/${id}`)).body;
        return d.services.every((s) => s.state === 'done') && d;
      },
      { what: 'every service of the cancelled deploy to show done', timeoutMs: 60_000 },
    );
    const fence = settled.services.find((s) => s.name === 'fence')!;
    assert.equal(fence.to, 'quay.io/cdis/fence:2026.07');
    assert.equal(fence.ready, fence.desired);
    assert.match(settled.services.find((s) => /after the deploy was cancelled/.test(s.message))?.message ?? '', /ready on .*2026\.07; it finished rolling after the deploy was cancelled/);
    assert.equal(settled.state, 'cancelled', 'the deployment itself stays cancelled');

    const sim = await simState(fleet, MIDRC.hostname);
    assert.equal(sim.services.fence.image, 'quay.io/cdis/fence:2026.07');
    // The commons reports the release its pods run.
    const detail = await eventually(async () => {
      const c = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
      return c.version === '2026.07' && c;
    }, { what: 'the commons to report 2026.07', timeoutMs: 20_000 });
    assert.equal(detail.services.find((s) => s.name === 'fence')!.version, '2026.07');
  });
});
