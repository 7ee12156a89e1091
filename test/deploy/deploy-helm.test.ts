// Deploys through helm (issue 7, "Applying"): the agent runs with a
// gen3-helm-shaped chart (test/support/gen3-chart.ts) and the real helm v4
// binary against the Kubernetes API test server. `--helm-mode upgrade` runs
// `helm upgrade --install` with the revision's values; `--helm-mode template`
// renders with `helm template` and the agent server-side-applies every
// object. Either way only the Deployments whose images change roll, the agent
// reports per-service progress, and a service the values newly enable is
// created. Every request helm and the agent make is allowed by the agent's
// Roles (agent/deploy/rbac.yaml + rbac-helm.yaml).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Helm } from '../../agent/kubernetes/helm';
import type { DeploymentView, ReleaseView } from '../../backend/contracts/api';
import { findHelm } from '../../scripts/tools/helm-binary';
import { TestFleet, eventually } from '../support/fleet';
import { writeGen3Chart } from '../support/gen3-chart';
import type { Deployment, KubeApiServer, KubeObject } from '../support/kube-api';
import { granted, permissionOf, roleRules } from '../support/rbac';
import { NS, kubeAgentOnFleet } from '../support/kube-agent';
import { type Proc, launch, mintEnrollmentToken, stopProc } from '../../scripts/demo/processes';
import { seedGen3Commons, startKubeApiServer } from '../support/kube-api';
import { subscribe, waitDeployment } from './support';

const ID = 'data-example-org';
const DEPLOYMENTS = `/apis/apps/v1/namespaces/${NS}/deployments`;
const CHANGED = ['fence-deployment', 'indexd-deployment', 'presigned-url-fence-deployment'];
// The seeded commons: profile small with indexd at 4 renders the Deployments it already runs.
const SIZING = { template: 'gen3-default', profile: 'small', overrides: { indexd: { replicaCount: 4 } } };

const HELM = findHelm();

/** The helm binary, or undefined after a loud skip; under CI a missing helm fails the test. */
function helmBinary(t: TestContext): string | undefined {
  if ('path' in HELM) return HELM.path;
  if (process.env.CI) assert.fail(`${HELM.missing}; CI must provide helm`);
  console.warn(`\n*** SKIPPED: ${HELM.missing} ***\n`);
  t.skip(HELM.missing);
  return undefined;
}

/** A fleet whose Kubernetes agent deploys with the test chart through helm in `mode`. */
async function helmFleet(bin: string, mode: 'upgrade' | 'template', dir = mkdtempSync(join(tmpdir(), 'dcoc-helm-'))) {
  const chart = writeGen3Chart(dir);
  const env = await kubeAgentOnFleet({
    chart: (srv) => {
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, srv.kubeConfigYaml({ namespace: NS }), { mode: 0o600 });
      // The test API server serves no OpenAPI schema for helm to validate against.
      return { helm: new Helm({ bin, chart, release: 'gen3', namespace: NS, kubeconfig, workDir: join(dir, 'agent-helm'), extraArgs: ['--disable-openapi-validation'] }), mode };
    },
  });
  return { ...env, operator: await importRelease(env.fleet) };
}

/** Release 2026.09, in which only fence (and so presigned-url-fence) and indexd move on from 2026.07; returns an operator token. */
async function importRelease(fleet: TestFleet): Promise<string> {
  const operator = await fleet.tokenFor('operator');
  const base = (await fleet.admin<ReleaseView>('GET', '/api/v1/releases/2026.07')).body.images;
  const versions = { ...base, fence: 'quay.io/cdis/fence:2026.09', indexd: 'quay.io/cdis/indexd:2026.09' };
  const imp = await fleet.api(operator, 'POST', '/api/v1/releases', { version: '2026.09', format: 'manifest', content: JSON.stringify({ notes: ['Core Gen3 Release 2026.09 (Test)'], versions }) });
  assert.equal(imp.status, 201, JSON.stringify(imp.body));
  return operator;
}

type Env = Awaited<ReturnType<typeof helmFleet>>;

/** A helm fleet for the enclosing describe (none without helm: its tests then skip loudly, or fail under CI). */
function helmFleetForSuite(mode: 'upgrade' | 'template'): () => Env | undefined {
  let env: Env | undefined;
  before(async () => {
    if ('path' in HELM) env = await helmFleet(HELM.path, mode);
  });
  after(() => env?.stop());
  return () => env;
}

const SECURITY_FIX = { release: '2026.09', reason: 'fence and indexd security fix', ...SIZING };

