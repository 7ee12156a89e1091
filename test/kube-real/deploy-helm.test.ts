// Deploys through helm on the real control plane: the
// agent runs with a gen3-helm-shaped chart (test/support/gen3-chart.ts) and
// the real helm v4 binary, as its ServiceAccount bound to agent/deploy/rbac.yaml
// + rbac-helm.yaml, against a real kube-apiserver with OpenAPI validation on
// (no --disable-openapi-validation anywhere). `--helm-mode upgrade` runs
// `helm upgrade --install` with the revision's values; `--helm-mode template`
// renders with `helm template` and the agent server-side-applies every
// object. Either way only the Deployments whose images change roll, the agent
// reports per-service progress, and a service the values newly enable is
// created. What helm and the agent asked is read from the audit log.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, describe, it, type TestContext } from 'node:test';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { Helm } from '../../agent/kubernetes/helm';
import type { DeploymentView } from '../../contracts/api';
import { findHelm } from '../../scripts/tools/helm-binary';
import { type AuditEvent, type ControlPlane, useControlPlane } from '../support/control-plane';
import { skipOrFail } from '../support/control-plane/binaries';
import { installGen3Commons, rolledOut } from '../support/control-plane/gen3-commons';
import { MISSING_IMAGE_TAG } from '../support/control-plane/kwok-stages';
import { TestFleet, eventually } from '../support/fleet';
import { writeGen3Chart } from '../support/gen3-chart';
import { realKubeAgentOnFleet } from '../support/kube-agent';
import { granted, permissionOfAudit, roleRules } from '../support/rbac';
import { type Proc, launch, mintEnrollmentToken, stopProc } from '../../scripts/demo/processes';
import { subscribe, waitDeployment } from '../deploy/support';
import { importRelease } from './support';

const controlPlane = useControlPlane();
const ID = 'data-example-org';
const CHANGED = ['fence-deployment', 'indexd-deployment', 'presigned-url-fence-deployment'];
// The commons: profile small with indexd at 4 renders the Deployments it already runs.
const SIZING = { template: 'gen3-default', profile: 'small', overrides: { indexd: { replicaCount: 4 } } };
const SECURITY_FIX = { release: '2026.09', reason: 'fence and indexd security fix', ...SIZING };
const HELM = await findHelm();

/** The helm binary, or undefined after a loud skip (a failure under CI). */
function helmBinary(t: TestContext): string | undefined {
  if ('path' in HELM) return HELM.path;
  skipOrFail(t, HELM.missing);
  return undefined;
}

/** A fleet whose agent deploys the commons in `namespace` with the test chart through helm in `mode`. */
async function helmFleet(cp: ControlPlane, namespace: string, bin: string, mode: 'upgrade' | 'template', dir = mkdtempSync(join(tmpdir(), 'dcoc-helm-'))) {
  const chart = writeGen3Chart(dir);
  const env = await realKubeAgentOnFleet(cp, {
    namespace,
    helmRbac: true,
    chart: (kubeconfig) => ({ helm: new Helm({ bin, chart, release: 'gen3', namespace, kubeconfig, workDir: join(dir, 'agent-helm') }), mode }),
  });
  const k8s = cluster(cp, namespace, env.k.agent.username);
  return { ...env, ...k8s, namespace, dir, operator: await importRelease(env.fleet) };
}

/** Reads of the cluster as admin, and the agent's (and helm's) requests from the audit log. */
function cluster(cp: ControlPlane, namespace: string, agentUser: string) {
  const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  return {
    cp,
    apps,
    core,
    audit: (): AuditEvent[] => cp.audit({ user: agentUser }),
    imageOf: async (name: string) => (await apps.readNamespacedDeployment({ name, namespace })).spec!.template.spec!.containers[0].image,
    /** helm's release record `sh.helm.release.v1.gen3.v<n>`, or undefined. */
    release: async (n: number) => {
      try {
        return await core.readNamespacedSecret({ name: `sh.helm.release.v1.gen3.v${n}`, namespace });
      } catch {
        return undefined;
      }
    },
    /** Per Deployment: generation, pod template and how many ReplicaSets it owns. */
    snapshot: async () => {
      const out = new Map<string, { generation: number; template: string; replicaSets: number }>();
      const rss = (await apps.listNamespacedReplicaSet({ namespace })).items;
      for (const d of (await apps.listNamespacedDeployment({ namespace })).items) {
        const owned = rss.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === d.metadata!.uid));
        out.set(d.metadata!.name!, { generation: d.metadata!.generation ?? 0, template: JSON.stringify(d.spec!.template), replicaSets: owned.length });
      }
      return out;
    },
  };
}

