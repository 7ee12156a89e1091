// A deploy on Kubernetes, end to end on the real control plane: the control
// service (real process) plans and applies a release; the agent, as its
// ServiceAccount, server-side-applies only the Deployments whose image
// changes (read back from the apiserver's audit log), follows the real
// rollouts and reports per service; a rollout stuck on ImagePullBackOff (an
// image no registry has, as kwok's kubelet reports it) fails the deploy, and a
// rollback recovers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, type V1Deployment } from '@kubernetes/client-node';
import type { CommonsDetail, DeploymentPlan, DeploymentView } from '../../contracts/api';
import { type ControlPlane, useControlPlane } from '../support/control-plane';
import { rolledOut } from '../support/control-plane/gen3-commons';
import { MISSING_IMAGE_TAG } from '../support/control-plane/kwok-stages';
import { eventually } from '../support/fleet';
import { NS, realKubeAgentOnFleet } from '../support/kube-agent';
import { waitDeployment } from '../deploy/support';
import { importRelease } from './support';

const controlPlane = useControlPlane();
const ID = 'data-example-org';
// The commons runs 2 replicas per service (indexd 4; fence autoscaled by its HPA): profile small, indexd at 4.
const sizing = { template: 'gen3-default', profile: 'small', overrides: { indexd: { replicaCount: 4 } } };

