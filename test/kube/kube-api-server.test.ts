// The Kubernetes API test server, exercised with the real @kubernetes/client-node
// 1.x clients the agent uses (AppsV1Api, CoreV1Api, BatchV1Api, Watch,
// makeInformer/ListWatch). No timed assertions: everything that depends on
// the controller loop waits for a condition with a generous timeout.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  EventsV1Api,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type KubeConfig,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Deployment,
} from '@kubernetes/client-node';
import { seedGen3Commons, startKubeApiServer, type Deployment, type Job, type KubeApiServer, type Pod, type ReplicaSet } from '../support/kube-api/index';

const NS = 'gen3';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

/** The Status object inside a client-node ApiException. */
function status(e: unknown): { kind: string; status: string; reason: string; message: string; code: number; details?: Record<string, unknown> } {
  assert.ok(e instanceof ApiException, `expected ApiException, got ${String(e)}`);
  return JSON.parse(e.body as string);
}

async function rejects(p: Promise<unknown>): Promise<ReturnType<typeof status>> {
  try {
    await p;
  } catch (e) {
    return status(e);
  }
  assert.fail('expected the request to fail');
}

interface Ctx {
  srv: KubeApiServer;
  kc: KubeConfig;
  apps: AppsV1Api;
  core: CoreV1Api;
  batch: BatchV1Api;
}

const cleanups: (() => unknown)[] = [];

/** A server with a seeded commons; stopped after the current test unless `shared` (then the suite stops it). */
async function fresh(opts: { shared?: boolean } = {}): Promise<Ctx> {
  const srv = await startKubeApiServer({ bookmarkIntervalMs: 60_000 });
  seedGen3Commons(srv, { namespace: NS, hostname: 'data.example.org', environment: 'example-prod', release: '2026.07' });
  const kc = srv.kubeConfig();
  if (!opts.shared) cleanups.push(() => srv.stop());
  return { srv, kc, apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api), batch: kc.makeApiClient(BatchV1Api) };
}

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const podsOf = (srv: KubeApiServer, app: string) => srv.list<Pod>('pods', NS, { labelSelector: `app=${app}` });
const ready = (p: Pod) => p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

