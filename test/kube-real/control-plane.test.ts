// The real-Kubernetes harness (test/support/control-plane) against itself:
// what the agent's tests will lean on — Deployments turn Ready on kwok's fake
// Nodes, a restart rolls every pod, RBAC refuses what agent/deploy/rbac.yaml
// does not grant, Jobs complete, and the apiserver is the pinned release.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ApiException, AppsV1Api, BatchV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { ROOT } from '../../scripts/demo/processes';
import { requiredVersion } from '../../scripts/tools/go-tools';
import { type ControlPlane, useControlPlane } from '../support/control-plane';

const controlPlane = useControlPlane();
// Generous: the first test also starts the control plane on a 2-core machine.
const SLOW = { timeout: 300_000 };

function deployment(name: string, replicas: number): V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      // kwok never pulls the image: any name will do.
      template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'registry.invalid/dcoc/web:1' }] } },
    },
  };
}

const isReady = (p: V1Pod) => p.status?.phase === 'Running' && Boolean(p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

/** The Deployment's rollout is done: every replica updated, available and Ready, no old pod left. */
async function rolledOut(apps: AppsV1Api, namespace: string, name: string): Promise<boolean> {
  const d = await apps.readNamespacedDeployment({ name, namespace });
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) && s.replicas === want && s.updatedReplicas === want && s.readyReplicas === want && s.availableReplicas === want;
}

async function podsOf(cp: ControlPlane, namespace: string, app: string): Promise<V1Pod[]> {
  return (await cp.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;
}

test('the apiserver reports the Kubernetes version test/tools/kube pins', SLOW, async (t) => {
  const cp = await controlPlane(t);
  if (!cp) return;
  const pinned = requiredVersion(readFileSync(join(ROOT, 'test/tools/kube/kubernetes/go.mod'), 'utf8'), 'k8s.io/kubernetes');
  assert.ok(pinned, 'test/tools/kube/kubernetes/go.mod requires k8s.io/kubernetes');
  assert.equal(cp.version.gitVersion, pinned);
  const [, major, minor] = /^v(\d+)\.(\d+)\./.exec(pinned)!;
  assert.equal(cp.version.major, major);
  assert.equal(cp.version.minor, minor);
});

test('a Deployment of 3 replicas gets 3 Ready pods on kwok Nodes', SLOW, async (t) => {
  const cp = await controlPlane(t);
  if (!cp) return;
  const ns = 'web';
  await cp.createNamespace(ns);
  const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', 3) });
  await cp.waitFor('deployment web to roll out', () => rolledOut(apps, ns, 'web'));

  const pods = await podsOf(cp, ns, 'web');
  assert.equal(pods.length, 3, pods.map((p) => p.metadata?.name).join(', '));
  for (const p of pods) {
    assert.ok(isReady(p), `${p.metadata?.name} is ${p.status?.phase}`);
    assert.ok(cp.nodes.includes(p.spec?.nodeName ?? ''), `${p.metadata?.name} was scheduled to a kwok Node, not ${p.spec?.nodeName}`);
  }
});

test('a restart makes exactly one new ReplicaSet and replaces every old pod', SLOW, async (t) => {
  const cp = await controlPlane(t);
  if (!cp) return;
  const ns = 'restart';
  await cp.createNamespace(ns);
  const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: ns, body: deployment('api', 3) });
  await cp.waitFor('deployment api to roll out', () => rolledOut(apps, ns, 'api'));
  const oldReplicaSets = new Set((await apps.listNamespacedReplicaSet({ namespace: ns })).items.map((r) => r.metadata!.uid!));
  const oldPods = new Set((await podsOf(cp, ns, 'api')).map((p) => p.metadata!.uid!));
  assert.equal(oldReplicaSets.size, 1);
  assert.equal(oldPods.size, 3);

  // What `kubectl rollout restart` (and the agent's restart) sends.
  await apps.patchNamespacedDeployment(
    { name: 'api', namespace: ns, body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } } },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
  await cp.waitFor('the restarted deployment api to roll out', async () => (await rolledOut(apps, ns, 'api')) && (await podsOf(cp, ns, 'api')).length === 3);

  const replicaSets = (await apps.listNamespacedReplicaSet({ namespace: ns })).items;
  const added = replicaSets.filter((r) => !oldReplicaSets.has(r.metadata!.uid!));
  assert.equal(added.length, 1, `new ReplicaSets: ${added.map((r) => r.metadata?.name).join(', ')}`);
  const newRs = added[0];
  for (const r of replicaSets.filter((x) => x !== newRs)) assert.equal(r.spec?.replicas, 0, `old ReplicaSet ${r.metadata?.name} scaled to 0`);

  const pods = await podsOf(cp, ns, 'api');
  assert.equal(pods.length, 3);
  for (const p of pods) {
    assert.ok(!oldPods.has(p.metadata!.uid!), `${p.metadata?.name} is an old pod`);
    assert.equal(p.metadata?.ownerReferences?.[0]?.uid, newRs.metadata!.uid, `${p.metadata?.name} belongs to the new ReplicaSet`);
    assert.ok(isReady(p), `${p.metadata?.name} is ${p.status?.phase}`);
  }
});

