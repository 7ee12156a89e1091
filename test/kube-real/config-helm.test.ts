// A config change on a commons deployed with helm, on the real control plane: gen3-helm renders manifest-global
// from global.* (helm/gen3/templates/global-manifest.yaml, uc-cdis/gen3-helm
// 42cc46bc; the test chart renders it the same way), so the change is a
// revision of the values that helm applies; portal, which reads portal_app as
// env at start (helm/portal/templates/deployment.yaml), is restarted so its
// pods read it; and the next helm upgrade keeps it, where a direct write of the
// ConfigMap would have been rendered away.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { Helm } from '../../agent/kubernetes/helm';
import type { CommonsDetail, DeploymentView } from '../../contracts/api';
import { findHelm } from '../../scripts/tools/helm-binary';
import { type ControlPlane, useControlPlane } from '../support/control-plane';
import { skipOrFail } from '../support/control-plane/binaries';
import { eventually } from '../support/fleet';
import { writeGen3Chart } from '../support/gen3-chart';
import { realKubeAgentOnFleet } from '../support/kube-agent';
import { waitDeployment } from '../deploy/support';
import { importRelease } from './support';

const controlPlane = useControlPlane();
const ID = 'data-example-org';
const NS = 'gen3-config';
const SIZING = { template: 'gen3-default', profile: 'small', overrides: { indexd: { replicaCount: 4 } } };
const HELM = await findHelm();

describe('a config change through helm, on the real control plane', { timeout: 300_000 }, () => {
  let env: Awaited<ReturnType<typeof realKubeAgentOnFleet>> | undefined;
  after(() => env?.stop());

  it('reaches manifest-global and the pods that read it, and survives the next helm upgrade', async (t: TestContext) => {
    const cp: ControlPlane | undefined = await controlPlane(t);
    if (!cp) return;
    if (!('path' in HELM)) return skipOrFail(t, HELM.missing);
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-config-helm-'));
    const chart = writeGen3Chart(dir);
    env = await realKubeAgentOnFleet(cp, {
      namespace: NS,
      helmRbac: true,
      chart: (kubeconfig) => ({ helm: new Helm({ bin: HELM.path, chart, release: 'gen3', namespace: NS, kubeconfig, workDir: join(dir, 'agent-helm') }), mode: 'upgrade' }),
    });
    const operator = await importRelease(env.fleet);
    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
    const configMap = async () => (await core.readNamespacedConfigMap({ name: 'manifest-global', namespace: NS })).data ?? {};
    const deploy = async (body: Record<string, unknown>) => {
      const r = await env!.fleet.api<{ deployment: DeploymentView }>(operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'apply', ...body });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      const done = await waitDeployment(env!.fleet, operator, r.body.deployment.id, undefined, 120_000);
      assert.equal(done.state, 'succeeded', done.message);
      return done;
    };

    // Revision 1: DCOC's values through helm; manifest-global is the chart's rendering of them.
    await deploy({ release: '2026.07', reason: 'adopt', ...SIZING });
    assert.equal((await configMap()).maintenance_mode, 'off', 'the chart default, as DCOC values leave it');
    const before = await eventually(async () => {
      const d = (await env!.fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
      return d.config.data.maintenance_mode === 'off' && d.config.data.netpolicy === 'map[enabled:false]' && d;
    }, { what: 'the agent to report the rendered manifest-global' });
    const portal0 = await apps.readNamespacedDeployment({ name: 'portal-deployment', namespace: NS });

    // The change: a revision of global.*, applied by helm; portal restarted.
    const changedAt = Date.now();
    const put = await env.fleet.api<{ deployment: DeploymentView; revision: number }>(operator, 'PUT', `/api/v1/commons/${ID}/config`, {
      data: { ...before.config.data, maintenance_mode: 'on', portal_app: 'gitops-v2' },
      baseRevision: before.config.revision,
      reason: 'maintenance window',
    });
    assert.equal(put.status, 202, JSON.stringify(put.body));
    assert.equal(put.body.revision, 2);
    const done = await waitDeployment(env.fleet, operator, put.body.deployment.id, undefined, 120_000);
    assert.equal(done.state, 'succeeded', done.message);
    assert.match(done.message, /restarted portal to read the new config/);
    const data = await configMap();
    assert.deepEqual([data.maintenance_mode, data.portal_app], ['on', 'gitops-v2']);
    // Every portal pod started after the change (kubelet resolves the configMapKeyRef at container start).
    const portal = await apps.readNamespacedDeployment({ name: 'portal-deployment', namespace: NS });
    assert.ok(portal.spec!.template.metadata!.annotations!['kubectl.kubernetes.io/restartedAt'], 'portal restarted');
    assert.ok((portal.metadata!.generation ?? 0) > (portal0.metadata!.generation ?? 0));
    assert.equal(portal.spec!.template.spec!.containers[0].env?.[0].valueFrom?.configMapKeyRef?.key, 'portal_app');
    const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=portal' })).items;
    assert.ok(pods.length > 0 && pods.every((p) => Date.parse(String(p.metadata!.creationTimestamp)) >= changedAt - 1000), pods.map((p) => `${p.metadata!.name} ${String(p.metadata!.creationTimestamp)}`).join(', '));
    // indexd does not read it: not restarted.
    const indexd = await apps.readNamespacedDeployment({ name: 'indexd-deployment', namespace: NS });
    assert.equal(indexd.spec!.template.metadata!.annotations?.['kubectl.kubernetes.io/restartedAt'], undefined);

    // A later helm upgrade (the 2026.09 release) renders manifest-global again, from values that now carry the change.
    await deploy({ release: '2026.09', reason: 'security fix', ...SIZING });
    const after3 = await configMap();
    assert.deepEqual([after3.maintenance_mode, after3.portal_app], ['on', 'gitops-v2']);
  });
});