describe('seeded Gen3 commons: list and get', () => {
  let shared: Ctx;
  before(async () => {
    shared = await fresh({ shared: true });
  });
  after(() => shared.srv.stop());

  it('lists the default-enabled gen3-helm Deployments with chart names, labels, images and replicas', async () => {
    const list = await shared.apps.listNamespacedDeployment({ namespace: NS });
    assert.ok(Number(list.metadata?.resourceVersion) > 0, 'List carries a resourceVersion');
    const byName = new Map(list.items.map((d) => [d.metadata!.name!, d]));
    for (const n of ['ambassador', 'arborist', 'audit', 'fence', 'presigned-url-fence', 'hatchery', 'indexd', 'manifestservice', 'metadata', 'peregrine', 'portal', 'revproxy', 'sheepdog', 'wts'])
      assert.ok(byName.has(`${n}-deployment`), `${n}-deployment present`);
    assert.equal(list.items.length, 14);

    const fence = byName.get('fence-deployment')!;
    assert.equal(fence.metadata!.labels!.app, 'fence');
    assert.equal(fence.metadata!.labels!['app.kubernetes.io/name'], 'fence');
    assert.equal(fence.metadata!.labels!['app.kubernetes.io/instance'], 'gen3');
    assert.equal(fence.metadata!.labels!['app.kubernetes.io/part-of'], 'Authentication');
    assert.equal(fence.metadata!.labels!['app.kubernetes.io/managed-by'], 'Helm');
    assert.equal(fence.metadata!.labels!['critical-service'], 'true');
    assert.equal(fence.metadata!.labels!.release, 'production');
    assert.equal(fence.spec!.template.metadata!.labels!.hostname, 'data.example.org');
    assert.equal(fence.spec!.template.spec!.containers[0].image, 'quay.io/cdis/fence:2026.07');
    assert.equal(byName.get('revproxy-deployment')!.spec!.template.spec!.containers[0].image, 'quay.io/cdis/nginx:2026.07');
    assert.equal(byName.get('portal-deployment')!.spec!.template.spec!.containers[0].image, 'quay.io/cdis/data-portal:2026.07');
    assert.equal(byName.get('metadata-deployment')!.spec!.template.spec!.containers[0].image, 'quay.io/cdis/metadata-service:2026.07');
    assert.equal(byName.get('wts-deployment')!.spec!.template.spec!.containers[0].image, 'quay.io/cdis/workspace-token-service:2026.07');
    assert.equal(byName.get('audit-deployment')!.spec!.template.spec!.containers[0].image, 'quay.io/cdis/audit-service:2026.07');
    assert.equal(byName.get('ambassador-deployment')!.spec!.template.spec!.containers[0].image, 'quay.io/datawire/ambassador:1.4.2');
    assert.equal(byName.get('audit-deployment')!.metadata!.labels!['critical-service'], 'false');
    assert.equal(byName.get('indexd-deployment')!.spec!.replicas, 4);
    for (const d of list.items) {
      assert.ok(d.spec!.replicas! >= 2 && d.spec!.replicas! <= 4, `${d.metadata!.name} replicas in 2..4`);
      assert.equal(d.status!.readyReplicas, d.spec!.replicas, `${d.metadata!.name} fully ready`);
      assert.equal(d.status!.observedGeneration, d.metadata!.generation);
      assert.ok(d.status!.conditions!.some((c) => c.type === 'Progressing' && c.reason === 'NewReplicaSetAvailable'));
    }
  });

  it('has ReplicaSets and Running, ready pods with pod-template-hash and the hostname label', async () => {
    const rs = await shared.apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app=indexd' });
    assert.equal(rs.items.length, 1);
    const hash = rs.items[0].metadata!.labels!['pod-template-hash'];
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    assert.equal(rs.items[0].metadata!.name, `indexd-deployment-${hash}`);
    assert.equal(rs.items[0].metadata!.ownerReferences![0].name, 'indexd-deployment');

    const pods = await shared.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=indexd,release=production' });
    assert.equal(pods.items.length, 4);
    for (const p of pods.items) {
      assert.equal(p.status!.phase, 'Running');
      assert.ok(p.metadata!.name!.startsWith(`indexd-deployment-${hash}-`));
      assert.equal(p.metadata!.labels!.hostname, 'data.example.org');
      assert.ok(p.status!.conditions!.some((c) => c.type === 'Ready' && c.status === 'True'));
      assert.equal(p.status!.containerStatuses![0].image, 'quay.io/cdis/indexd:2026.07');
      assert.equal(p.status!.containerStatuses![0].restartCount, 0);
      assert.ok(p.spec!.nodeName);
    }
    const running = await shared.core.listNamespacedPod({ namespace: NS, fieldSelector: 'status.phase=Running' });
    const desired = shared.srv.list<Deployment>('deployments', NS).reduce((n, d) => n + (d.spec.replicas ?? 0), 0);
    assert.equal(desired, 32);
    assert.equal(running.items.length, desired);
    const bad = await rejects(shared.core.listNamespacedPod({ namespace: NS, fieldSelector: 'spec.bogus=1' }));
    assert.equal(bad.code, 400);
    assert.equal(bad.message, 'field label not supported: spec.bogus');
  });

  it('serves manifest-global, the CronJobs, the fence HPA and the DB Secrets', async () => {
    const cm = await shared.core.readNamespacedConfigMap({ name: 'manifest-global', namespace: NS });
    assert.equal(cm.data!.hostname, 'data.example.org');
    assert.equal(cm.data!.environment, 'example-prod');
    for (const k of ['revproxy_arn', 'dictionary_url', 'portal_app', 'public_datasets', 'tier_access_level', 'tier_access_limit', 'netpolicy', 'dispatcher_job_num', 'frontend_root', 'logout_inactive_users', 'workspace_timeout_in_minutes', 'maintenance_mode'])
      assert.ok(k in cm.data!, `manifest-global has ${k}`);

    const usersync = await shared.batch.readNamespacedCronJob({ name: 'usersync', namespace: NS });
    assert.equal(usersync.spec!.schedule, '*/30 * * * *');
    const cjs = await shared.batch.listNamespacedCronJob({ namespace: NS });
    assert.deepEqual(cjs.items.map((c) => [c.metadata!.name, c.spec!.schedule]).sort(), [
      ['fence-db-migrate-cronjob', '0 0 31 2 *'],
      ['usersync', '*/30 * * * *'],
    ]);

    const hpa = await shared.kc.makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ name: 'fence-hpa', namespace: NS });
    assert.equal(hpa.spec!.scaleTargetRef.name, 'fence-deployment');
    assert.equal(hpa.spec!.minReplicas, 2);
    assert.equal(hpa.spec!.maxReplicas, 4);

    const creds = await shared.core.readNamespacedSecret({ name: 'fence-dbcreds', namespace: NS });
    assert.equal(Buffer.from(creds.data!.database, 'base64').toString(), 'fence_gen3');
  });

  it('answers NotFound as a Status object with the apiserver message', async () => {
    const s = await rejects(shared.apps.readNamespacedDeployment({ name: 'nope-deployment', namespace: NS }));
    assert.deepEqual(
      { kind: s.kind, status: s.status, reason: s.reason, code: s.code, message: s.message },
      { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'deployments.apps "nope-deployment" not found' },
    );
    const cm = await rejects(shared.core.readNamespacedConfigMap({ name: 'nope', namespace: NS }));
    assert.equal(cm.message, 'configmaps "nope" not found');
  });

  it('lists core/v1 and events.k8s.io/v1 Events the controllers emitted', async () => {
    const ev = await shared.core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.kind=Deployment,involvedObject.name=fence-deployment' });
    assert.ok(ev.items.some((e) => e.reason === 'ScalingReplicaSet' && /^Scaled up replica set fence-deployment-\w+ from 0 to 3$/.test(e.message!)));
    const ev2 = await shared.kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: NS });
    assert.ok(ev2.items.some((e) => e.reason === 'Scheduled' && e.regarding?.kind === 'Pod' && e.note?.startsWith('Successfully assigned gen3/')));
  });

  it('serves pod logs and discovery for KubernetesObjectApi', async () => {
    const pod = (await shared.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=fence' })).items[0];
    shared.srv.setPodLog(NS, pod.metadata!.name!, 'fence', 'line 1\nline 2\nline 3\n');
    const text = await shared.core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: NS, tailLines: 2 });
    assert.equal(text, 'line 2\nline 3\n');
    const objects = KubernetesObjectApi.makeApiClient(shared.kc);
    const got = await objects.read<KubernetesObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'manifest-global', namespace: NS } });
    assert.equal(got.data!.hostname, 'data.example.org');
  });
});