type Env = Awaited<ReturnType<typeof helmFleet>>;
type Snapshot = Awaited<ReturnType<Env['snapshot']>>;

/** The Deployments of CHANGED rolled to one new ReplicaSet each; every other one is exactly as it was. */
function onlyChangedRolled(before: Snapshot, after: Snapshot) {
  for (const [name, b] of before) {
    const a = after.get(name)!;
    if (CHANGED.includes(name)) assert.equal(a.replicaSets, b.replicaSets + 1, `${name} rolled to a new ReplicaSet`);
    else assert.deepEqual(a, b, `${name} is unchanged (generation, pod template, ReplicaSets)`);
  }
}

async function applyAndWatch(env: { fleet: TestFleet; operator: string }, body: Record<string, unknown>) {
  const sub = await subscribe(env.fleet, env.operator);
  try {
    const r = await env.fleet.api<{ deployment: DeploymentView }>(env.operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'apply', ...body });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const id = r.body.deployment.id;
    const done = await waitDeployment(env.fleet, env.operator, id, undefined, 120_000);
    const mine = () => sub.events.filter((e) => e.type === 'deployment.updated' && e.data.deployment === id).map((e) => e.data as unknown as DeploymentView);
    await eventually(() => mine().some((u) => u.state === done.state), { what: `the ${done.state} event of deployment ${id}` });
    return { done, updates: mine() };
  } finally {
    sub.close();
  }
}

/** The 2026.09 security fix applied; succeeds. Returns the Deployments and the audit log's length as they were before it. */
async function applySecurityFix(env: Env) {
  const before = await env.snapshot();
  const from = env.audit().length;
  const { done, updates } = await applyAndWatch(env, SECURITY_FIX);
  assert.equal(done.state, 'succeeded', done.message);
  return { before, from, done, updates };
}

/** Every service was seen rolling (a progress event with it `rolling`) before the deploy succeeded. */
function sawRolling(updates: DeploymentView[], services: string[]) {
  for (const s of services) assert.ok(updates.some((u) => u.services.some((x) => x.name === s && x.state === 'rolling')), `a progress event with ${s} rolling`);
}

/** A helm fleet for the enclosing describe (none without the control plane or helm: its tests then skip loudly, or fail under CI). */
function helmFleetForSuite(namespace: string, mode: 'upgrade' | 'template'): (t: TestContext) => Promise<Env | undefined> {
  let env: Promise<Env> | undefined;
  after(async () => (await env?.catch(() => undefined))?.stop());
  return async (t) => {
    const cp = await controlPlane(t);
    const bin = cp && helmBinary(t);
    if (!cp || !bin) return undefined;
    env ??= helmFleet(cp, namespace, bin, mode);
    return env;
  };
}

