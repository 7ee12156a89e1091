// A config change is a revision of global.*: gen3-helm
// renders manifest-global from the values (helm/gen3/templates/
// global-manifest.yaml, uc-cdis/gen3-helm 42cc46bc), so a direct write of the
// ConfigMap would be undone by the next helm upgrade or ArgoCD self-heal. Here
// on a simulated commons, which renders manifest-global from the deploy's
// values as the chart does: the change becomes revision 2, portal (which
// reads portal_app as env, helm/portal/templates/deployment-cached.yaml) is
// restarted, and a later deploy keeps the change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CommonsDetail, DeploymentView, RevisionDetail } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { waitDeployment } from './support';

const MIDRC = DEMO_COMMONS[1];
const ID = 'data-midrc-org';

describe('config through the values', () => {
  let fleet: TestFleet;
  let operator: string;
  const detail = async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
  const sim = async () => (await (await fetch(`http://127.0.0.1:${fleet.agent(MIDRC.hostname).healthPort}/__sim/state`)).json()) as { services: Record<string, { restartedAt: string | null; rollouts: number }> };
  before(async () => {
    fleet = await TestFleet.start({ commons: [MIDRC] });
    operator = await fleet.tokenFor('operator');
    await eventually(async () => (await detail()).status === 'healthy', { what: 'a healthy commons' });
  });
  after(() => fleet.stop());

  it('becomes a revision of global.*, reaches the config, restarts its readers and survives the next deploy', async () => {
    const deploy = (body: Record<string, unknown>) => fleet.api<{ deployment: DeploymentView }>(operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'apply', ...body });
    const first = await deploy({ template: 'gen3-explorer', profile: 'small', release: '2026.06', reason: 'adopt', overrides: { global: { portalApp: 'gitops' } } });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.equal((await waitDeployment(fleet, operator, first.body.deployment.id)).state, 'succeeded');
    // The deploy rendered manifest-global from global.*, as helm does.
    const c1 = await eventually(async () => {
      const d = await detail();
      return d.config.data.portal_app === 'gitops' && d;
    }, { what: 'manifest-global rendered from the values' });
    const portalBefore = (await sim()).services.portal.restartedAt;

    const data = { ...c1.config.data, maintenance_mode: 'on', portal_app: 'gitops-v2' };
    const put = await fleet.api<{ deployment: DeploymentView; revision: number }>(operator, 'PUT', `/api/v1/commons/${ID}/config`, { data, baseRevision: c1.config.revision, reason: 'maintenance window' });
    assert.equal(put.status, 202, JSON.stringify(put.body));
    assert.equal(put.body.revision, 2);
    const done = await waitDeployment(fleet, operator, put.body.deployment.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.match(done.message, /restarted portal to read the new config/);
    const rev2 = (await fleet.api<RevisionDetail>(operator, 'GET', `/api/v1/commons/${ID}/revisions/2`)).body;
    assert.deepEqual(rev2.diff.changes.map((c) => `${c.path}:${String(c.from)}→${String(c.to)}`).sort(), ['global.maintenanceMode:undefined→on', 'global.portalApp:gitops→gitops-v2']);
    assert.equal(rev2.reason, 'maintenance window');
    await eventually(async () => (await detail()).config.data.maintenance_mode === 'on', { what: 'the config to show maintenance_mode on' });
    assert.notEqual((await sim()).services.portal.restartedAt, portalBefore, 'portal restarted to read portal_app');
    const audit = (await fleet.admin<{ items: AuditEntry[] }>('GET', `/api/v1/audit?commons=${ID}&action=config.update`)).body.items;
    assert.equal(audit[0].detail.via, 'values');

    // The next deploy (a new release) keeps it: it is in the values now.
    const next = await deploy({ release: '2026.07', reason: 'monthly' });
    assert.equal(next.status, 202, JSON.stringify(next.body));
    assert.equal((await waitDeployment(fleet, operator, next.body.deployment.id)).state, 'succeeded');
    const after3 = await detail();
    assert.equal(after3.config.data.maintenance_mode, 'on');
    assert.equal(after3.config.data.portal_app, 'gitops-v2');
  });
});