function snapshot(srv: KubeApiServer) {
  const out = new Map<string, { generation: number; template: string; replicaSets: number }>();
  for (const d of srv.list<Deployment>('deployments', NS)) {
    const owned = srv.list<KubeObject>('replicasets', NS).filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid));
    out.set(d.metadata.name!, { generation: d.metadata.generation ?? 0, template: JSON.stringify(d.spec.template), replicaSets: owned.length });
  }
  return out;
}

/** The Deployments of CHANGED rolled to one new ReplicaSet each; every other one is exactly as it was. */
function onlyChangedRolled(before: ReturnType<typeof snapshot>, after: ReturnType<typeof snapshot>) {
  for (const [name, b] of before) {
    const a = after.get(name)!;
    if (CHANGED.includes(name)) assert.equal(a.replicaSets, b.replicaSets + 1, `${name} rolled to a new ReplicaSet`);
    else assert.deepEqual(a, b, `${name} is unchanged (generation, pod template, ReplicaSets)`);
  }
}

const imageOf = (srv: KubeApiServer, name: string) => srv.get<Deployment>('deployments', NS, name)!.spec.template.spec!.containers![0].image;

async function applyAndWatch(env: Pick<Env, 'fleet' | 'operator'>, body: Record<string, unknown>) {
  const sub = await subscribe(env.fleet, env.operator);
  try {
    const r = await env.fleet.api<{ deployment: DeploymentView }>(env.operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'apply', ...body });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const id = r.body.deployment.id;
    const done = await waitDeployment(env.fleet, env.operator, id);
    const mine = () => sub.events.filter((e) => e.type === 'deployment.updated' && e.data.deployment === id).map((e) => e.data as unknown as DeploymentView);
    await eventually(() => mine().some((u) => u.state === done.state), { what: `the ${done.state} event of deployment ${id}` });
    return { done, updates: mine() };
  } finally {
    sub.close();
  }
}

/** The 2026.09 security fix applied to a fresh request log; succeeds, and returns the Deployments as they were before it. */
async function applySecurityFix(env: Env) {
  const before = snapshot(env.k.srv);
  env.k.srv.requests.clear();
  const { done, updates } = await applyAndWatch(env, SECURITY_FIX);
  assert.equal(done.state, 'succeeded', done.message);
  return { before, done, updates };
}

/** Every service was seen rolling (a progress event with it `rolling`) before the deploy succeeded. */
function sawRolling(updates: DeploymentView[], services: string[]) {
  for (const s of services) assert.ok(updates.some((u) => u.services.some((x) => x.name === s && x.state === 'rolling')), `a progress event with ${s} rolling`);
}

