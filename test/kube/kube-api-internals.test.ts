// Unit tests for the pieces of the Kubernetes API test server that carry the
// API's semantics (patch formats, selectors, field ownership) and for the
// less common server behaviours (pagination, orphaning, Recreate, failing
// Jobs, graceful pod deletion, auth), without client-node where it adds nothing.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { jsonPatch, mergePatch, PatchError } from '../support/kube-api/patch-json';
import { strategicMergePatch } from '../support/kube-api/patch-strategic';
import { labelSelectorMatcher, labelSelectorString, parseFieldSelector, parseLabelSelector } from '../support/kube-api/selectors';
import { fieldPaths, fromFieldsV1, serverSideApply, toFieldsV1 } from '../support/kube-api/managed-fields';
import { KubeError } from '../support/kube-api/errors';
import { podTemplateHash } from '../support/kube-api/util';
import { startKubeApiServer, type Deployment, type Job, type KubeApiServer, type KubeObject, type Pod } from '../support/kube-api/index';

describe('patch formats', () => {
  it('merge patch (RFC 7386): null deletes, objects merge, arrays replace', () => {
    const out = mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { a: null, b: { c: 9 }, l: [3] });
    assert.deepEqual(out, { b: { c: 9, d: 3 }, l: [3] });
  });

  it('JSON patch (RFC 6902): add/replace/remove/move/copy/test, pointer escapes, atomic failure', () => {
    const doc = { metadata: { labels: { a: '1' } }, list: [1, 2, 3] };
    const out = jsonPatch(doc, [
      { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'fence' },
      { op: 'replace', path: '/list/0', value: 9 },
      { op: 'remove', path: '/list/1' },
      { op: 'add', path: '/list/-', value: 4 },
      { op: 'copy', from: '/metadata/labels/a', path: '/metadata/labels/b' },
      { op: 'move', from: '/metadata/labels/a', path: '/metadata/labels/c' },
      { op: 'test', path: '/list', value: [9, 3, 4] },
    ]);
    assert.deepEqual(out, { metadata: { labels: { 'app.kubernetes.io/name': 'fence', b: '1', c: '1' } }, list: [9, 3, 4] });
    assert.deepEqual(doc.list, [1, 2, 3], 'input untouched');
    assert.throws(() => jsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }]), PatchError);
    assert.throws(() => jsonPatch(doc, [{ op: 'test', path: '/list/0', value: 2 }]), /test failed/);
  });

  it('strategic merge patch: containers, env and ports by key, directives, atomic lists', () => {
    const target = {
      spec: {
        containers: [
          { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }], ports: [{ containerPort: 80, name: 'http' }], args: ['--x'] },
          { name: 'b', image: 'b:1' },
        ],
        tolerations: [{ key: 't1' }],
      },
      metadata: { finalizers: ['f1'], labels: { keep: 'yes', drop: 'yes' } },
    };
    const out = strategicMergePatch(target, {
      spec: {
        containers: [
          { name: 'a', image: 'a:2', env: [{ name: 'Y', value: '2' }], ports: [{ containerPort: 80, protocol: 'TCP' }], args: ['--y'] },
          { name: 'b', $patch: 'delete' },
          { name: 'c', image: 'c:1' },
        ],
        tolerations: [{ key: 't2' }],
      },
      metadata: { finalizers: ['f2'], labels: { drop: null } },
    }) as typeof target;
    assert.deepEqual(out.spec.containers.map((c) => c.name), ['a', 'c']);
    const a = out.spec.containers[0];
    assert.equal(a.image, 'a:2');
    assert.deepEqual(a.env, [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }]);
    assert.deepEqual(a.ports, [{ containerPort: 80, name: 'http', protocol: 'TCP' }]);
    assert.deepEqual(a.args, ['--y'], 'args is atomic');
    assert.deepEqual(out.spec.tolerations, [{ key: 't2' }], 'tolerations are atomic');
    assert.deepEqual(out.metadata.finalizers, ['f1', 'f2'], 'finalizers merge as a set');
    assert.deepEqual(out.metadata.labels, { keep: 'yes' });
    const replaced = strategicMergePatch(target, { spec: { containers: [{ $patch: 'replace' }, { name: 'z', image: 'z:1' }] } }) as typeof target;
    assert.deepEqual(replaced.spec.containers, [{ name: 'z', image: 'z:1' }]);
    assert.throws(() => strategicMergePatch(target, { spec: { containers: [{ image: 'no-name' }] } }), /merge key: name/);
  });
});