describe('writes', () => {
  it('a restartedAt merge patch rolls fence-deployment to a new ReplicaSet pod by pod and completes', async () => {
    const { srv, apps } = await fresh();
    const before = await apps.readNamespacedDeployment({ name: 'fence-deployment', namespace: NS });
    const oldHash = srv.list<ReplicaSet>('replicasets', NS, { labelSelector: 'app=fence' })[0].metadata.labels!['pod-template-hash'];
    srv.requests.clear();
    const restartedAt = '2026-07-15T10:00:00Z';
    const patched = await apps.patchNamespacedDeployment(
      { name: 'fence-deployment', namespace: NS, body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } } },
      merge,
    );
    assert.equal(patched.metadata!.generation, before.metadata!.generation! + 1);
    assert.equal(srv.requests.count({ method: 'PATCH', path: `/apis/apps/v1/namespaces/${NS}/deployments/fence-deployment` }), 1);
    assert.equal(srv.requests.find({ method: 'PATCH' })[0].contentType, 'application/merge-patch+json');

    // Observe the rollout: the old ReplicaSet never drops below 3 - maxUnavailable(0) available pods.
    let minAvailable = Infinity;
    const done = await srv.waitFor(
      () => {
        const d = srv.get<Deployment>('deployments', NS, 'fence-deployment')!;
        minAvailable = Math.min(minAvailable, d.status?.availableReplicas ?? 0);
        const c = d.status?.conditions?.find((x) => x.type === 'Progressing');
        return (d.status?.observedGeneration ?? 0) >= d.metadata.generation! &&
          d.status?.updatedReplicas === 3 && d.status?.availableReplicas === 3 && (d.status?.replicas ?? 0) === 3 && c?.reason === 'NewReplicaSetAvailable'
          ? d
          : undefined;
      },
      { description: 'fence rollout', timeoutMs: 20_000 },
    );
    assert.ok(minAvailable >= 3, 'maxUnavailable 0 keeps 3 available');
    assert.equal(done.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
    const rss = srv.list<ReplicaSet>('replicasets', NS, { labelSelector: 'app=fence' });
    assert.equal(rss.length, 2);
    const newRs = rss.find((r) => r.metadata.labels!['pod-template-hash'] !== oldHash)!;
    const oldRs = rss.find((r) => r.metadata.labels!['pod-template-hash'] === oldHash)!;
    assert.equal(newRs.spec.replicas, 3);
    assert.equal(oldRs.spec.replicas, 0);
    assert.equal(newRs.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
    await srv.waitFor(() => podsOf(srv, 'fence').length === 3 && podsOf(srv, 'fence').every(ready), { description: 'old pods gone' });
    for (const p of podsOf(srv, 'fence')) {
      assert.equal(p.metadata.labels!['pod-template-hash'], newRs.metadata.labels!['pod-template-hash']);
      assert.equal(p.metadata.annotations!['kubectl.kubernetes.io/restartedAt'], restartedAt);
    }
    const events = srv.list('events', NS, { fieldSelector: 'involvedObject.name=fence-deployment,reason=ScalingReplicaSet' }).map((e) => e.message);
    assert.ok(events.includes(`Scaled up replica set ${newRs.metadata.name} from 0 to 1`), String(events));
    assert.ok(events.includes(`Scaled down replica set ${oldRs.metadata.name} from 1 to 0`), String(events));
  });

  it('scale subresource: read, replace (with resourceVersion precondition) and patch', async () => {
    const { srv, apps } = await fresh();
    const scale = await apps.readNamespacedDeploymentScale({ name: 'sheepdog-deployment', namespace: NS });
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.spec!.replicas, 2);
    assert.equal(scale.status!.replicas, 2);
    assert.equal(scale.status!.selector, 'app=sheepdog,app.kubernetes.io/instance=gen3,app.kubernetes.io/name=sheepdog,release=production');

    const replaced = await apps.replaceNamespacedDeploymentScale({ name: 'sheepdog-deployment', namespace: NS, body: { ...scale, spec: { replicas: 4 } } });
    assert.equal(replaced.spec!.replicas, 4);
    await srv.waitFor(() => podsOf(srv, 'sheepdog').filter(ready).length === 4, { description: '4 sheepdog pods' });
    await srv.waitForRollout(NS, 'sheepdog-deployment');

    const stale = await rejects(apps.replaceNamespacedDeploymentScale({ name: 'sheepdog-deployment', namespace: NS, body: { ...scale, spec: { replicas: 1 } } }));
    assert.equal(stale.code, 409);
    assert.equal(stale.reason, 'Conflict');

    const patched = await apps.patchNamespacedDeploymentScale({ name: 'sheepdog-deployment', namespace: NS, body: { spec: { replicas: 1 } } }, merge);
    assert.equal(patched.spec!.replicas, 1);
    await srv.waitFor(() => podsOf(srv, 'sheepdog').length === 1, { description: 'scaled down to 1' });
    const d = await srv.waitForRollout(NS, 'sheepdog-deployment');
    assert.equal(d.status!.replicas, 1);
    assert.equal(d.spec.replicas, 1);
    const bad = await rejects(apps.patchNamespacedDeploymentScale({ name: 'sheepdog-deployment', namespace: NS, body: { spec: { replicas: -1 } } }, merge));
    assert.equal(bad.code, 422);
  });

  it('update with a stale resourceVersion is 409 Conflict with the apiserver message', async () => {
    const { core, apps } = await fresh();
    const cm = await core.readNamespacedConfigMap({ name: 'manifest-global', namespace: NS });
    const first = await core.replaceNamespacedConfigMap({ name: 'manifest-global', namespace: NS, body: { ...cm, data: { ...cm.data, maintenance_mode: 'on' } } });
    assert.notEqual(first.metadata!.resourceVersion, cm.metadata!.resourceVersion);
    const s = await rejects(core.replaceNamespacedConfigMap({ name: 'manifest-global', namespace: NS, body: { ...cm, data: { ...cm.data, maintenance_mode: 'off' } } }));
    assert.equal(s.code, 409);
    assert.equal(s.kind, 'Status');
    assert.equal(s.status, 'Failure');
    assert.equal(s.reason, 'Conflict');
    assert.equal(
      s.message,
      'Operation cannot be fulfilled on configmaps "manifest-global": the object has been modified; please apply your changes to the latest version and try again',
    );
    const dep = await apps.readNamespacedDeployment({ name: 'wts-deployment', namespace: NS });
    await apps.replaceNamespacedDeployment({ name: 'wts-deployment', namespace: NS, body: { ...dep, spec: { ...dep.spec!, replicas: 3 } } });
    const s2 = await rejects(apps.replaceNamespacedDeployment({ name: 'wts-deployment', namespace: NS, body: dep }));
    assert.equal(
      s2.message,
      'Operation cannot be fulfilled on deployments.apps "wts-deployment": the object has been modified; please apply your changes to the latest version and try again',
    );
    assert.equal(s2.details!.kind, 'deployments');
    assert.equal(s2.details!.group, 'apps');
  });

  it('strategic merge patch merges containers by name and keeps the other fields', async () => {
    const { srv, apps } = await fresh();
    await apps.patchNamespacedDeployment(
      {
        name: 'indexd-deployment',
        namespace: NS,
        body: { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'quay.io/cdis/sidecar:1.0' }] } } } },
      },
      strategic,
    );
    const patched = await apps.patchNamespacedDeployment(
      { name: 'indexd-deployment', namespace: NS, body: { spec: { template: { spec: { containers: [{ name: 'indexd', image: 'quay.io/cdis/indexd:2026.08' }] } } } } },
      strategic,
    );
    const containers = patched.spec!.template.spec!.containers;
    assert.deepEqual(containers.map((c) => c.name), ['indexd', 'sidecar']);
    assert.equal(containers[0].image, 'quay.io/cdis/indexd:2026.08');
    assert.equal(containers[0].ports![0].containerPort, 80, 'ports kept');
    assert.equal(containers[0].readinessProbe!.httpGet!.path, '/_status', 'probe kept');
    const removed = await apps.patchNamespacedDeployment(
      { name: 'indexd-deployment', namespace: NS, body: { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } } },
      strategic,
    );
    assert.deepEqual(removed.spec!.template.spec!.containers.map((c) => c.name), ['indexd']);
    await srv.waitForRollout(NS, 'indexd-deployment');
    await srv.waitFor(() => podsOf(srv, 'indexd').length === 4 && podsOf(srv, 'indexd').every((p) => ready(p) && p.status!.containerStatuses![0].image === 'quay.io/cdis/indexd:2026.08'), {
      description: 'indexd pods on the new image',
    });
  });

  it('a merge patch replaces lists and JSON patch edits by path; unknown patch types are 415', async () => {
    const { apps } = await fresh();
    const jp = await apps.patchNamespacedDeployment({
      name: 'arborist-deployment',
      namespace: NS,
      body: [
        { op: 'test', path: '/spec/replicas', value: 2 },
        { op: 'replace', path: '/spec/replicas', value: 3 },
        { op: 'add', path: '/metadata/labels/dcoc~1owner', value: 'ops' },
      ],
    });
    assert.equal(jp.spec!.replicas, 3);
    assert.equal(jp.metadata!.labels!['dcoc/owner'], 'ops');
    const failed = await rejects(apps.patchNamespacedDeployment({ name: 'arborist-deployment', namespace: NS, body: [{ op: 'test', path: '/spec/replicas', value: 2 }] }));
    assert.equal(failed.code, 422);
    const wrongType = await rejects(
      apps.patchNamespacedDeployment({ name: 'arborist-deployment', namespace: NS, body: { spec: { replicas: 1 } } }, setHeaderOptions('Content-Type', 'application/json')),
    );
    assert.equal(wrongType.code, 415);
    assert.equal(wrongType.reason, 'UnsupportedMediaType');
    assert.match(wrongType.message, /^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json/);
    const mp = await apps.patchNamespacedDeployment(
      { name: 'arborist-deployment', namespace: NS, body: { spec: { template: { spec: { containers: [{ name: 'arborist', image: 'quay.io/cdis/arborist:2026.08' }] } } } } },
      merge,
    );
    assert.equal(mp.spec!.template.spec!.containers[0].ports, undefined, 'merge patch replaced the whole list');
  });

  it('server-side apply creates, records managedFields, reports conflicts and takes ownership with force', async () => {
    const { core } = await fresh();
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dcoc-agent-state', namespace: NS }, data: { a: '1', b: '1' } };
    const created = await core.patchNamespacedConfigMap({ name: 'dcoc-agent-state', namespace: NS, body, fieldManager: 'dcoc-agent' }, apply);
    assert.deepEqual(created.data, { a: '1', b: '1' });
    const mine = created.metadata!.managedFields!.find((m) => m.manager === 'dcoc-agent')!;
    assert.equal(mine.operation, 'Apply');
    assert.deepEqual(mine.fieldsV1, { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } });

    // Another manager changes a field the agent applied: it takes ownership of it.
    await core.patchNamespacedConfigMap({ name: 'dcoc-agent-state', namespace: NS, body: { data: { a: '2' } }, fieldManager: 'operator' }, merge);
    const conflict = await rejects(
      core.patchNamespacedConfigMap({ name: 'dcoc-agent-state', namespace: NS, body: { ...body, data: { a: '3', b: '1' } }, fieldManager: 'dcoc-agent' }, apply),
    );
    assert.equal(conflict.code, 409);
    assert.equal(conflict.reason, 'Conflict');
    assert.equal(conflict.message, 'Apply failed with 1 conflict: conflict with "operator" using v1: .data.a');

    const forced = (await core.patchNamespacedConfigMap(
      { name: 'dcoc-agent-state', namespace: NS, body: { ...body, data: { a: '3' } }, fieldManager: 'dcoc-agent', force: true },
      apply,
    )) as V1ConfigMap;
    assert.deepEqual(forced.data, { a: '3' }, 'b was dropped from the applied config and nobody else owns it');
    assert.equal(forced.metadata!.managedFields!.find((m) => m.manager === 'operator'), undefined, 'operator lost its only field');

    const noManager = await rejects(core.patchNamespacedConfigMap({ name: 'dcoc-agent-state', namespace: NS, body }, apply));
    assert.equal(noManager.code, 422);
  });

  it('server-side apply of a partial Deployment restarts it; changing a Helm-owned image needs force', async () => {
    const { srv, apps } = await fresh();
    const partial = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'fence-deployment', namespace: NS },
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-07-20T00:00:00Z' } } } },
    };
    const applied = await apps.patchNamespacedDeployment({ name: 'fence-deployment', namespace: NS, body: partial, fieldManager: 'dcoc-agent' }, apply);
    assert.equal(applied.metadata!.generation, 2);
    assert.equal(applied.spec!.template.spec!.containers[0].image, 'quay.io/cdis/fence:2026.07', 'fields not in the applied config are kept');
    await srv.waitForRollout(NS, 'fence-deployment');

    const image = {
      ...partial,
      spec: { template: { spec: { containers: [{ name: 'fence', image: 'quay.io/cdis/fence:2026.08' }] } } },
    };
    const c = await rejects(apps.patchNamespacedDeployment({ name: 'fence-deployment', namespace: NS, body: image, fieldManager: 'dcoc-agent' }, apply));
    assert.equal(c.code, 409);
    assert.equal(c.message, 'Apply failed with 1 conflict: conflict with "helm" using apps/v1: .spec.template.spec.containers[name="fence"].image');
    const forced = await apps.patchNamespacedDeployment({ name: 'fence-deployment', namespace: NS, body: image, fieldManager: 'dcoc-agent', force: true }, apply);
    assert.equal(forced.spec!.template.spec!.containers[0].image, 'quay.io/cdis/fence:2026.08');
    assert.equal(forced.spec!.template.spec!.containers[0].ports![0].containerPort, 80, 'merged into the container by name');
    await srv.waitForRollout(NS, 'fence-deployment');
  });

  it('Secrets: create with stringData, update with resourceVersion (agent certificate storage)', async () => {
    const { core } = await fresh();
    const created = await core.createNamespacedSecret({
      namespace: NS,
      body: { metadata: { name: 'dcoc-agent-tls' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'CERT-1', 'tls.key': 'KEY-1' } },
    });
    assert.equal(Buffer.from(created.data!['tls.crt'], 'base64').toString(), 'CERT-1');
    assert.equal(created.stringData, undefined);
    const updated = await core.replaceNamespacedSecret({
      name: 'dcoc-agent-tls',
      namespace: NS,
      body: { ...created, data: { ...created.data, 'tls.crt': Buffer.from('CERT-2').toString('base64') } },
    });
    assert.equal(Buffer.from(updated.data!['tls.crt'], 'base64').toString(), 'CERT-2');
    const stale = await rejects(core.replaceNamespacedSecret({ name: 'dcoc-agent-tls', namespace: NS, body: created }));
    assert.equal(stale.code, 409);
    const copy = await rejects(core.createNamespacedSecret({ namespace: NS, body: { ...updated, metadata: { ...updated.metadata, name: 'dcoc-agent-tls-copy' } } }));
    assert.deepEqual([copy.code, copy.message], [500, 'resourceVersion should not be set on objects to be created'], 'creating from a read copy fails as in etcd');
    const dup = await rejects(core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'dcoc-agent-tls' }, stringData: {} } }));
    assert.equal(dup.reason, 'AlreadyExists');
    assert.equal(dup.message, 'secrets "dcoc-agent-tls" already exists');
  });

  it('a Job created from a CronJob jobTemplate runs to completion', async () => {
    const { srv, batch } = await fresh();
    const cj = await batch.readNamespacedCronJob({ name: 'fence-db-migrate-cronjob', namespace: NS });
    const job = await batch.createNamespacedJob({
      namespace: NS,
      body: {
        metadata: {
          name: 'fence-db-migrate-manual',
          annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
          ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata!.name!, uid: cj.metadata!.uid!, controller: true }],
        },
        spec: cj.spec!.jobTemplate.spec,
      },
    });
    assert.equal(job.spec!.selector!.matchLabels!['batch.kubernetes.io/controller-uid'], job.metadata!.uid);
    const done = await srv.waitFor(() => {
      const j = srv.get<Job>('jobs', NS, 'fence-db-migrate-manual');
      return j?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
    }, { description: 'job completion' });
    assert.equal(done.status!.succeeded, 1);
    assert.ok(done.status!.completionTime);
    const read = await batch.readNamespacedJobStatus({ name: 'fence-db-migrate-manual', namespace: NS });
    assert.equal(read.status!.succeeded, 1);
    const pods = srv.list<Pod>('pods', NS, { labelSelector: 'job-name=fence-db-migrate-manual' });
    assert.equal(pods.length, 1);
    assert.equal(pods[0].status!.phase, 'Succeeded');
  });

  it('deleting a Deployment garbage-collects its ReplicaSets and pods', async () => {
    const { srv, apps } = await fresh();
    const s = await apps.deleteNamespacedDeployment({ name: 'hatchery-deployment', namespace: NS });
    assert.equal(s.status, 'Success');
    await srv.waitFor(() => srv.list('replicasets', NS, { labelSelector: 'app=hatchery' }).length === 0 && podsOf(srv, 'hatchery').length === 0, {
      description: 'hatchery ReplicaSets and pods collected',
    });
  });

  it('injected failures answer real Status objects, then the request succeeds', async () => {
    const { srv, apps } = await fresh();
    srv.faults.failRequests({ method: 'GET', pathIncludes: 'deployments/fence-deployment', code: 503, retryAfterSeconds: 1 });
    const s = await rejects(apps.readNamespacedDeployment({ name: 'fence-deployment', namespace: NS }));
    assert.equal(s.code, 503);
    assert.equal(s.reason, 'ServiceUnavailable');
    const ok = await apps.readNamespacedDeployment({ name: 'fence-deployment', namespace: NS });
    assert.equal(ok.metadata!.name, 'fence-deployment');
  });
});