describe('deploy through helm upgrade --install', () => {
  const fleet = helmFleetForSuite('upgrade');

  it('applies the revision with helm: only changed images roll, per-service progress, helm records the release', async (t) => {
    const env = fleet();
    if (!env) return void helmBinary(t);
    const { srv } = env.k;
    const { before, done, updates } = await applySecurityFix(env);
    assert.deepEqual(done.services.map((s) => [s.name, s.from, s.to, s.state]), [
      ['fence', 'quay.io/cdis/fence:2026.07', 'quay.io/cdis/fence:2026.09', 'done'],
      ['indexd', 'quay.io/cdis/indexd:2026.07', 'quay.io/cdis/indexd:2026.09', 'done'],
      ['presigned-url-fence', 'quay.io/cdis/fence:2026.07', 'quay.io/cdis/fence:2026.09', 'done'],
    ]);
    sawRolling(updates, ['fence', 'indexd', 'presigned-url-fence']);
    assert.ok(updates.some((u) => /helm upgrade --install gen3 done/.test(u.message)), updates.map((u) => u.message).join('\n'));

    // helm, not the agent, wrote the objects: server-side apply as field manager "helm".
    const writes = srv.requests.all().filter((q) => q.path.startsWith(DEPLOYMENTS) && q.contentType?.startsWith('application/apply-patch+yaml'));
    assert.ok(writes.length >= CHANGED.length);
    assert.ok(writes.every((q) => q.query.fieldManager === 'helm' && /^Helm\//.test(q.userAgent ?? '')), 'helm applied the Deployments');
    onlyChangedRolled(before, snapshot(srv));
    assert.equal(imageOf(srv, 'fence-deployment'), 'quay.io/cdis/fence:2026.09');
    assert.equal(imageOf(srv, 'indexd-deployment'), 'quay.io/cdis/indexd:2026.09');
    assert.equal(imageOf(srv, 'arborist-deployment'), 'quay.io/cdis/arborist:2026.07');

    // helm's release record carries the revision's values and DCOC's description.
    const secret = srv.get<KubeObject & { data: Record<string, string> }>('secrets', NS, 'sh.helm.release.v1.gen3.v1')!;
    assert.ok(secret, 'helm stored release gen3 v1');
    assert.equal(secret.metadata.labels?.status, 'deployed');
    const rel = JSON.parse(gunzipSync(Buffer.from(Buffer.from(secret.data.release, 'base64').toString('utf8'), 'base64')).toString('utf8')) as {
      config: { fence: { image: { tag: string } }; indexd: { replicaCount: number }; global: { hostname: string } };
      info: { description: string };
    };
    assert.equal(rel.config.fence.image.tag, '2026.09');
    assert.equal(rel.config.indexd.replicaCount, 4);
    assert.equal(rel.config.global.hostname, 'data.example.org');
    assert.equal(rel.info.description, `DCOC revision ${done.revision}, Gen3 release 2026.09`);
  });

  it('a service the values newly enable is created by helm and followed to ready', async (t) => {
    const env = fleet();
    if (!env) return void helmBinary(t);
    const { srv } = env.k;
    assert.equal(srv.get('deployments', NS, 'guppy-deployment'), undefined);
    // The plan knows from the agent's capabilities that it deploys with helm upgrade.
    assert.equal((await env.fleet.admin<{ agent: { deployMethod: string } }>('GET', `/api/v1/commons/${ID}`)).body.agent.deployMethod, 'helm-upgrade');
    const plan = await env.fleet.api<{ warnings: string[] }>(env.operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'plan', release: '2026.09', ...SIZING, overrides: { ...SIZING.overrides, guppy: { enabled: true } } });
    assert.equal(plan.status, 200, JSON.stringify(plan.body));
    assert.ok(plan.body.warnings.includes("enabled but not running in data.example.org yet: guppy; the agent's helm upgrade creates them"), plan.body.warnings.join('\n'));
    assert.ok(plan.body.warnings.some((w) => /neither global\.postgres\.master\.host nor global\.externalSecrets\.deploy is set/.test(w)), 'helm would need the databases located');
    const { done, updates } = await applyAndWatch(env, { release: '2026.09', reason: 'turn on the explorer', ...SIZING, overrides: { ...SIZING.overrides, guppy: { enabled: true } } });
    assert.equal(done.state, 'succeeded', done.message);
    assert.deepEqual(done.services.map((s) => [s.name, s.from, s.to, s.state, s.ready]), [['guppy', null, 'quay.io/cdis/guppy:2026.07', 'done', 2]]);
    assert.ok(updates.some((u) => u.services.some((s) => s.name === 'guppy' && s.state === 'rolling')));
    assert.equal(imageOf(srv, 'guppy-deployment'), 'quay.io/cdis/guppy:2026.07');
    assert.equal(srv.get<KubeObject>('secrets', NS, 'sh.helm.release.v1.gen3.v2')?.metadata.labels?.status, 'deployed');
    await eventually(async () => (await env.fleet.admin<{ services: { name: string }[] }>('GET', `/api/v1/commons/${ID}`)).body.services.some((s) => s.name === 'guppy'), {
      what: 'the commons to report guppy',
    });
  });

  it('a rollout that fails after helm applied it fails the deploy; a rollback through helm restores the service', async (t) => {
    const env = fleet();
    if (!env) return void helmBinary(t);
    const { srv } = env.k;
    srv.faults.setWorkloadFault(NS, 'indexd-deployment', 'ImagePullBackOff');
    const hotfix = { ...SIZING.overrides, guppy: { enabled: true }, indexd: { replicaCount: 4, image: { tag: '2026.09-hotfix' } } };
    const { done: failed } = await applyAndWatch(env, { release: '2026.09', reason: 'indexd hotfix', ...SIZING, overrides: hotfix });
    assert.equal(failed.state, 'failed');
    assert.match(failed.message, /rollout failed: indexd: (ImagePullBackOff|ErrImagePull) \(pod indexd-deployment-/);
    assert.match(failed.message, /roll back to the previous revision/);
    srv.faults.setWorkloadFault(NS, 'indexd-deployment', null);

    const rb = await env.fleet.api<{ deployment: DeploymentView }>(env.operator, 'POST', `/api/v1/commons/${ID}/rollback`, { toRevision: failed.revision - 1, reason: 'hotfix image does not exist' });
    assert.equal(rb.status, 202, JSON.stringify(rb.body));
    const done = await waitDeployment(env.fleet, env.operator, rb.body.deployment.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.deepEqual(done.services.map((s) => [s.name, s.to, s.state]), [['indexd', 'quay.io/cdis/indexd:2026.09', 'done']]);
    assert.equal((await srv.waitForRollout(NS, 'indexd-deployment')).status?.readyReplicas, 4);
    // helm kept the history: v3 the failed hotfix, v4 the rollback's values.
    assert.ok(srv.get('secrets', NS, 'sh.helm.release.v1.gen3.v4'));
  });

  it('every request helm and the agent made is allowed by the agent Roles', (t) => {
    const env = fleet();
    if (!env) return void helmBinary(t);
    const allowed = granted(roleRules('agent/deploy/rbac.yaml', 'agent/deploy/rbac-helm.yaml'));
    const used = new Set(env.k.srv.requests.all().map(permissionOf).filter((p): p is string => !!p));
    assert.ok(used.has('/secrets create') && used.has('apps/deployments patch'), [...used].join(', '));
    assert.deepEqual([...used].filter((p) => !allowed.has(p)).sort(), []);
  });
});

describe('deploy through helm template and server-side apply', () => {
  const fleet = helmFleetForSuite('template');

  it('the agent applies every rendered object as dcoc-agent; only changed images roll', async (t) => {
    const env = fleet();
    if (!env) return void helmBinary(t);
    const { srv } = env.k;
    const { before, done, updates } = await applySecurityFix(env);
    assert.deepEqual(done.services.map((s) => [s.name, s.state]), [['fence', 'done'], ['indexd', 'done'], ['presigned-url-fence', 'done']]);
    sawRolling(updates, ['fence', 'indexd', 'presigned-url-fence']);
    assert.ok(updates.some((u) => /server-side applied the \d+ objects helm template rendered/.test(u.message)));

    const applies = srv.requests.all().filter((q) => q.method === 'PATCH' && q.contentType?.startsWith('application/apply-patch+yaml'));
    // 14 Deployments, 14 Services and fence's HPA: Services before Deployments before the HPA, as helm orders them.
    const kinds = applies.map((q) => (q.body as KubeObject).kind);
    assert.equal(applies.length, 29, kinds.join(','));
    assert.deepEqual([...new Set(kinds)], ['Service', 'Deployment', 'HorizontalPodAutoscaler']);
    assert.ok(applies.every((q) => q.query.fieldManager === 'dcoc-agent' && q.query.force === 'true'));
    assert.ok(applies.every((q) => (q.body as KubeObject).metadata.namespace === NS));
    const fence = applies.find((q) => q.path === `${DEPLOYMENTS}/fence-deployment`)!.body as Deployment;
    assert.equal(fence.spec.template.spec!.containers![0].image, 'quay.io/cdis/fence:2026.09');

    onlyChangedRolled(before, snapshot(srv));
    // No helm release record: template mode leaves helm's storage alone.
    assert.equal(srv.get('secrets', NS, 'sh.helm.release.v1.gen3.v1'), undefined);
  });

  it('a chart that renders a cluster-scoped object is refused before anything is applied', async (t) => {
    const env = fleet();
    if (!env) return void helmBinary(t);
    const { srv } = env.k;
    srv.requests.clear();
    const { done } = await applyAndWatch(env, { release: '2026.09', reason: 'cluster-wide', ...SIZING, overrides: { ...SIZING.overrides, global: { clusterRole: true } } });
    assert.equal(done.state, 'failed');
    assert.match(done.message, /cluster-scoped ClusterRole\/gen3-reader.*nothing was applied/);
    assert.equal(srv.requests.count({ method: 'PATCH' }), 0);
  });
});

describe('cancelling a deploy while helm runs', () => {
  let env: Env | undefined;
  let dir = '';
  before(async () => {
    if (!('path' in HELM)) return;
    // helm behind a wrapper that marks when an upgrade starts, takes 5 s, and marks when it gets past that.
    dir = mkdtempSync(join(tmpdir(), 'dcoc-helm-slow-'));
    const slow = join(dir, 'slow-helm');
    writeFileSync(slow, `#!/bin/sh\nif [ "$1" = upgrade ]; then touch ${join(dir, 'upgrade-started')}; sleep 5; touch ${join(dir, 'upgrade-ran')}; fi\nexec ${HELM.path} "$@"\n`, { mode: 0o755 });
    env = await helmFleet(slow, 'upgrade', dir);
  });
  after(() => env?.stop());

  it('stops helm: nothing is upgraded and the deployment ends cancelled', async (t) => {
    if (!env) return void helmBinary(t);
    const { srv } = env.k;
    const r = await env.fleet.api<{ deployment: DeploymentView }>(env.operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'apply', release: '2026.09', reason: 'to be cancelled', ...SIZING });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const id = r.body.deployment.id;
    await waitDeployment(env.fleet, env.operator, id, ['running']);
    await eventually(() => readdirSync(dir).includes('upgrade-started'), { what: 'the agent to start helm upgrade' });
    const c = await env.fleet.api<{ deployment: DeploymentView }>(env.operator, 'POST', `/api/v1/deployments/${id}/cancel`, undefined);
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.equal(c.body.deployment.state, 'cancelled');
    // Past the wrapper's 5 s: helm was stopped before it upgraded anything.
    await new Promise((res) => setTimeout(res, 6500));
    assert.equal(readdirSync(dir).includes('upgrade-ran'), false, 'helm upgrade never ran');
    assert.equal(srv.get('secrets', NS, 'sh.helm.release.v1.gen3.v1'), undefined);
    assert.equal(imageOf(srv, 'fence-deployment'), 'quay.io/cdis/fence:2026.07');
    assert.equal((await env.fleet.api<DeploymentView>(env.operator, 'GET', `/api/v1/deployments/${id}`)).body.state, 'cancelled');
  });
});

describe('the dcoc-agent process with --helm-chart', () => {
  let fleet: TestFleet | undefined;
  let srv: KubeApiServer | undefined;
  let agent: Proc | undefined;
  after(async () => {
    if (agent) await stopProc(agent);
    await srv?.stop();
    await fleet?.stop();
  });

  it('checks helm at start, finds the release the commons was installed as, and deploys with it', async (t) => {
    const bin = helmBinary(t);
    if (!bin) return;
    fleet = await TestFleet.start({ commons: [] });
    srv = await startKubeApiServer();
    seedGen3Commons(srv, { namespace: NS, hostname: 'data.example.org', environment: 'exampleprod', release: '2026.07' });
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-helm-agent-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, srv.kubeConfigYaml({ namespace: NS }), { mode: 0o600 });
    const chart = writeGen3Chart(dir);
    agent = launch(
      [
        'agent/main.ts', '--kubernetes', '--namespace', NS, '--kubeconfig', kubeconfig,
        '--control', fleet.control.gatewayAddr, '--enroll', fleet.control.enrollAddr, '--ca-file', fleet.control.caFile, '--data-dir', join(dir, 'agent'),
        '--helm-chart', chart, '--helm', bin, '--helm-arg=--disable-openapi-validation',
      ],
      { DCOC_ENROLL_TOKEN: await mintEnrollmentToken(fleet.control) },
    );
    const started = await agent.waitForLog((l) => (l.msg === 'deploys go through helm' ? l : undefined));
    assert.equal(started.release, 'gen3', 'the release from the Deployments app.kubernetes.io/instance label');
    assert.equal(started.mode, 'upgrade');
    assert.match(String(started.helm), /^v4\.\d+\.\d+/);
    await agent.waitForLog((l) => (l.msg === 'agent running' ? true : undefined));
    await eventually(async () => (await fleet!.admin('GET', `/api/v1/commons/${ID}`)).status === 200, { what: 'the commons to register' });

    const operator = await importRelease(fleet);
    const { done } = await applyAndWatch({ fleet, operator }, SECURITY_FIX);
    assert.equal(done.state, 'succeeded', done.message);
    assert.deepEqual(done.services.map((s) => s.name), ['fence', 'indexd', 'presigned-url-fence']);
    assert.equal(srv.get<KubeObject>('secrets', NS, 'sh.helm.release.v1.gen3.v1')?.metadata.labels?.status, 'deployed');
    assert.equal(imageOf(srv, 'indexd-deployment'), 'quay.io/cdis/indexd:2026.09');
    // No values in the agent's logs: they go to helm in a 0600 file that is removed afterwards.
    assert.ok(!agent.logs.some((l) => l.includes('replicaCount')), 'values stay out of the logs');
    assert.deepEqual(readdirSync(join(dir, 'agent', 'helm', 'tmp')), []);
  });

  it('refuses to start when the helm binary cannot run, saying what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-helm-missing-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const p = launch(['agent/main.ts', '--kubernetes', '--namespace', NS, '--kubeconfig', kubeconfig, '--helm-chart', 'gen3', '--helm-release', 'gen3', '--helm', join(dir, 'no-helm')], {});
    assert.equal(await p.exited, 1);
    assert.ok(p.logs.some((l) => /helm \(.*no-helm\) cannot run: .*Install helm v3\.18\+ or v4/.test(l)), p.logs.join('\n'));
  });
});
