// The simulator follows the real chart and the real services: the HPAs DCOC's profile sets keep replicas within their range
// (and a scale of an HPA-managed service is refused, as the HPA would undo
// it); a running but unhealthy service answers its health check as the real
// one does (fence's own 500 error page, a JSON error for arborist, a bare
// "Unhealthy" for wts), and fence down takes the commons down.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommonsDetail, DeploymentView, Problem } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { waitDeployment } from './support';

const MIDRC = DEMO_COMMONS[1];
const ID = 'data-midrc-org';

describe('the simulator as the chart and the services are', () => {
  let fleet: TestFleet;
  let operator: string;
  const detail = async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
  before(async () => {
    fleet = await TestFleet.start({ commons: [MIDRC], controlEnv: { DCOC_HEALTH_INTERVAL_MS: '500' } });
    operator = await fleet.tokenFor('operator');
    await eventually(async () => (await detail()).status === 'healthy', { what: 'a healthy commons' });
  });
  after(() => fleet.stop());

  it('production HPAs hold their ranges; a scale of an HPA-managed service is refused, naming it', async () => {
    const r = await fleet.api<{ deployment: DeploymentView }>(operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'apply', template: 'gen3-explorer', profile: 'production', release: '2026.07', reason: 'production sizing' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal((await waitDeployment(fleet, operator, r.body.deployment.id)).state, 'succeeded');
    // fence 5–15 (it ran 3), presigned-url-fence its own 20–25, indexd 4–8 (backend/deployments/profiles/production.yaml).
    const d = await eventually(async () => {
      const c = await detail();
      const n = (s: string) => c.services.find((x) => x.name === s)!.desiredReplicas;
      return n('fence') === 5 && n('presigned-url-fence') === 20 && n('indexd') >= 4 && n('indexd') <= 8 && c;
    }, { what: 'the HPAs to bring replicas into range', timeoutMs: 30_000 });
    assert.ok(d);
    const scale = await fleet.api<Problem>(operator, 'POST', `/api/v1/commons/${ID}/services/fence/scale`, { replicas: 2 });
    assert.equal(scale.status, 409, JSON.stringify(scale.body));
    assert.equal(scale.body.errors?.[0].field, 'path.service');
    assert.match(scale.body.detail, /an HPA manages fence's replicas \(fence-hpa, 5–15\)/);
    const own = await fleet.api<Problem>(operator, 'POST', `/api/v1/commons/${ID}/services/presigned-url-fence/scale`, { replicas: 2 });
    assert.match(own.body.detail, /presigned-url-fence-hpa, 20–25.*dcoc\.hpa\.presigned-url-fence/);
    assert.equal((await fleet.api(operator, 'POST', `/api/v1/commons/${ID}/services/arborist/scale`, { replicas: 3 })).status, 202, 'arborist has no HPA');
  });

  it('an unhealthy service answers as the real one does, and fence failing takes the commons down', async () => {
    await fleet.simFault(MIDRC.hostname, 'fence', 'error');
    await fleet.simFault(MIDRC.hostname, 'arborist', 'error');
    await fleet.simFault(MIDRC.hostname, 'wts', 'error');
    const c = await eventually(async () => {
      const x = await detail();
      const failing = ['fence', 'arborist', 'wts'].every((s) => x.services.find((y) => y.name === s)?.health?.ok === false);
      return failing && x;
    }, { what: 'the three health checks to fail', timeoutMs: 20_000 });
    const health = (s: string) => c.services.find((x) => x.name === s)!.health!;
    assert.equal(health('fence').httpStatus, 500);
    assert.match(health('fence').detail, /HTTP 500: <!doctype html>[\s\S]*<title>500<\/title>/);
    assert.equal(health('arborist').httpStatus, 500);
    assert.match(health('arborist').detail, /error/);
    assert.equal(health('wts').httpStatus, 500);
    assert.match(health('wts').detail, /Unhealthy/);
    assert.equal(c.services.find((x) => x.name === 'fence')!.status, 'down');
    assert.equal(c.status, 'down', 'fence is every login: the commons is down');
    for (const s of ['fence', 'arborist', 'wts']) await fleet.simFault(MIDRC.hostname, s, 'none');
    await eventually(async () => (await detail()).status === 'healthy', { what: 'the commons to recover' });
  });
});
