// The agent's Kubernetes collector and executors, through their real code and
// @kubernetes/client-node, against the Kubernetes API test server seeded with
// a Gen3 commons (issue 5, must-show 1–4).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { REVISION_ANNOTATION } from '../../agent/kubernetes/manifest-global';
import { eventually } from '../support/fleet';
import type { Deployment, KubeObject } from '../support/kube-api';
import { command, kubeCommons, run } from '../support/kube-agent';

type ConfigMapLike = KubeObject & { data: Record<string, string> };

const NS = 'gen3';

describe('Kubernetes collector', () => {
  let k: Awaited<ReturnType<typeof kubeCommons>>;
  before(async () => {
    k = await kubeCommons();
    await k.platform.kube.start(k.obs);
  });
  after(async () => {
    await k.platform.kube.stop();
    await k.srv.stop();
  });

  it('reports every seeded service with replicas, version and the commons identity from manifest-global', async () => {
    const services = await eventually(() => k.obs.services().length === k.seed.services.length && k.obs.services(), { what: 'all services' });
    assert.equal(services.length, 14);
    for (const spec of k.seed.services) {
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
  });

  it('a pod in CrashLoopBackOff makes its service down with that reason, from that one pod event', async () => {
    const pod = k.srv.list('pods', NS, { labelSelector: 'app=sheepdog' })[0].metadata.name!;
    // Every status the collector derives for sheepdog from here on, one per watch event.
    const seen: string[] = [];
    const record = () => {
      const s = k.obs.service('sheepdog');
      if (s && seen[seen.length - 1] !== `${s.status}|${s.statusReason}`) seen.push(`${s.status}|${s.statusReason}`);
    };
    k.obs.on('change', record);
    k.srv.faults.setPodFault(NS, pod, 'CrashLoopBackOff');
    const s = await eventually(() => k.obs.service('sheepdog')?.status === 'down' && k.obs.service('sheepdog'), { what: 'sheepdog down' });
    assert.match(s.statusReason, new RegExp(`^CrashLoopBackOff \\(pod ${pod}`));
    // The first change the collector saw was already "down, CrashLoopBackOff": no poll, no intermediate state.
    assert.match(seen.find((x) => !x.startsWith('healthy')) ?? '', /^down\|CrashLoopBackOff/);
    k.obs.off('change', record);
    k.srv.faults.setPodFault(NS, pod, null);
    await eventually(() => k.obs.service('sheepdog')?.status === 'healthy', { what: 'sheepdog healthy again' });
  });

  it('a watch dropped with 410 Gone relists and loses no change', async () => {
    const lists = () => k.srv.requests.count({ method: 'GET', path: `/apis/apps/v1/namespaces/${NS}/deployments`, watch: false });
    const gones = () => k.srv.requests.find({ method: 'GET', path: `/apis/apps/v1/namespaces/${NS}/deployments`, watch: true }).length;
    const listsBefore = lists();
    const watchesBefore = gones();
    // All in one turn of the event loop: the watch ends, a change lands, history is compacted past it,
    // so the collector's re-watch from its old resourceVersion is answered 410 Gone.
    k.srv.controller.pause();
    k.srv.faults.dropWatches();
    k.srv.modify<Deployment>('deployments', NS, 'peregrine-deployment', (d) => {
      d.spec!.replicas = 5;
    });
    k.srv.faults.expireHistory();
    k.srv.controller.resume();
    await eventually(() => k.obs.service('peregrine')?.desired === 5, { what: 'the change made during the outage' });
    assert.ok(gones() > watchesBefore, 'the collector watched again');
    assert.ok(lists() > listsBefore, 'the collector listed again after 410');
    k.srv.modify<Deployment>('deployments', NS, 'peregrine-deployment', (d) => {
      d.spec!.replicas = 2;
    });
    await eventually(() => k.obs.service('peregrine')?.desired === 2 && k.obs.service('peregrine')?.ready === 2, { what: 'changes after the relist' });
  });

  it('a dropped connection reconnects and keeps following changes', async () => {
    const watchesBefore = k.srv.requests.count({ method: 'GET', watch: true, pathIncludes: '/deployments' });
    k.srv.faults.dropWatches({ abrupt: true });
    await eventually(() => k.srv.requests.count({ method: 'GET', watch: true, pathIncludes: '/deployments' }) > watchesBefore, { what: 'a new watch' });
    k.srv.modify<Deployment>('deployments', NS, 'wts-deployment', (d) => {
      d.spec!.replicas = 3;
    });
    await eventually(() => k.obs.service('wts')?.ready === 3, { what: 'wts at 3 ready after the reconnect' });
  });
});

describe('Kubernetes executors', () => {
  let k: Awaited<ReturnType<typeof kubeCommons>>;
  const ex = (kind: string) => k.platform.executors.find((e) => e.kind === kind)!;
  before(async () => {
    k = await kubeCommons();
    await k.platform.kube.start(k.obs);
    await eventually(() => k.obs.services().length === 14, { what: 'the collector' });
  });
  after(async () => {
    await k.platform.kube.stop();
    await k.srv.stop();
  });

  it('restart patches restartedAt once, follows the rollout and succeeds; delivered twice, no second rollout', async () => {
    const patches = () => k.srv.requests.find({ method: 'PATCH', path: `/apis/apps/v1/namespaces/${NS}/deployments/fence-deployment` });
    const rsBefore = k.srv.list('replicasets', NS, { labelSelector: 'app=fence' }).length;
    const cmd = command('restart', 'fence', { restartedAt: '2026-11-24T07:00:00.000Z' });
    const r = await run(ex('restart'), cmd);
    assert.equal(r.ok, true, r.message);
    assert.equal(patches().length, 1);
    assert.equal(patches()[0].contentType, 'application/merge-patch+json');
    assert.deepEqual(patches()[0].body, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-24T07:00:00.000Z' } } } } });
    assert.ok(r.progress.some((m) => /rollout to finish/.test(m)), `progress followed the rollout: ${r.progress.join(' | ')}`);
    const d = k.srv.get<Deployment>('deployments', NS, 'fence-deployment')!;
    assert.equal(d.status?.updatedReplicas, d.spec?.replicas);
    assert.equal(k.srv.list('replicasets', NS, { labelSelector: 'app=fence' }).length, rsBefore + 1);

    const again = await run(ex('restart'), cmd);
    assert.equal(again.ok, true, again.message);
    assert.equal(patches().length, 1, 'no second patch');
    assert.equal(k.srv.list('replicasets', NS, { labelSelector: 'app=fence' }).length, rsBefore + 1, 'no second rollout');
  });

  it('scale goes through the scale subresource and follows ready replicas', async () => {
    const r = await run(ex('scale'), command('scale', 'indexd', { replicas: 6 }));
    assert.equal(r.ok, true, r.message);
    assert.equal(k.srv.requests.count({ method: 'PUT', path: `/apis/apps/v1/namespaces/${NS}/deployments/indexd-deployment/scale` }), 1);
    assert.equal(k.srv.requests.count({ method: 'PUT', path: `/apis/apps/v1/namespaces/${NS}/deployments/indexd-deployment` }), 0);
    assert.equal(k.obs.service('indexd')?.ready, 6);
  });

  it('scale respects an HPA and says so', async () => {
    const outside = await run(ex('scale'), command('scale', 'fence', { replicas: 9 }));
    assert.equal(outside.ok, false);
    assert.match(outside.message, /HorizontalPodAutoscaler fence-hpa \(2–4 replicas\)/);
    const inside = await run(ex('scale'), command('scale', 'fence', { replicas: 4 }));
    assert.equal(inside.ok, true, inside.message);
    assert.match(inside.message, /fence-hpa .* may change this/);
  });

  it('config with a stale resourceVersion fails with the conflict named and changes nothing', async () => {
    const cm0 = k.srv.get<ConfigMapLike>('configmaps', NS, 'manifest-global')!;
    const staleRv = cm0.metadata.resourceVersion;
    // Someone edits manifest-global (kubectl edit) after DCOC read it.
    k.srv.modify<ConfigMapLike>('configmaps', NS, 'manifest-global', (cm) => {
      cm.data.tier_access_level = 'regular';
    });
    const edited = k.srv.get<ConfigMapLike>('configmaps', NS, 'manifest-global')!;
    const r = await run(ex('config'), command('config', '', { revision: 2, baseRevision: 1, data: { ...cm0.data, maintenance_mode: 'on' }, resourceVersion: staleRv }));
    assert.equal(r.ok, false);
    assert.match(r.message, /^conflict: manifest-global was changed since resourceVersion/);
    const now = k.srv.get<ConfigMapLike>('configmaps', NS, 'manifest-global')!;
    assert.equal(now.metadata.resourceVersion, edited.metadata.resourceVersion);
    assert.deepEqual(now.data, edited.data);
    assert.equal(now.metadata.annotations?.[REVISION_ANNOTATION], undefined);

    const ok = await run(ex('config'), command('config', '', { revision: 2, baseRevision: 1, data: { ...edited.data, maintenance_mode: 'on' }, resourceVersion: edited.metadata.resourceVersion }));
    assert.equal(ok.ok, true, ok.message);
    const written = k.srv.get<ConfigMapLike>('configmaps', NS, 'manifest-global')!;
    assert.equal(written.metadata.annotations?.[REVISION_ANNOTATION], '2');
    assert.equal(written.data.maintenance_mode, 'on');
    await eventually(() => k.obs.config.revision === 2, { what: 'the collector to see revision 2' });
  });

  it('run-job creates a Job from the CronJob template once and follows it to completion', async () => {
    const cmd = command('run-job', 'usersync', {});
    const r = await run(ex('run-job'), cmd);
    assert.equal(r.ok, true, r.message);
    const creates = k.srv.requests.find({ method: 'POST', path: `/apis/batch/v1/namespaces/${NS}/jobs` });
    assert.equal(creates.length, 1);
    const job = creates[0].body as { metadata: { annotations: Record<string, string>; ownerReferences: { kind: string; name: string }[] } };
    assert.equal(job.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.deepEqual(job.metadata.ownerReferences.map((o) => [o.kind, o.name]), [['CronJob', 'usersync']]);
    const again = await run(ex('run-job'), cmd);
    assert.equal(again.ok, true);
    assert.equal(k.srv.requests.find({ method: 'POST', path: `/apis/batch/v1/namespaces/${NS}/jobs` }).length, 1, 'a repeat finds the Job instead of starting another');
    const missing = await run(ex('run-job'), command('run-job', 'no-such-cronjob', {}));
    assert.match(missing.message, /no CronJob no-such-cronjob/);
  });
});

describe('Kubernetes and HTTP health combined', () => {
  it('a service whose pods are ready but whose health endpoint fails is down, with the check named', async () => {
    const { createServer } = await import('node:http');
    const { gen3Service } = await import('../../agent/gen3/catalog');
    const { kubeClients } = await import('../../agent/kubernetes/kube-client');
    const { KubePlatform } = await import('../../agent/kubernetes/kube-platform');
    const { Observations } = await import('../../agent/core/observations');
    const pino = (await import('pino')).default;
    // fence's database is gone: /_status answers 500 as cdiserrors.UnhealthyCheck does.
    const http = createServer((req, res) => {
      if (req.headers.host === 'fence-service') res.writeHead(500).end('<html>Internal Server Error</html>');
      else res.writeHead(200).end(req.headers.host === 'arborist-service' ? '"Healthy"' : req.headers.host === 'revproxy-service' ? '{"message":"Feelin good!"}' : req.headers.host === 'metadata-service' || req.headers.host === 'audit-service' ? '{"status":"OK"}' : 'Healthy');
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const port = (http.address() as { port: number }).port;
    const k = await kubeCommons();
    const platform = new KubePlatform({
      clients: kubeClients(k.srv.kubeConfig()),
      namespace: NS,
      log: pino({ level: 'silent' }),
      healthIntervalMs: 200,
      healthTargets: (services) =>
        services.map((name) => {
          const s = gen3Service(name)!;
          return { service: name, url: `http://${s.k8sService}${s.healthPath}`, connect: { host: '127.0.0.1', port }, rule: s.healthRule };
        }),
    });
    const obs = new Observations();
    try {
      for (const c of platform.collectors) await c.start(obs);
      const fence = await eventually(() => (obs.service('fence')?.health ? obs.service('fence') : undefined), { what: 'fence checked' });
      assert.equal(fence.ready, fence.desired);
      assert.equal(fence.status, 'down');
      assert.match(fence.statusReason, /^health check failed: HTTP 500/);
      await eventually(() => obs.service('indexd')?.status === 'healthy', { what: 'indexd healthy from both' });
    } finally {
      for (const c of platform.collectors) await c.stop();
      await k.srv.stop();
      http.close();
    }
  });
});