describe('deploy through helm upgrade --install, OpenAPI validation on', { timeout: 300_000 }, () => {
  const fleet = helmFleetForSuite('gen3', 'upgrade');

  it('applies the revision with helm: only changed images roll, per-service progress, helm records the release', async (t) => {
    const env = await fleet(t);
    if (!env) return;
    const { before, from, done, updates } = await applySecurityFix(env);
    assert.deepEqual(done.services.map((s) => [s.name, s.from, s.to, s.state]), [
      ['fence', 'quay.io/cdis/fence:2026.07', 'quay.io/cdis/fence:2026.09', 'done'],
      ['indexd', 'quay.io/cdis/indexd:2026.07', 'quay.io/cdis/indexd:2026.09', 'done'],
      ['presigned-url-fence', 'quay.io/cdis/fence:2026.07', 'quay.io/cdis/fence:2026.09', 'done'],
    ]);
    sawRolling(updates, ['fence', 'indexd', 'presigned-url-fence']);
    assert.ok(updates.some((u) => /helm upgrade --install gen3 done/.test(u.message)), updates.map((u) => u.message).join('\n'));

    // helm, not the agent, wrote the Deployments, and it fetched the apiserver's OpenAPI schema to validate them.
    const asked = env.audit().slice(from);
    const writes = asked.filter((e) => e.objectRef?.resource === 'deployments' && ['patch', 'update', 'create'].includes(e.verb));
    assert.ok(writes.length >= CHANGED.length, writes.map((e) => `${e.verb} ${e.requestURI}`).join('\n'));
    assert.ok(writes.every((e) => /^Helm\//.test(e.userAgent ?? '')), `helm wrote the Deployments: ${writes.map((e) => e.userAgent).join(', ')}`);
    assert.ok(asked.some((e) => /^\/openapi\//.test(e.requestURI) && /^Helm\//.test(e.userAgent ?? '')), 'helm read the OpenAPI schema to validate against');
    onlyChangedRolled(before, await env.snapshot());
    assert.equal(await env.imageOf('fence-deployment'), 'quay.io/cdis/fence:2026.09');
    assert.equal(await env.imageOf('indexd-deployment'), 'quay.io/cdis/indexd:2026.09');
    assert.equal(await env.imageOf('arborist-deployment'), 'quay.io/cdis/arborist:2026.07');

    // helm's release record carries the revision's values and DCOC's description.
    const secret = await env.release(1);
    assert.ok(secret, 'helm stored release gen3 v1');
    assert.equal(secret.metadata?.labels?.status, 'deployed');
    const rel = JSON.parse(gunzipSync(Buffer.from(Buffer.from(secret.data!.release, 'base64').toString('utf8'), 'base64')).toString('utf8')) as {
      config: { fence: { image: { tag: string } }; indexd: { replicaCount: number }; global: { hostname: string } };
      info: { description: string };
    };
    assert.equal(rel.config.fence.image.tag, '2026.09');
    assert.equal(rel.config.indexd.replicaCount, 4);
    assert.equal(rel.config.global.hostname, 'data.example.org');
    assert.equal(rel.info.description, `DCOC revision ${done.revision}, Gen3 release 2026.09`);
  });

  it('a service the values newly enable is created by helm and followed to ready', async (t) => {
    const env = await fleet(t);
    if (!env) return;
    assert.equal((await env.apps.listNamespacedDeployment({ namespace: env.namespace })).items.some((d) => d.metadata?.name === 'guppy-deployment'), false);
    // The plan knows from the agent's capabilities that it deploys with helm upgrade.
    assert.equal((await env.fleet.admin<{ agent: { deployMethod: string } }>('GET', `/api/v1/commons/${ID}`)).body.agent.deployMethod, 'helm-upgrade');
    const overrides = { ...SIZING.overrides, guppy: { enabled: true } };
    const plan = await env.fleet.api<{ warnings: string[] }>(env.operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'plan', release: '2026.09', ...SIZING, overrides });
    assert.equal(plan.status, 200, JSON.stringify(plan.body));
    assert.ok(plan.body.warnings.includes("enabled but not running in data.example.org yet: guppy; the agent's helm upgrade creates them"), plan.body.warnings.join('\n'));
    const { done, updates } = await applyAndWatch(env, { release: '2026.09', reason: 'turn on the explorer', ...SIZING, overrides });
    assert.equal(done.state, 'succeeded', done.message);
    assert.deepEqual(done.services.map((s) => [s.name, s.from, s.to, s.state, s.ready]), [['guppy', null, 'quay.io/cdis/guppy:2026.07', 'done', 2]]);
    assert.ok(updates.some((u) => u.services.some((s) => s.name === 'guppy' && s.state === 'rolling')));
    assert.equal(await env.imageOf('guppy-deployment'), 'quay.io/cdis/guppy:2026.07');
    assert.equal((await env.release(2))?.metadata?.labels?.status, 'deployed');
  });

  it('a rollout that fails after helm applied it fails the deploy; a rollback through helm restores the service', async (t) => {
    const env = await fleet(t);
    if (!env) return;
    const missing = `2026.09-${MISSING_IMAGE_TAG}`;
    const hotfix = { ...SIZING.overrides, guppy: { enabled: true }, indexd: { replicaCount: 4, image: { tag: missing } } };
    const { done: failed } = await applyAndWatch(env, { release: '2026.09', reason: 'indexd hotfix', ...SIZING, overrides: hotfix });
    assert.equal(failed.state, 'failed');
    assert.match(failed.message, /rollout failed: indexd: ImagePullBackOff \(pod indexd-deployment-/);
    assert.match(failed.message, /roll back to the previous revision/);

    const rb = await env.fleet.api<{ deployment: DeploymentView }>(env.operator, 'POST', `/api/v1/commons/${ID}/rollback`, { toRevision: failed.revision - 1, reason: 'hotfix image does not exist' });
    assert.equal(rb.status, 202, JSON.stringify(rb.body));
    const done = await waitDeployment(env.fleet, env.operator, rb.body.deployment.id, undefined, 120_000);
    assert.equal(done.state, 'succeeded', done.message);
    assert.deepEqual(done.services.map((s) => [s.name, s.to, s.state]), [['indexd', 'quay.io/cdis/indexd:2026.09', 'done']]);
    await env.cp.waitFor('indexd to roll back', () => rolledOut(env.apps, env.namespace, 'indexd-deployment'));
    // helm kept the history: v3 the failed hotfix, v4 the rollback's values.
    assert.ok(await env.release(4));
  });

  it('every request helm and the agent made was allowed by the agent Roles, and none was refused', async (t) => {
    const env = await fleet(t);
    if (!env) return;
    const asked = env.audit();
    assert.deepEqual(asked.filter((e) => e.responseStatus?.code === 403).map((e) => `${e.verb} ${e.requestURI}`), []);
    const allowed = granted(roleRules('agent/deploy/rbac.yaml', 'agent/deploy/rbac-helm.yaml'));
    const used = new Set(asked.map(permissionOfAudit).filter((p): p is string => !!p));
    assert.ok(used.has('/secrets create') && used.has('apps/deployments patch'), [...used].join(', '));
    assert.deepEqual([...used].filter((p) => !allowed.has(p)).sort(), []);
  });
});

describe('helm validates against the apiserver\'s OpenAPI schema', { timeout: 300_000 }, () => {
  const fleet = helmFleetForSuite('gen3-schema', 'upgrade');

  it('a chart that renders a field no Deployment has is refused, naming it, and nothing changes', async (t) => {
    const env = await fleet(t);
    if (!env) return;
    const before = await env.snapshot();
    // The mistake a chart makes when a value lands one level too high: spec.replicaCount.
    const { done } = await applyAndWatch(env, { ...SECURITY_FIX, overrides: { ...SIZING.overrides, global: { notInTheSchema: true } } });
    assert.equal(done.state, 'failed');
    assert.match(done.message, /^helm upgrade failed: .*\(gen3-schema\/fence-deployment; apps\/v1, Kind=Deployment\): \.spec\.replicaCount: field not declared in schema/);
    assert.deepEqual(await env.snapshot(), before);
    // helm records the attempt as a failed release; the Deployments stay as they were.
    assert.equal((await env.release(1))?.metadata?.labels?.status, 'failed');
  });
});

describe('deploy through helm template and server-side apply, OpenAPI validation on', { timeout: 300_000 }, () => {
  const fleet = helmFleetForSuite('gen3-template', 'template');

  it('the agent applies every rendered object as dcoc-agent; only changed images roll', async (t) => {
    const env = await fleet(t);
    if (!env) return;
    const { before, from, done, updates } = await applySecurityFix(env);
    assert.deepEqual(done.services.map((s) => [s.name, s.state]), [['fence', 'done'], ['indexd', 'done'], ['presigned-url-fence', 'done']]);
    sawRolling(updates, ['fence', 'indexd', 'presigned-url-fence']);
    assert.ok(updates.some((u) => /server-side applied the \d+ objects helm template rendered/.test(u.message)));

    const applies = env.audit().slice(from).filter((e) => e.verb === 'patch' && /fieldManager=dcoc-agent/.test(e.requestURI));
    // manifest-global (rendered from global.*), 14 Deployments, 14 Services and the fence chart's two HPAs (fence-hpa, presigned-url-fence-hpa from fence's autoscaling, as gen3-helm renders them), in helm's install order.
    const kinds = applies.map((e) => String(e.requestObject?.kind));
    assert.equal(applies.length, 31, kinds.join(','));
    assert.deepEqual([...new Set(kinds)], ['ConfigMap', 'Service', 'Deployment', 'HorizontalPodAutoscaler']);
    assert.ok(applies.every((e) => /[?&]force=true/.test(e.requestURI) && e.objectRef?.namespace === env.namespace));
    const fence = applies.find((e) => e.objectRef?.resource === 'deployments' && e.objectRef.name === 'fence-deployment')!.requestObject as { spec: { template: { spec: { containers: { image: string }[] } } } };
    assert.equal(fence.spec.template.spec.containers[0].image, 'quay.io/cdis/fence:2026.09');

    onlyChangedRolled(before, await env.snapshot());
    // No helm release record: template mode leaves helm's storage alone.
    assert.equal(await env.release(1), undefined);
  });

  it('a chart that renders a cluster-scoped object is refused before anything is applied', async (t) => {
    const env = await fleet(t);
    if (!env) return;
    const from = env.audit().length;
    const { done } = await applyAndWatch(env, { release: '2026.09', reason: 'cluster-wide', ...SIZING, overrides: { ...SIZING.overrides, global: { clusterRole: true } } });
    assert.equal(done.state, 'failed');
    assert.match(done.message, /cluster-scoped ClusterRole\/gen3-reader.*nothing was applied/);
    assert.deepEqual(env.audit().slice(from).filter((e) => e.verb === 'patch').map((e) => e.requestURI), []);
  });
});

describe('cancelling a deploy while helm runs', { timeout: 300_000 }, () => {
  it('stops helm: nothing is upgraded and the deployment ends cancelled', async (t) => {
    const cp = await controlPlane(t);
    const bin = cp && helmBinary(t);
    if (!cp || !bin) return;
    // helm behind a wrapper that marks when an upgrade starts, takes 5 s, and marks when it gets past that.
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-helm-slow-'));
    const slow = join(dir, 'slow-helm');
    writeFileSync(slow, `#!/bin/sh\nif [ "$1" = upgrade ]; then touch ${join(dir, 'upgrade-started')}; sleep 5; touch ${join(dir, 'upgrade-ran')}; fi\nexec ${bin} "$@"\n`, { mode: 0o755 });
    const env = await helmFleet(cp, 'gen3-cancel', slow, 'upgrade', dir);
    t.after(() => env.stop());
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
    assert.equal(await env.release(1), undefined);
    assert.equal(await env.imageOf('fence-deployment'), 'quay.io/cdis/fence:2026.07');
    assert.equal((await env.fleet.api<DeploymentView>(env.operator, 'GET', `/api/v1/deployments/${id}`)).body.state, 'cancelled');
  });
});

describe('the dcoc-agent process with --helm-chart', { timeout: 300_000 }, () => {
  let fleet: TestFleet | undefined;
  let agent: Proc | undefined;
  after(async () => {
    if (agent) await stopProc(agent);
    await fleet?.stop();
  });

  it('checks helm at start, finds the release the commons was installed as, and deploys with it', async (t) => {
    const cp = await controlPlane(t);
    const bin = cp && helmBinary(t);
    if (!cp || !bin) return;
    const namespace = 'gen3-process';
    const { agent: sa } = await installGen3Commons(cp, { namespace, helmRbac: true });
    const k8s = cluster(cp, namespace, sa.username);
    fleet = await TestFleet.start({ commons: [] });
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-helm-agent-'));
    const chart = writeGen3Chart(dir);
    agent = launch(
      [
        'agent/main.ts', '--kubernetes', '--namespace', namespace, '--kubeconfig', sa.kubeconfigFile,
        '--control', fleet.control.gatewayAddr, '--enroll', fleet.control.enrollAddr, '--ca-file', fleet.control.caFile, '--data-dir', join(dir, 'agent'),
        '--helm-chart', chart, '--helm', bin,
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
    assert.equal((await k8s.release(1))?.metadata?.labels?.status, 'deployed');
    assert.equal(await k8s.imageOf('indexd-deployment'), 'quay.io/cdis/indexd:2026.09');
    // No values in the agent's logs: they go to helm in a 0600 file that is removed afterwards.
    assert.ok(!agent.logs.some((l) => l.includes('replicaCount')), 'values stay out of the logs');
    assert.deepEqual(readdirSync(join(dir, 'agent', 'helm', 'tmp')), []);
  });

  it('refuses to start when the helm binary cannot run, saying what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-helm-missing-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const p = launch(['agent/main.ts', '--kubernetes', '--namespace', 'gen3', '--kubeconfig', kubeconfig, '--helm-chart', 'gen3', '--helm-release', 'gen3', '--helm', join(dir, 'no-helm')], {});
    assert.equal(await p.exited, 1);
    assert.ok(p.logs.some((l) => /helm \(.*no-helm\) cannot run: .*Install helm v3\.18\+ or v4/.test(l)), p.logs.join('\n'));
  });
});
