// The agent's Kubernetes collector and executors on the real control plane,
// as the agent's ServiceAccount bound to agent/deploy/rbac.yaml: what they
// asked is read back from the apiserver's audit log, what they changed from
// the cluster, and the real controllers (and kwok, as the kubelet) do the rest.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, BatchV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { Observations } from '../../agent/core/observations';
import { gen3Service } from '../../contracts/gen3/catalog';
import { REVISION_ANNOTATION } from '../../agent/kubernetes/manifest-global';
import { type AuditEvent, type ControlPlane, useControlPlane } from '../support/control-plane';
import { FAULT_ANNOTATION } from '../support/control-plane/kwok-stages';
import { eventually } from '../support/fleet';
import { NS, command, realKubeCommons, run } from '../support/kube-agent';

const controlPlane = useControlPlane();

describe('the agent on the real control plane', { timeout: 300_000 }, () => {
  let cp: ControlPlane | undefined;
  let k: Awaited<ReturnType<typeof realKubeCommons>>;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  const ex = (kind: string) => k.platform.executors.find((e) => e.kind === kind)!;
  /** The agent's requests so far, as "verb resource[/sub] name". */
  const asked = (filter: (e: AuditEvent) => boolean = () => true) =>
    cp!
      .audit({ user: k.agent.username })
      .filter(filter)
      .map((e) => `${e.verb} ${e.objectRef?.resource}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''}${e.objectRef?.name ? ` ${e.objectRef.name}` : ''}`);
  const annotate = (pod: string, value: string | null) =>
    core.patchNamespacedPod({ name: pod, namespace: NS, body: { metadata: { annotations: { [FAULT_ANNOTATION]: value } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));

  before(async (t) => {
    cp = await controlPlane(t as never);
    if (!cp) return;
    k = await realKubeCommons(cp);
    apps = cp.kubeConfig.makeApiClient(AppsV1Api);
    core = cp.kubeConfig.makeApiClient(CoreV1Api);
    await k.platform.kube.start(k.obs);
  });
  after(() => k?.platform.kube.stop());

  it('the collector reports every service with replicas, version and the commons identity from manifest-global', async (t) => {
    if (!cp) return t.skip('no control plane');
    const services = await eventually(() => k.obs.services().length === k.commons.services.length && k.obs.services(), { what: 'all services' });
    assert.equal(services.length, 14);
    for (const spec of k.commons.services) {
      const s = k.obs.service(spec.name)!;
      assert.ok(s, `${spec.name} reported`);
      assert.equal(s.deployment, spec.deployment);
      assert.equal(s.desired, spec.replicas);
      assert.equal(s.ready, spec.replicas);
      assert.equal(s.version, spec.name === 'ambassador' ? '1.4.2' : '2026.07');
      assert.equal(s.status, 'healthy');
    }
    assert.deepEqual(k.obs.identity, { hostname: 'data.example.org', environment: 'exampleprod', name: 'data.example.org', namespace: NS });
    assert.equal(k.obs.release, '2026.07');
    assert.equal(k.obs.config.data.hostname, 'data.example.org');
    assert.ok(k.obs.config.resourceVersion);
    // Watches, not polling loops: one list and one watch per kind so far.
    for (const resource of ['deployments', 'pods', 'events', 'configmaps']) {
      assert.equal(asked((e) => e.objectRef?.resource === resource && e.verb === 'list').length, 1, resource);
    }
  });

  it('a pod in CrashLoopBackOff makes its service down with that reason; healthy again when it runs', async (t) => {
    if (!cp) return t.skip('no control plane');
    const pod = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=sheepdog' })).items[0].metadata!.name!;
    await annotate(pod, 'CrashLoopBackOff');
    const s = await eventually(() => k.obs.service('sheepdog')?.status === 'down' && k.obs.service('sheepdog'), { what: 'sheepdog down' });
    assert.match(s.statusReason, new RegExp(`^CrashLoopBackOff \\(pod ${pod}, 5 restarts\\)`));
    // The ReplicaSet controller counts the pod out of Ready a moment later.
    await eventually(() => k.obs.service('sheepdog')?.ready === 1, { what: 'sheepdog 1 of 2 ready' });
    await annotate(pod, null);
    await eventually(() => k.obs.service('sheepdog')?.status === 'healthy', { what: 'sheepdog healthy again' });
  });

  it('restart patches restartedAt once and follows the real rollout; delivered twice, no second rollout', async (t) => {
    if (!cp) return t.skip('no control plane');
    const replicaSets = async () => (await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app=fence' })).items.length;
    const before = await replicaSets();
    const cmd = command('restart', 'fence', { restartedAt: '2026-11-24T07:00:00.000Z' });
    const r = await run(ex('restart'), cmd);
    assert.equal(r.ok, true, r.message);
    assert.deepEqual(asked((e) => e.verb === 'patch'), ['patch deployments fence-deployment']);
    const d = await apps.readNamespacedDeployment({ name: 'fence-deployment', namespace: NS });
    assert.equal(d.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], '2026-11-24T07:00:00.000Z');
    assert.equal(d.status?.updatedReplicas, d.spec?.replicas);
    assert.equal(await replicaSets(), before + 1);

    const again = await run(ex('restart'), cmd);
    assert.equal(again.ok, true, again.message);
    assert.equal(asked((e) => e.verb === 'patch').length, 1, 'no second patch');
    assert.equal(await replicaSets(), before + 1, 'no second rollout');
  });

  it('scale goes through the scale subresource and follows ready replicas', async (t) => {
    if (!cp) return t.skip('no control plane');
    const r = await run(ex('scale'), command('scale', 'indexd', { replicas: 6 }));
    assert.equal(r.ok, true, r.message);
    assert.deepEqual(asked((e) => ['update', 'patch'].includes(e.verb) && e.objectRef?.name === 'indexd-deployment'), ['update deployments/scale indexd-deployment']);
    assert.equal(k.obs.service('indexd')?.ready, 6);
    assert.equal((await apps.readNamespacedDeployment({ name: 'indexd-deployment', namespace: NS })).status?.readyReplicas, 6);
  });

  it('scale respects the HPA and says so', async (t) => {
    if (!cp) return t.skip('no control plane');
    const outside = await run(ex('scale'), command('scale', 'fence', { replicas: 9 }));
    assert.equal(outside.ok, false);
    assert.match(outside.message, /HorizontalPodAutoscaler fence-hpa \(2–4 replicas\)/);
    assert.equal((await apps.readNamespacedDeployment({ name: 'fence-deployment', namespace: NS })).spec?.replicas, 3, 'nothing changed');
    const inside = await run(ex('scale'), command('scale', 'fence', { replicas: 4 }));
    assert.equal(inside.ok, true, inside.message);
    assert.match(inside.message, /fence-hpa .* may change this/);
  });

  it('config with a stale resourceVersion fails with the conflict named and changes nothing', async (t) => {
    if (!cp) return t.skip('no control plane');
    const read = () => core.readNamespacedConfigMap({ name: 'manifest-global', namespace: NS });
    const cm0 = await read();
    // Someone edits manifest-global (kubectl edit) after DCOC read it.
    const edited = await core.patchNamespacedConfigMap(
      { name: 'manifest-global', namespace: NS, body: { data: { tier_access_level: 'regular' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const r = await run(ex('config'), command('config', '', { revision: 2, baseRevision: 1, data: { ...cm0.data, maintenance_mode: 'on' }, resourceVersion: cm0.metadata!.resourceVersion }));
    assert.equal(r.ok, false);
    assert.match(r.message, /^conflict: manifest-global was changed since resourceVersion/);
    const now: V1ConfigMap = await read();
    assert.equal(now.metadata!.resourceVersion, edited.metadata!.resourceVersion);
    assert.deepEqual(now.data, edited.data);
    assert.equal(now.metadata!.annotations?.[REVISION_ANNOTATION], undefined);

    const ok = await run(ex('config'), command('config', '', { revision: 2, baseRevision: 1, data: { ...edited.data, maintenance_mode: 'on' }, resourceVersion: edited.metadata!.resourceVersion }));
    assert.equal(ok.ok, true, ok.message);
    const written = await read();
    assert.equal(written.metadata!.annotations?.[REVISION_ANNOTATION], '2');
    assert.equal(written.data!.maintenance_mode, 'on');
    await eventually(() => k.obs.config.revision === 2, { what: 'the collector to see revision 2' });
  });

  it('run-job creates a Job from the CronJob template once and follows it to completion', async (t) => {
    if (!cp) return t.skip('no control plane');
    // gen3-helm 42cc46bc helm/fence/templates/fence-db-migrate-job.yaml: suspended, never runs on schedule; run by hand.
    const cmd = command('run-job', 'fence-db-migrate-cronjob', {});
    const r = await run(ex('run-job'), cmd);
    assert.equal(r.ok, true, r.message);
    const created = asked((e) => e.verb === 'create' && e.objectRef?.resource === 'jobs');
    assert.equal(created.length, 1);
    const jobs = (await cp.kubeConfig.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: NS })).items.filter((j) => j.metadata?.annotations?.['cronjob.kubernetes.io/instantiate'] === 'manual');
    assert.equal(jobs.length, 1);
    assert.deepEqual(jobs[0].metadata?.ownerReferences?.map((o) => [o.kind, o.name]), [['CronJob', 'fence-db-migrate-cronjob']]);
    assert.equal(jobs[0].status?.succeeded, 1, 'completed by the real Job controller');
    const again = await run(ex('run-job'), cmd);
    assert.equal(again.ok, true);
    assert.equal(asked((e) => e.verb === 'create' && e.objectRef?.resource === 'jobs').length, 1, 'a repeat finds the Job instead of starting another');
    const missing = await run(ex('run-job'), command('run-job', 'no-such-cronjob', {}));
    assert.match(missing.message, /no CronJob no-such-cronjob/);
  });

  it('a service whose pods are Ready but whose health endpoint fails is down, with the check named', async (t) => {
    if (!cp) return t.skip('no control plane');
    // fence's database is gone: /_status answers 500 as cdiserrors.UnhealthyCheck does.
    const http = createServer((req, res) => {
      const host = req.headers.host;
      if (host === 'fence-service') res.writeHead(500).end('<html>Internal Server Error</html>');
      else res.writeHead(200).end(host === 'arborist-service' ? '"Healthy"' : host === 'revproxy-service' ? '{"message":"Feelin good!"}' : host === 'metadata-service' || host === 'audit-service' ? '{"status":"OK"}' : 'Healthy');
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    t.after(() => http.close());
    const port = (http.address() as { port: number }).port;
    const withHealth = await realKubeCommons(cp, {
      namespace: 'gen3-health',
      healthIntervalMs: 200,
      healthTargets: (services) =>
        services.map((name) => {
          const s = gen3Service(name)!;
          return { service: name, url: `http://${s.k8sService}${s.healthPath}`, connect: { host: '127.0.0.1', port }, rule: s.healthRule };
        }),
    });
    const obs = new Observations();
    t.after(async () => {
      for (const c of withHealth.platform.collectors) await c.stop();
    });
    for (const c of withHealth.platform.collectors) await c.start(obs);
    const fence = await eventually(() => (obs.service('fence')?.health ? obs.service('fence') : undefined), { what: 'fence checked' });
    assert.equal(fence.ready, fence.desired);
    assert.equal(fence.status, 'down');
    assert.match(fence.statusReason, /^health check failed: HTTP 500/);
    await eventually(() => obs.service('indexd')?.status === 'healthy', { what: 'indexd healthy from both' });
  });
});