describe('selectors', () => {
  it('parses the labelSelector grammar', () => {
    const m = parseLabelSelector('app=fence,release!=dev,tier in (a, b),!canary,hostname');
    assert.equal(m({ app: 'fence', release: 'production', tier: 'b', hostname: 'h' }), true);
    assert.equal(m({ app: 'fence', release: 'production', tier: 'c', hostname: 'h' }), false);
    assert.equal(m({ app: 'fence', release: 'production', tier: 'a', hostname: 'h', canary: '1' }), false);
    assert.equal(parseLabelSelector('')({}), true);
    assert.throws(() => parseLabelSelector('a in b'), (e: KubeError) => e.code === 400);
  });

  it('matches and prints metav1.LabelSelector', () => {
    const sel = { matchLabels: { release: 'production', app: 'fence' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] };
    assert.equal(labelSelectorMatcher(sel)({ app: 'fence', release: 'production', tier: 'api' }), true);
    assert.equal(labelSelectorMatcher(sel)({ app: 'fence', release: 'production' }), false);
    assert.equal(labelSelectorMatcher(undefined)({}), false, 'a nil selector selects nothing');
    assert.equal(labelSelectorString(sel), 'app=fence,release=production,tier in (api,web)');
  });

  it('field selectors accept only supported labels', () => {
    const m = parseFieldSelector('status.phase=Running,metadata.name!=x', { 'status.phase': (o) => (o.status as { phase?: string }).phase });
    assert.equal(m({ metadata: { name: 'y' }, status: { phase: 'Running' } }), true);
    assert.equal(m({ metadata: { name: 'x' }, status: { phase: 'Running' } }), false);
    assert.throws(() => parseFieldSelector('spec.foo=1', {}), /field label not supported: spec.foo/);
  });
});

describe('managed fields and apply', () => {
  it('FieldsV1 round-trips and marks list items and maps with "."', () => {
    const obj: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', uid: 'u', labels: { app: 'x' } },
      spec: { replicas: 2, selector: { matchLabels: { app: 'x' } }, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } },
      status: { replicas: 2 },
    };
    const paths = fieldPaths(obj, 'main', true);
    const f = toFieldsV1(paths);
    assert.deepEqual(f, {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:name': {}, 'f:image': {} } } } },
      },
    });
    assert.deepEqual([...fromFieldsV1(f)].sort(), [...paths].sort());
  });

  it('apply merges by key, drops fields the manager stopped applying, and conflicts on foreign fields', () => {
    const opts = { force: false, apiVersion: 'v1', hasStatus: false };
    const v1 = serverSideApply(undefined, { metadata: { name: 'cm' }, data: { a: '1', b: '1' } }, { ...opts, manager: 'one' });
    const v2 = serverSideApply(v1, { metadata: { name: 'cm' }, data: { c: '1' } }, { ...opts, manager: 'two' });
    assert.deepEqual(v2.data, { a: '1', b: '1', c: '1' });
    const v3 = serverSideApply(v2, { metadata: { name: 'cm' }, data: { a: '1' } }, { ...opts, manager: 'one' });
    assert.deepEqual(v3.data, { a: '1', c: '1' }, 'b removed: applied before by one, now not, owned by nobody else');
    assert.throws(
      () => serverSideApply(v3, { metadata: { name: 'cm' }, data: { c: '2' } }, { ...opts, manager: 'one' }),
      (e: KubeError) => e.code === 409 && e.message === 'Apply failed with 1 conflict: conflict with "two" using v1: .data.c',
    );
    const same = serverSideApply(v3, { metadata: { name: 'cm' }, data: { a: '1', c: '1' } }, { ...opts, manager: 'one' });
    assert.deepEqual(same.data, { a: '1', c: '1' }, 'same value: shared ownership, no conflict');
  });

  it('pod-template-hash uses the controller alphabet and changes with the template', () => {
    const a = podTemplateHash({ spec: { containers: [{ name: 'x', image: 'x:1' }] } });
    const b = podTemplateHash({ spec: { containers: [{ name: 'x', image: 'x:2' }] } });
    assert.match(a, /^[456789bcdf]{1,10}$/);
    assert.notEqual(a, b);
    assert.equal(a, podTemplateHash({ spec: { containers: [{ image: 'x:1', name: 'x' }] } }), 'key order does not matter');
  });
});

