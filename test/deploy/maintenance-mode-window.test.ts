// A maintenance window with maintenance mode: Gen3's maintenance page is
// switched by gen3-helm's `global.maintenanceMode` (a string, "off" by
// default: helm/gen3/values.yaml; revproxy gets it as env MAINTENANCE_MODE,
// helm/revproxy/templates/deployment.yaml, and its nginx redirects portal
// requests to the maintenance page when it is 'on':
// helm/revproxy/gen3.nginx.conf/portal-as-root/portal-service.conf;
// uc-cdis/gen3-helm 42cc46bc). So DCOC switches it as a values revision
// through the deployments, like any deploy: "on" at the window's start and
// "off" at its end, both audited, the config showing it meanwhile.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CommonsDetail, DeploymentView, RevisionDetail } from '../../contracts/api';
import type { WindowView } from '../../contracts/windows';
import { maintenanceModeChange } from '../../backend/windows/maintenance-mode';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { waitDeployment } from './support';

const MIDRC = DEMO_COMMONS[1];
const ID = 'data-midrc-org';
const GEN3_HELM = '/work/.mirror/uc-cdis+gen3-helm/repo';
const COMMIT = '42cc46bc';

describe('maintenance mode in a maintenance window', () => {
  it("writes global.maintenanceMode as the string gen3-helm reads ('on'/'off')", (t) => {
    assert.deepEqual(maintenanceModeChange(true), { global: { maintenanceMode: 'on' }, restart: [] });
    assert.deepEqual(maintenanceModeChange(false), { global: { maintenanceMode: 'off' }, restart: [] });
    if (!existsSync(GEN3_HELM)) {
      if (process.env.CI) assert.fail(`the gen3-helm mirror is not at ${GEN3_HELM}`);
      t.skip(`the gen3-helm mirror is not at ${GEN3_HELM}: the chart facts above are not re-read`);
      return;
    }
    const show = (path: string) => execFileSync('git', ['--git-dir', GEN3_HELM, 'show', `${COMMIT}:${path}`], { encoding: 'utf8' });
    assert.match(show('helm/gen3/values.yaml'), /^ {2}maintenanceMode: "off"$/m);
    assert.match(show('helm/revproxy/templates/deployment.yaml'), /- name: MAINTENANCE_MODE\n\s+value: \{\{ \.Values\.global\.maintenanceMode \| quote \}\}/);
    assert.match(show('helm/revproxy/gen3.nginx.conf/portal-as-root/portal-service.conf'), /if \(\$maintenance_mode = 'on'\) \{\n\s+rewrite \^\/\(\.\*\)\$ \/dashboard\/Public\/maintenance-page\/index\.html redirect;/);
  });

  describe('through the running control service', () => {
    let fleet: TestFleet;
    let operator: string;
    const detail = async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
    const deployments = async () => (await fleet.admin<{ items: DeploymentView[] }>('GET', `/api/v1/deployments?commons=${ID}`)).body.items;

    before(async () => {
      fleet = await TestFleet.start({ commons: [MIDRC] });
      operator = await fleet.tokenFor('operator');
      await eventually(async () => (await detail()).status === 'healthy', { what: 'a healthy commons' });
      // DCOC needs the commons' values to change global.* in: deployed once.
      const first = await fleet.api<{ deployment: DeploymentView }>(operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'apply', template: 'gen3-explorer', profile: 'small', release: '2026.06', reason: 'adopt' });
      assert.equal(first.status, 202, JSON.stringify(first.body));
      assert.equal((await waitDeployment(fleet, operator, first.body.deployment.id)).state, 'succeeded');
    });
    after(() => fleet.stop());

    it('switches it on as a revision at the start and off as another at the end', async () => {
      const start = Date.now();
      const r = await fleet.api<WindowView>(operator, 'POST', '/api/v1/windows', {
        name: 'db upgrade',
        kind: 'maintenance',
        target: { commons: [ID] },
        schedule: { start: new Date(start).toISOString(), end: new Date(start + 6_000).toISOString() },
        reason: 'database upgrade',
        silence: false,
        maintenanceMode: true,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const on = await eventually(async () => (await deployments()).find((d) => d.revision === 2), { what: 'revision 2' });
      assert.equal((await waitDeployment(fleet, operator, on.id)).state, 'succeeded');
      const rev2 = (await fleet.admin<RevisionDetail>('GET', `/api/v1/commons/${ID}/revisions/2`)).body;
      assert.deepEqual(rev2.diff.changes.map((c) => `${c.path}:${String(c.from)}→${String(c.to)}`), ['global.maintenanceMode:undefined→on']);
      assert.equal(rev2.reason, 'database upgrade (maintenance window "db upgrade")');
      assert.equal(rev2.author, 'token:test-operator', "in the name of the window's author");
      await eventually(async () => (await detail()).config.data.maintenance_mode === 'on', { what: 'maintenance_mode on in the config' });

      const off = await eventually(async () => (await deployments()).find((d) => d.revision === 3), { what: 'revision 3', timeoutMs: 30_000 });
      assert.equal((await waitDeployment(fleet, operator, off.id)).state, 'succeeded');
      const rev3 = (await fleet.admin<RevisionDetail>('GET', `/api/v1/commons/${ID}/revisions/3`)).body;
      assert.deepEqual(rev3.diff.changes.map((c) => `${c.path}:${String(c.from)}→${String(c.to)}`), ['global.maintenanceMode:on→off']);
      await eventually(async () => (await detail()).config.data.maintenance_mode === 'off', { what: 'maintenance_mode off in the config' });
      const run = (await fleet.admin<WindowView>('GET', `/api/v1/windows/${r.body.id}`)).body.runs[0];
      assert.equal(run.state, 'ended');
      assert.ok(run.results.some((l) => l.startsWith(`maintenance mode on on ${ID}: deployment ${on.id}`)), run.results.join('\n'));
      assert.ok(run.results.some((l) => l.startsWith(`maintenance mode off on ${ID}: deployment ${off.id}`)), run.results.join('\n'));
      const applied = (await fleet.admin<{ items: AuditEntry[] }>('GET', `/api/v1/audit?commons=${ID}&action=deployment.apply`)).body.items;
      assert.equal(applied.length, 3, 'each switch audited as the deploy it is');
    });
  });
});