describe('pod faults', () => {
  it('CrashLoopBackOff, Evicted and Pending show in pod status the way the kubelet reports them', async () => {
    const { srv, apps } = await fresh();
    const [p1, p2] = podsOf(srv, 'peregrine').map((p) => p.metadata.name!);
    srv.faults.setPodFault(NS, p1, 'CrashLoopBackOff');
    const crashing = await srv.waitFor(() => {
      const p = srv.get<Pod>('pods', NS, p1)!;
      const cs = p.status!.containerStatuses![0];
      return cs.restartCount >= 2 && cs.state.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    }, { description: 'crash loop' });
    assert.equal(crashing.status!.containerStatuses![0].lastState.terminated!.exitCode, 1);
    assert.ok(crashing.status!.conditions!.some((c) => c.type === 'Ready' && c.status === 'False'));
    await srv.waitFor(() => srv.get<Deployment>('deployments', NS, 'peregrine-deployment')!.status!.readyReplicas === 1, { description: 'deployment sees 1 ready' });

    srv.faults.setPodFault(NS, p2, 'Evicted');
    const evicted = await srv.waitFor(() => {
      const p = srv.get<Pod>('pods', NS, p2);
      return p?.status?.reason === 'Evicted' ? p : undefined;
    }, { description: 'eviction' });
    assert.equal(evicted.status!.phase, 'Failed');
    // The ReplicaSet replaces the evicted pod.
    await srv.waitFor(() => podsOf(srv, 'peregrine').filter((p) => p.metadata.name !== p1 && ready(p)).length === 1, { description: 'replacement pod' });

    srv.faults.setPodFault(NS, p1, null);
    await srv.waitFor(() => ready(srv.get<Pod>('pods', NS, p1)!), { description: 'recovery' });
    assert.ok(srv.get<Pod>('pods', NS, p1)!.status!.containerStatuses![0].restartCount >= 2, 'restartCount survives recovery');

    srv.faults.setWorkloadFault(NS, 'portal-deployment', 'Pending');
    await apps.patchNamespacedDeployment({ name: 'portal-deployment', namespace: NS, body: { spec: { replicas: 3 } } }, merge);
    const pending = await srv.waitFor(() => podsOf(srv, 'portal').find((p) => p.status?.conditions?.some((c) => c.reason === 'Unschedulable')), {
      description: 'unschedulable pod',
    });
    assert.equal(pending.status!.phase, 'Pending');
    assert.equal(pending.spec.nodeName, undefined);
  });

  it('a rollout to an image that cannot be pulled stalls and then exceeds its progress deadline', async () => {
    const { srv, apps } = await fresh();
    srv.faults.setWorkloadFault(NS, 'manifestservice-deployment', 'ImagePullBackOff');
    await apps.patchNamespacedDeployment(
      { name: 'manifestservice-deployment', namespace: NS, body: { spec: { progressDeadlineSeconds: 1, template: { spec: { containers: [{ name: 'manifestservice', image: 'quay.io/cdis/manifestservice:does-not-exist' }] } } } } },
      strategic,
    );
    const stuck = await srv.waitFor(() => podsOf(srv, 'manifestservice').find((p) => p.status?.containerStatuses?.[0].state.waiting?.reason === 'ImagePullBackOff'), {
      description: 'ImagePullBackOff',
    });
    assert.equal(stuck.status!.phase, 'Pending');
    await assert.rejects(srv.waitForRollout(NS, 'manifestservice-deployment'), /exceeded its progress deadline/);
    const status = srv.get<Deployment>('deployments', NS, 'manifestservice-deployment')!.status!;
    assert.equal(status.availableReplicas, 2, 'old pods keep serving (maxUnavailable 0)');
    const progressing = status.conditions!.find((c) => c.type === 'Progressing')!;
    assert.equal(progressing.reason, 'ProgressDeadlineExceeded');
    assert.match(progressing.message!, /^ReplicaSet "manifestservice-deployment-\w+" has timed out progressing\.$/);
  });
});

