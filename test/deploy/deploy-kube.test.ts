// A deploy on Kubernetes, end to end (issue 7, must-show 5): the control
// service (real process) plans and applies a release, the agent (real Agent
// on its Kubernetes platform) server-side-applies only the Deployments whose
// image changes, follows their rollouts and reports per service; a rollout
// stuck on ImagePullBackOff fails the deploy, and a rollback recovers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommonsDetail, DeploymentPlan, DeploymentView, ReleaseView } from '../../backend/contracts/api';
import { type TestFleet, eventually } from '../support/fleet';
import type { Deployment } from '../support/kube-api';
import { NS, kubeAgentOnFleet } from '../support/kube-agent';
import { waitDeployment } from './support';

const ID = 'data-example-org';
const DEPLOYMENTS = `/apis/apps/v1/namespaces/${NS}/deployments`;

describe('deploy on Kubernetes', () => {
  let fleet: TestFleet;
  let k: Awaited<ReturnType<typeof kubeAgentOnFleet>>['k'];
  let stop: (() => Promise<void>) | undefined;
  let operator: string;
  const apply = (body: Record<string, unknown>) => fleet.api<{ deployment: DeploymentView }>(operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'apply', ...body });
  const container = (d: Deployment) => d.spec.template.spec!.containers![0];
  const imageOf = (name: string) => container(k.srv.get<Deployment>('deployments', NS, name)!).image;

  before(async () => {
    ({ fleet, k, stop } = await kubeAgentOnFleet());
    operator = await fleet.tokenFor('operator');
    // A release in which only fence (and so presigned-url-fence) and indexd move on from 2026.07.
    const base = (await fleet.admin<ReleaseView>('GET', '/api/v1/releases/2026.07')).body.images;
    const versions = { ...base, fence: 'quay.io/cdis/fence:2026.09', indexd: 'quay.io/cdis/indexd:2026.09', fluentd: 'fluent/fluentd-kubernetes-daemonset:v1.15.3-debian-cloudwatch-1.0' };
    const imp = await fleet.api<{ release: ReleaseView; ignored: string[] }>(operator, 'POST', '/api/v1/releases', { version: '2026.09', format: 'manifest', content: JSON.stringify({ notes: ['Core Gen3 Release 2026.09 (Test)'], versions }) });
    assert.equal(imp.status, 201, JSON.stringify(imp.body));
    assert.deepEqual(imp.body.ignored, ['fluentd']);
    assert.equal(imp.body.release.name, 'Test');
  });
  after(() => stop?.());

  // The seeded commons runs 2 replicas per service (indexd 4; fence autoscaled by its HPA): profile small, indexd at 4.
  const sizing = { template: 'gen3-default', profile: 'small', overrides: { indexd: { replicaCount: 4 } } };

  it('the plan shows exactly fence, presigned-url-fence and indexd changing', async () => {
    const plan = (await fleet.api<DeploymentPlan>(operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'plan', release: '2026.09', ...sizing })).body;
    assert.deepEqual(plan.base.source, 'observed');
    // This agent applies images only, as its capabilities say, so where the values put the databases does not matter to it.
    assert.equal((await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body.agent.deployMethod, 'images');
    assert.ok(!plan.warnings.some((w) => /global\.postgres\.master\.host/.test(w)), plan.warnings.join('\n'));
    assert.deepEqual(plan.services.filter((s) => s.changes).map((s) => `${s.name} ${s.from} → ${s.to}`), [
      'fence quay.io/cdis/fence:2026.07 → quay.io/cdis/fence:2026.09',
      'indexd quay.io/cdis/indexd:2026.07 → quay.io/cdis/indexd:2026.09',
      'presigned-url-fence quay.io/cdis/fence:2026.07 → quay.io/cdis/fence:2026.09',
    ]);
  });

  it('must-show 5: applying the release server-side-applies only the images that changed', async () => {
    k.srv.requests.clear();
    const probeBefore = container(k.srv.get<Deployment>('deployments', NS, 'fence-deployment')!).readinessProbe;
    const r = await apply({ release: '2026.09', reason: 'fence and indexd security fix', ...sizing });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const done = await waitDeployment(fleet, operator, r.body.deployment.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.deepEqual(done.services.map((s) => [s.name, s.state, s.updated === s.desired]), [
      ['fence', 'done', true],
      ['indexd', 'done', true],
      ['presigned-url-fence', 'done', true],
    ]);

    const writes = k.srv.requests.all().filter((q) => q.path.startsWith(DEPLOYMENTS) && q.method !== 'GET');
    assert.deepEqual(writes.map((q) => `${q.method} ${q.path.slice(DEPLOYMENTS.length + 1)}`).sort(), [
      'PATCH fence-deployment',
      'PATCH indexd-deployment',
      'PATCH presigned-url-fence-deployment',
    ]);
    for (const q of writes) {
      const name = q.path.slice(DEPLOYMENTS.length + 1);
      const container = name.replace(/-deployment$/, '');
      assert.equal(q.contentType, 'application/apply-patch+yaml');
      assert.equal(q.query.fieldManager, 'dcoc-agent');
      assert.equal(q.query.force, 'true');
      assert.deepEqual(q.body, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: NS },
        spec: { template: { spec: { containers: [{ name: container, image: `quay.io/cdis/${container === 'presigned-url-fence' ? 'fence' : container}:2026.09` }] } } },
      });
    }
    // The cluster: new images where they changed, the rest of each Deployment as helm left it, nothing else touched.
    assert.equal(imageOf('fence-deployment'), 'quay.io/cdis/fence:2026.09');
    assert.equal(imageOf('presigned-url-fence-deployment'), 'quay.io/cdis/fence:2026.09');
    assert.equal(imageOf('indexd-deployment'), 'quay.io/cdis/indexd:2026.09');
    assert.equal(imageOf('arborist-deployment'), 'quay.io/cdis/arborist:2026.07');
    const fence = k.srv.get<Deployment>('deployments', NS, 'fence-deployment')!;
    assert.ok(probeBefore);
    assert.deepEqual(container(fence).readinessProbe, probeBefore);
    assert.ok(fence.metadata.managedFields?.some((m) => m.manager === 'dcoc-agent' && m.operation === 'Apply'));
    const c = await eventually(async () => {
      const d = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
      return d.services.find((s) => s.name === 'indexd')?.version === '2026.09' && d;
    }, { what: 'the commons to report indexd 2026.09' });
    assert.deepEqual(c.services.filter((s) => s.version === '2026.09').map((s) => s.name), ['fence', 'indexd', 'presigned-url-fence']);

    // Delivered again (the same target): nothing differs, nothing is written.
    k.srv.requests.clear();
    const again = await apply({ release: '2026.09', reason: 'again', ...sizing });
    assert.equal((await waitDeployment(fleet, operator, again.body.deployment.id)).state, 'succeeded');
    assert.equal(k.srv.requests.count({ method: 'PATCH', pathIncludes: '/deployments/' }), 0);
  });

  it('a rollout stuck on ImagePullBackOff fails the deploy naming the service; a rollback restores it', async () => {
    k.srv.faults.setWorkloadFault(NS, 'indexd-deployment', 'ImagePullBackOff');
    const r = await apply({ release: '2026.09', reason: 'indexd hotfix', ...sizing, overrides: { indexd: { replicaCount: 4, image: { tag: '2026.09-hotfix' } } } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const failed = await waitDeployment(fleet, operator, r.body.deployment.id);
    assert.equal(failed.state, 'failed');
    assert.match(failed.message, /rollout failed: indexd: (ImagePullBackOff|ErrImagePull) \(pod indexd-deployment-/);
    assert.deepEqual(failed.services.map((s) => [s.name, s.state]), [['indexd', 'failed']]);
    k.srv.faults.setWorkloadFault(NS, 'indexd-deployment', null);

    const rb = await fleet.api<{ deployment: DeploymentView }>(operator, 'POST', `/api/v1/commons/${ID}/rollback`, { toRevision: 1, reason: 'hotfix image does not exist' });
    assert.equal(rb.status, 202, JSON.stringify(rb.body));
    const done = await waitDeployment(fleet, operator, rb.body.deployment.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.deepEqual(done.services.map((s) => [s.name, s.from, s.to, s.state]), [['indexd', 'quay.io/cdis/indexd:2026.09-hotfix', 'quay.io/cdis/indexd:2026.09', 'done']]);
    const dep = await k.srv.waitForRollout(NS, 'indexd-deployment');
    assert.equal(container(dep).image, 'quay.io/cdis/indexd:2026.09');
    assert.equal(dep.status?.readyReplicas, 4);
  });
});