test("the agent's ServiceAccount, bound only to agent/deploy/rbac.yaml's Role, is refused a Secret it was not granted", SLOW, async (t) => {
  const cp = await controlPlane(t);
  if (!cp) return;
  const ns = 'gen3';
  await cp.createNamespace(ns);
  await cp.createNamespace('elsewhere');
  await cp.apply(readFileSync(join(ROOT, 'agent/deploy/rbac.yaml'), 'utf8'), { namespace: ns });
  const adminCore = cp.kubeConfig.makeApiClient(CoreV1Api);
  for (const namespace of [ns, 'elsewhere']) {
    await adminCore.createNamespacedSecret({ namespace, body: { metadata: { name: 'some-secret' }, stringData: { k: 'v' } } });
  }

  const agent = await cp.serviceAccountKubeConfig(ns, 'dcoc-agent');
  const core = agent.kubeConfig.makeApiClient(CoreV1Api);
  const status = async (call: () => Promise<unknown>) => {
    try {
      await call();
      return 200;
    } catch (e) {
      if (e instanceof ApiException) return e.code;
      throw e;
    }
  };
  await adminCore.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'dcoc-agent-identity' }, stringData: { k: 'v' } } });
  // Granted: its own identity Secret, list on Deployments.
  assert.equal(await status(() => core.readNamespacedSecret({ namespace: ns, name: 'dcoc-agent-identity' })), 200);
  assert.equal(await status(() => agent.kubeConfig.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: ns })), 200);
  // Not granted: any other Secret of its namespace, a Secret in another namespace, listing Secrets, deleting one.
  assert.equal(await status(() => core.readNamespacedSecret({ namespace: ns, name: 'some-secret' })), 403);
  assert.equal(await status(() => core.readNamespacedSecret({ namespace: 'elsewhere', name: 'some-secret' })), 403);
  assert.equal(await status(() => core.listNamespacedSecret({ namespace: ns })), 403);
  assert.equal(await status(() => core.deleteNamespacedSecret({ namespace: ns, name: 'some-secret' })), 403);
});

test("a Job's pod succeeds on a kwok Node and the Job completes", SLOW, async (t) => {
  const cp = await controlPlane(t);
  if (!cp) return;
  const ns = 'jobs';
  await cp.createNamespace(ns);
  const batch = cp.kubeConfig.makeApiClient(BatchV1Api);
  await batch.createNamespacedJob({
    namespace: ns,
    body: { metadata: { name: 'once' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'task', image: 'registry.invalid/dcoc/task:1' }] } } } },
  });
  await cp.waitFor('job once to complete', async () => {
    const j = await batch.readNamespacedJob({ name: 'once', namespace: ns });
    return j.status?.succeeded === 1 && j.status.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');
  });
});