describe('watches and informers', () => {
  it('Watch delivers ADDED/MODIFIED/DELETED and BOOKMARK events in order', async () => {
    const { srv, core, kc } = await fresh();
    srv.controller.pause(); // nothing else moves the resourceVersion, so the bookmark's is exact
    const list = await core.listNamespacedConfigMap({ namespace: NS });
    const events: { type: string; name?: string; rv?: string; data?: Record<string, string> }[] = [];
    const ended: unknown[] = [];
    const req = await new Watch(kc).watch(
      `/api/v1/namespaces/${NS}/configmaps`,
      { resourceVersion: list.metadata!.resourceVersion, allowWatchBookmarks: true },
      (type, obj: V1ConfigMap) => events.push({ type, name: obj.metadata?.name, rv: obj.metadata?.resourceVersion, data: obj.data }),
      (err) => ended.push(err),
    );
    cleanups.push(() => req.abort());
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'w1' }, data: { k: 'v1' } } });
    await core.patchNamespacedConfigMap({ name: 'w1', namespace: NS, body: { data: { k: 'v2' } } }, merge);
    await core.deleteNamespacedConfigMap({ name: 'w1', namespace: NS });
    srv.faults.sendBookmarks();
    await srv.waitFor(() => events.some((e) => e.type === 'BOOKMARK'), { description: 'bookmark' });
    const w1 = events.filter((e) => e.name === 'w1');
    assert.deepEqual(w1.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    assert.equal(w1[1].data!.k, 'v2');
    assert.ok(Number(w1[0].rv) < Number(w1[1].rv) && Number(w1[1].rv) < Number(w1[2].rv), 'resourceVersions increase');
    const bookmark = events.find((e) => e.type === 'BOOKMARK')!;
    assert.equal(bookmark.rv, String(srv.resourceVersion));
    assert.equal(srv.requests.find({ watch: true, pathIncludes: '/configmaps' })[0].query.allowWatchBookmarks, 'true');
    assert.deepEqual(ended, []);
  });

  it('a watch from an expired resourceVersion gets an ERROR event with 410 Expired, then the stream ends', async () => {
    const { srv, core, kc } = await fresh();
    const list = await core.listNamespacedConfigMap({ namespace: NS });
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'bump' } } });
    srv.faults.expireHistory();
    const events: { type: string; obj: { code?: number; reason?: string; message?: string; kind?: string } }[] = [];
    let done = false;
    await new Watch(kc).watch(
      `/api/v1/namespaces/${NS}/configmaps`,
      { resourceVersion: list.metadata!.resourceVersion },
      (type, obj) => events.push({ type, obj }),
      () => {
        done = true;
      },
    );
    await srv.waitFor(() => done, { description: 'watch end' });
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'ERROR');
    assert.equal(events[0].obj.kind, 'Status');
    assert.equal(events[0].obj.code, 410);
    assert.equal(events[0].obj.reason, 'Expired');
    assert.equal(events[0].obj.message, `too old resource version: ${list.metadata!.resourceVersion} (${srv.store.historyFloor})`);
  });

  it('an informer relists after a 410 and ends consistent with the server', async () => {
    const { srv, apps, kc } = await fresh();
    srv.controller.pause(); // a stable cluster makes "consistent" exact
    const path = `/apis/apps/v1/namespaces/${NS}/deployments`;
    const informer = makeInformer(kc, path, () => apps.listNamespacedDeployment({ namespace: NS }));
    const deleted: string[] = [];
    informer.on('delete', (d) => deleted.push(d.metadata!.name!));
    await informer.start();
    cleanups.push(() => informer.stop());
    assert.equal(informer.list(NS).length, 14);
    const lists = () => srv.requests.count({ method: 'GET', path, watch: false });
    assert.equal(lists(), 1);

    // The informer is away while the cluster changes and the history is compacted.
    await informer.stop();
    srv.delete('deployments', NS, 'audit-deployment');
    srv.modify('deployments', NS, 'portal-deployment', (d) => {
      d.metadata.labels!.tier = 'frontend';
    });
    srv.faults.expireHistory();
    await informer.start();

    await srv.waitFor(() => lists() === 2, { description: 'relist after 410' });
    await srv.waitFor(() => deleted.includes('audit-deployment'), { description: 'delete seen through relist' });
    const watches = srv.requests.find({ method: 'GET', path, watch: true });
    assert.ok(watches.some((w) => w.query.resourceVersion && Number(w.query.resourceVersion) < srv.store.historyFloor), 'resumed from an expired RV');
    await srv.waitFor(() => {
      const mine = informer.list(NS).map((d) => `${d.metadata!.name}@${d.metadata!.resourceVersion}`).sort();
      const theirs = srv.list('deployments', NS).map((d) => `${d.metadata.name}@${d.metadata.resourceVersion}`).sort();
      return JSON.stringify(mine) === JSON.stringify(theirs);
    }, { description: 'informer cache == server state' });
    assert.equal(informer.get('portal-deployment', NS)!.metadata!.labels!.tier, 'frontend');
  });

  it('an informer whose watch falls behind a compaction relists on the ERROR 410 event', async () => {
    const { srv, core, kc } = await fresh();
    srv.controller.pause();
    const path = `/api/v1/namespaces/${NS}/configmaps`;
    const informer = makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: NS }));
    await informer.start();
    cleanups.push(() => informer.stop());
    // Writes to another resource move the global resourceVersion past the informer's.
    srv.modify('secrets', NS, 'fence-dbcreds', (s) => {
      s.metadata.labels = { ...s.metadata.labels, touched: 'yes' };
    });
    srv.faults.expireHistory();
    srv.faults.dropWatches();
    await srv.waitFor(() => srv.requests.count({ method: 'GET', path, watch: false }) === 2, { description: 'relist' });
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'after-relist' } } });
    await srv.waitFor(() => informer.get('after-relist', NS), { description: 'informer sees new object' });
  });

  it('a dropped watch is re-established by the informer from its last resourceVersion', async () => {
    const { srv, core, kc } = await fresh();
    const path = `/api/v1/namespaces/${NS}/configmaps`;
    const informer = makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: NS }));
    const errors: unknown[] = [];
    let stopping = false;
    informer.on('error', (e) => {
      errors.push(e);
      // client-node stops an informer on a non-410 watch error; restarting is the caller's job.
      if (!stopping) setTimeout(() => void informer.start(), 50);
    });
    await informer.start();
    cleanups.push(() => {
      stopping = true;
      return informer.stop();
    });
    const watchCount = () => srv.requests.count({ method: 'GET', path, watch: true });
    const listCount = () => srv.requests.count({ method: 'GET', path, watch: false });
    await srv.waitFor(() => srv.openWatches === 1, { description: 'watch open' });

    // Clean end of stream (what an apiserver timeout looks like): re-watch, no relist.
    assert.equal(srv.faults.dropWatches(), 1);
    await srv.waitFor(() => watchCount() === 2 && srv.openWatches === 1, { description: 're-watch' });
    assert.equal(listCount(), 1);
    const [first, second] = srv.requests.find({ method: 'GET', path, watch: true });
    assert.equal(second.query.resourceVersion, first.query.resourceVersion, 'resumed where it left off (no configmap changed in between)');
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'after-drop' } } });
    await srv.waitFor(() => informer.get('after-drop', NS), { description: 'event after reconnect' });
    assert.deepEqual(errors, []);

    // Connection reset: the informer reports an error; the handler above restarts it.
    srv.faults.dropWatches({ abrupt: true });
    await srv.waitFor(() => errors.length >= 1 && srv.openWatches === 1, { description: 'restart after reset' });
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'after-reset' } } });
    await srv.waitFor(() => informer.get('after-reset', NS), { description: 'event after reset' });
  });

  it('a label-selected watch sees an object leave the selection as DELETED', async () => {
    const { srv, apps, kc } = await fresh();
    const list = await apps.listNamespacedDeployment({ namespace: NS, labelSelector: 'critical-service=true' });
    const seen: string[] = [];
    const req = await new Watch(kc).watch(
      `/apis/apps/v1/namespaces/${NS}/deployments`,
      { resourceVersion: list.metadata!.resourceVersion, labelSelector: 'critical-service=true' },
      (type, obj: V1Deployment) => seen.push(`${type} ${obj.metadata!.name}`),
      () => undefined,
    );
    cleanups.push(() => req.abort());
    await apps.patchNamespacedDeployment({ name: 'hatchery-deployment', namespace: NS, body: { metadata: { labels: { 'critical-service': 'false' } } } }, merge);
    await srv.waitFor(() => seen.includes('DELETED hatchery-deployment'), { description: 'DELETED for leaving the selector' });
    assert.ok(!seen.some((s) => s.endsWith('audit-deployment')), 'audit is not critical and never appears');
  });
});