describe('server behaviours', () => {
  let srv: KubeApiServer | undefined;
  afterEach(async () => {
    await srv?.stop();
    srv = undefined;
  });

  const deployment = (name: string, replicas: number, strategy?: Deployment['spec']['strategy']): Deployment => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1` }] } },
      ...(strategy ? { strategy } : {}),
    },
  });

  it('paginates lists with limit/continue and expires old continue tokens', async () => {
    srv = await startKubeApiServer();
    for (let i = 0; i < 5; i++) srv.create('configmaps', 'ns', { metadata: { name: `cm-${i}` } });
    const t = srv.typeOf('configmaps');
    const p1 = srv.registry.list(t, 'ns', { limit: 2 });
    assert.deepEqual(p1.items.map((o) => o.metadata.name), ['cm-0', 'cm-1']);
    assert.equal(p1.remainingItemCount, 3);
    const p2 = srv.registry.list(t, 'ns', { limit: 10, continue: p1.continue });
    assert.deepEqual(p2.items.map((o) => o.metadata.name), ['cm-2', 'cm-3', 'cm-4']);
    assert.equal(p2.continue, undefined);
    srv.create('configmaps', 'ns', { metadata: { name: 'later' } });
    srv.faults.expireHistory();
    assert.throws(() => srv!.registry.list(t, 'ns', { continue: p1.continue }), (e: KubeError) => e.code === 410 && e.status.reason === 'Expired');
  });

  it('generation moves with spec and annotations, not labels or status; status is ignored on the main resource', async () => {
    srv = await startKubeApiServer({ controller: { autoStart: false } });
    const d = srv.create<Deployment>('deployments', 'ns', deployment('web', 1));
    assert.equal(d.metadata.generation, 1);
    assert.equal(d.status, undefined);
    const labelled = srv.modify<Deployment>('deployments', 'ns', 'web', (o) => {
      o.metadata.labels = { x: 'y' };
      o.status = { replicas: 42 };
    });
    assert.equal(labelled.metadata.generation, 1);
    assert.equal(labelled.status, undefined, 'status writes need the status subresource');
    const annotated = srv.modify<Deployment>('deployments', 'ns', 'web', (o) => {
      o.metadata.annotations = { note: 'x' };
    });
    assert.equal(annotated.metadata.generation, 2);
    const scaled = srv.modify<Deployment>('deployments', 'ns', 'web', (o) => {
      o.spec.replicas = 2;
    });
    assert.equal(scaled.metadata.generation, 3);
    const noop = srv.modify<Deployment>('deployments', 'ns', 'web', () => undefined);
    assert.equal(noop.metadata.resourceVersion, scaled.metadata.resourceVersion, 'a no-op write does not bump resourceVersion');
    assert.throws(
      () => srv!.modify<Deployment>('deployments', 'ns', 'web', (o) => (o.spec.selector = { matchLabels: { app: 'other' } })),
      (e: KubeError) => e.code === 422 && /spec.selector|selector/.test(e.message),
    );
  });

  it('Recreate scales the old ReplicaSet to zero before starting new pods', async () => {
    srv = await startKubeApiServer({ controller: { autoStart: false } });
    srv.create('deployments', 'ns', deployment('db', 2, { type: 'Recreate' }));
    srv.controller.tick(10);
    assert.equal(srv.list<Pod>('pods', 'ns').filter((p) => p.status?.phase === 'Running').length, 2);
    srv.modify<Deployment>('deployments', 'ns', 'db', (o) => (o.spec.template.spec!.containers![0].image = 'db:2'));
    let overlap = false;
    for (let i = 0; i < 20; i++) {
      srv.controller.tick();
      const images = new Set(srv.list<Pod>('pods', 'ns').map((p) => p.spec.containers[0].image));
      if (images.size > 1) overlap = true;
    }
    assert.equal(overlap, false, 'old and new pods never coexist');
    const pods = srv.list<Pod>('pods', 'ns');
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => p.spec.containers[0].image === 'db:2' && p.status?.phase === 'Running'));
  });

  it('deleting with propagationPolicy=Orphan keeps the ReplicaSet and strips its ownerReference', async () => {
    srv = await startKubeApiServer({ controller: { autoStart: false } });
    srv.create('deployments', 'ns', deployment('keep', 1));
    srv.controller.tick(6);
    srv.delete('deployments', 'ns', 'keep', { propagationPolicy: 'Orphan' });
    srv.controller.tick(3);
    const rs = srv.list('replicasets', 'ns');
    assert.equal(rs.length, 1);
    assert.equal(rs[0].metadata.ownerReferences, undefined);
  });

  it('a Job whose container keeps failing stops after backoffLimit with Failed/BackoffLimitExceeded', async () => {
    srv = await startKubeApiServer({ controller: { autoStart: false } });
    srv.create('jobs', 'ns', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'usersync-manual' },
      spec: { backoffLimit: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'usersync', image: 'fence:1' }] } } },
    });
    srv.faults.setWorkloadFault('ns', 'usersync-manual', 'CrashLoopBackOff');
    for (let i = 0; i < 60; i++) srv.controller.tick();
    const job = srv.get<Job>('jobs', 'ns', 'usersync-manual')!;
    const failed = job.status!.conditions!.find((c) => c.type === 'Failed')!;
    assert.equal(failed.reason, 'BackoffLimitExceeded');
    assert.equal(job.status!.failed, 2);
  });

  it('pods on a node are deleted gracefully (deletionTimestamp, then gone); gracePeriodSeconds=0 is immediate', async () => {
    srv = await startKubeApiServer({ controller: { autoStart: false, terminateTicks: 2 } });
    srv.create('deployments', 'ns', deployment('api', 2));
    srv.controller.tick(6);
    const [a, b] = srv.list<Pod>('pods', 'ns');
    const r = srv.registry.delete(srv.typeOf('pods'), 'ns', a.metadata.name!);
    assert.ok(r.object?.metadata.deletionTimestamp, 'returns the pod marked for deletion');
    assert.equal(r.object?.metadata.deletionGracePeriodSeconds, 30);
    assert.ok(srv.get('pods', 'ns', a.metadata.name!), 'still there while terminating');
    srv.registry.delete(srv.typeOf('pods'), 'ns', b.metadata.name!, { gracePeriodSeconds: 0 });
    assert.equal(srv.get('pods', 'ns', b.metadata.name!), undefined);
    srv.controller.tick(4);
    assert.equal(srv.get('pods', 'ns', a.metadata.name!), undefined);
    assert.equal(srv.list<Pod>('pods', 'ns').filter((p) => !p.metadata.deletionTimestamp).length, 2, 'replaced');
  });

  it('watch=1 streams newline-delimited {type, object} JSON; the legacy /watch/ path works too', async () => {
    srv = await startKubeApiServer({ controller: { autoStart: false } });
    srv.create('configmaps', 'ns', { metadata: { name: 'one' } });
    const rv = srv.resourceVersion;
    const read = async (url: string, n: number) => {
      const ac = new AbortController();
      const res = await fetch(url, { signal: ac.signal });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json');
      const reader = res.body!.getReader();
      let text = '';
      while (text.split('\n').length <= n) text += new TextDecoder().decode((await reader.read()).value);
      ac.abort();
      return text.split('\n').slice(0, n).map((l) => JSON.parse(l) as { type: string; object: KubeObject });
    };
    const initial = await read(`${srv.url}/api/v1/namespaces/ns/configmaps?watch=1`, 1);
    assert.deepEqual([initial[0].type, initial[0].object.metadata.name, initial[0].object.kind], ['ADDED', 'one', 'ConfigMap']);
    const streaming = await read(`${srv.url}/api/v1/namespaces/ns/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true`, 2);
    assert.deepEqual(streaming.map((e) => e.type), ['ADDED', 'BOOKMARK']);
    assert.equal(streaming[1].object.metadata.annotations!['k8s.io/initial-events-end'], 'true');
    const pending = read(`${srv.url}/api/v1/watch/namespaces/ns/configmaps?resourceVersion=${rv}`, 1);
    await srv.waitFor(() => srv!.openWatches === 1);
    srv.create('configmaps', 'ns', { metadata: { name: 'two' } });
    const [ev] = await pending;
    assert.equal(ev.type, 'ADDED');
    assert.equal(ev.object.metadata.name, 'two');
    assert.equal(ev.object.metadata.resourceVersion, String(rv + 1));
  });

  it('kubeconfig YAML loads in client-node; a token, when configured, is enforced with 401', async () => {
    srv = await startKubeApiServer({ token: 'secret', controller: { autoStart: false } });
    const kc = new KubeConfig();
    kc.loadFromString(srv.kubeConfigYaml({ namespace: 'ns' }));
    assert.equal(kc.getCurrentCluster()!.server, srv.url);
    assert.equal(kc.getContextObject(kc.getCurrentContext())!.namespace, 'ns');
    await assert.rejects(kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: 'ns' }), (e: { code?: number }) => e.code === 401);
    const res = await fetch(`${srv.url}/api/v1/namespaces/ns/configmaps`, { headers: { Authorization: 'Bearer secret' } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { kind: string }).kind, 'ConfigMapList');
  });
});