describe('deploy on Kubernetes (image updates) on the real control plane', { timeout: 300_000 }, () => {
  let cp: ControlPlane | undefined;
  let env: Awaited<ReturnType<typeof realKubeAgentOnFleet>>;
  let operator: string;
  let apps: AppsV1Api;
  const apply = (body: Record<string, unknown>) => env.fleet.api<{ deployment: DeploymentView }>(operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'apply', ...body });
  const container = (d: V1Deployment) => d.spec!.template.spec!.containers[0];
  const read = (name: string) => apps.readNamespacedDeployment({ name, namespace: NS });
  const imageOf = async (name: string) => container(await read(name)).image;
  /** The agent's writes to Deployments since `from` (an audit log length), oldest first. */
  const deploymentWrites = (from: number) =>
    cp!
      .audit({ user: env.k.agent.username })
      .slice(from)
      .filter((e) => e.objectRef?.resource === 'deployments' && !['get', 'list', 'watch'].includes(e.verb));
  const auditLength = () => cp!.audit({ user: env.k.agent.username }).length;

  before(async (t) => {
    cp = await controlPlane(t as never);
    if (!cp) return;
    env = await realKubeAgentOnFleet(cp);
    apps = cp.kubeConfig.makeApiClient(AppsV1Api);
    operator = await importRelease(env.fleet);
  });
  after(() => env?.stop());

  it('the plan shows exactly fence, presigned-url-fence and indexd changing', async (t) => {
    if (!cp) return t.skip('no control plane');
    const plan = (await env.fleet.api<DeploymentPlan>(operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'plan', release: '2026.09', ...sizing })).body;
    assert.deepEqual(plan.base.source, 'observed');
    // This agent applies images only, as its capabilities say, so where the values put the databases does not matter to it.
    assert.equal((await env.fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body.agent.deployMethod, 'images');
    assert.ok(!plan.warnings.some((w) => /global\.postgres\.master\.host/.test(w)), plan.warnings.join('\n'));
    assert.deepEqual(plan.services.filter((s) => s.changes).map((s) => `${s.name} ${s.from} → ${s.to}`), [
      'fence quay.io/cdis/fence:2026.07 → quay.io/cdis/fence:2026.09',
      'indexd quay.io/cdis/indexd:2026.07 → quay.io/cdis/indexd:2026.09',
      'presigned-url-fence quay.io/cdis/fence:2026.07 → quay.io/cdis/fence:2026.09',
    ]);
  });

  it('applying the release server-side-applies only the images that changed', async (t) => {
    if (!cp) return t.skip('no control plane');
    const from = auditLength();
    const probeBefore = container(await read('fence-deployment')).readinessProbe;
    const r = await apply({ release: '2026.09', reason: 'fence and indexd security fix', ...sizing });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const done = await waitDeployment(env.fleet, operator, r.body.deployment.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.deepEqual(done.services.map((s) => [s.name, s.state, s.updated === s.desired]), [
      ['fence', 'done', true],
      ['indexd', 'done', true],
      ['presigned-url-fence', 'done', true],
    ]);

    const writes = deploymentWrites(from);
    assert.deepEqual(writes.map((e) => `${e.verb} ${e.objectRef?.name}`).sort(), ['patch fence-deployment', 'patch indexd-deployment', 'patch presigned-url-fence-deployment']);
    for (const e of writes) {
      const name = e.objectRef!.name!;
      const c = name.replace(/-deployment$/, '');
      const query = new URL(e.requestURI, 'https://x').searchParams;
      assert.equal(query.get('fieldManager'), 'dcoc-agent');
      assert.equal(query.get('force'), 'true');
      assert.deepEqual(e.requestObject, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: NS },
        spec: { template: { spec: { containers: [{ name: c, image: `quay.io/cdis/${c === 'presigned-url-fence' ? 'fence' : c}:2026.09` }] } } },
      });
    }
    // The cluster: new images where they changed, the rest of each Deployment as it was, nothing else touched.
    assert.equal(await imageOf('fence-deployment'), 'quay.io/cdis/fence:2026.09');
    assert.equal(await imageOf('presigned-url-fence-deployment'), 'quay.io/cdis/fence:2026.09');
    assert.equal(await imageOf('indexd-deployment'), 'quay.io/cdis/indexd:2026.09');
    assert.equal(await imageOf('arborist-deployment'), 'quay.io/cdis/arborist:2026.07');
    const fence = await read('fence-deployment');
    assert.ok(probeBefore);
    assert.deepEqual(container(fence).readinessProbe, probeBefore);
    assert.ok(fence.metadata?.managedFields?.some((m) => m.manager === 'dcoc-agent' && m.operation === 'Apply'));
    assert.ok(fence.metadata?.managedFields?.some((m) => m.manager === 'helm'), 'helm still owns the rest');
    const c = await eventually(async () => {
      const d = (await env.fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
      return d.services.find((s) => s.name === 'indexd')?.version === '2026.09' && d;
    }, { what: 'the commons to report indexd 2026.09' });
    assert.deepEqual(c.services.filter((s) => s.version === '2026.09').map((s) => s.name), ['fence', 'indexd', 'presigned-url-fence']);

    // Delivered again (the same target): nothing differs, nothing is written.
    const before = auditLength();
    const again = await apply({ release: '2026.09', reason: 'again', ...sizing });
    assert.equal((await waitDeployment(env.fleet, operator, again.body.deployment.id)).state, 'succeeded');
    assert.deepEqual(deploymentWrites(before), []);
  });

  it('a rollout stuck on ImagePullBackOff fails the deploy naming the service; a rollback restores it', async (t) => {
    if (!cp) return t.skip('no control plane');
    const missing = `2026.09-${MISSING_IMAGE_TAG}`;
    const r = await apply({ release: '2026.09', reason: 'indexd hotfix', ...sizing, overrides: { indexd: { replicaCount: 4, image: { tag: missing } } } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const failed = await waitDeployment(env.fleet, operator, r.body.deployment.id);
    assert.equal(failed.state, 'failed');
    assert.match(failed.message, /rollout failed: indexd: ImagePullBackOff \(pod indexd-deployment-/);
    assert.deepEqual(failed.services.map((s) => [s.name, s.state]), [['indexd', 'failed']]);

    const rb = await env.fleet.api<{ deployment: DeploymentView }>(operator, 'POST', `/api/v1/commons/${ID}/rollback`, { toRevision: 1, reason: 'hotfix image does not exist' });
    assert.equal(rb.status, 202, JSON.stringify(rb.body));
    const done = await waitDeployment(env.fleet, operator, rb.body.deployment.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.deepEqual(done.services.map((s) => [s.name, s.from, s.to, s.state]), [['indexd', `quay.io/cdis/indexd:${missing}`, 'quay.io/cdis/indexd:2026.09', 'done']]);
    await cp.waitFor('indexd to roll back', () => rolledOut(apps, NS, 'indexd-deployment'));
    const dep = await read('indexd-deployment');
    assert.equal(container(dep).image, 'quay.io/cdis/indexd:2026.09');
    assert.equal(dep.status?.readyReplicas, 4);
  });
});
