// HPAs of the production profile through helm on the real control plane
//: the agent deploys with the gen3-helm-shaped test chart
// (test/support/gen3-chart.ts, whose HPAs are rendered like gen3-helm's
// helm/common/templates/_hpa.tpl and helm/fence/templates/
// presigned-url-fence-hpa.yaml at uc-cdis/gen3-helm 42cc46bc) and the real
// helm binary. gen3-helm cannot give presigned-url-fence a range of its own
// (its HPA reads fence's `autoscaling`), so the revision carries it and the
// agent sets it: after `helm upgrade` returns, or in the object it applies
// from `helm template`. The HPAs are read back from the apiserver, and a
// second helm upgrade (which writes fence's range onto presigned-url-fence-hpa
// again) must go through and end with presigned-url-fence at 20–25 again.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { AutoscalingV2Api, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { Helm } from '../../agent/kubernetes/helm';
import type { DeploymentPlan, DeploymentView } from '../../contracts/api';
import { findHelm } from '../../scripts/tools/helm-binary';
import { type ControlPlane, useControlPlane } from '../support/control-plane';
import { skipOrFail } from '../support/control-plane/binaries';
import { writeGen3Chart } from '../support/gen3-chart';
import { realKubeAgentOnFleet } from '../support/kube-agent';
import { waitDeployment } from '../deploy/support';
import { importRelease } from './support';

const controlPlane = useControlPlane();
const ID = 'data-example-org';
const HELM = await findHelm();
// The production profile as a commons would be deployed with it; indexd's and fence's replica counts as the seeded commons runs them.
const PRODUCTION = { template: 'gen3-default', profile: 'production', overrides: { global: { externalSecrets: { deploy: true } } } };

interface Range {
  min: number | undefined;
  max: number;
  target: string;
  metrics: string[];
}

async function helmFleet(cp: ControlPlane, namespace: string, bin: string, mode: 'upgrade' | 'template') {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-helm-hpa-'));
  const chart = writeGen3Chart(dir);
  const env = await realKubeAgentOnFleet(cp, {
    namespace,
    helmRbac: true,
    chart: (kubeconfig) => ({ helm: new Helm({ bin, chart, release: 'gen3', namespace, kubeconfig, workDir: join(dir, 'agent-helm') }), mode }),
  });
  const autoscaling = cp.kubeConfig.makeApiClient(AutoscalingV2Api);
  const hpa = async (name: string): Promise<Range | undefined> => {
    let h: V2HorizontalPodAutoscaler;
    try {
      h = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace });
    } catch {
      return undefined;
    }
    return {
      min: h.spec!.minReplicas,
      max: h.spec!.maxReplicas,
      target: `${h.spec!.scaleTargetRef.kind}/${h.spec!.scaleTargetRef.name}`,
      metrics: (h.spec!.metrics ?? []).map((m) => `${m.resource!.name} ${m.resource!.target.type} ${String(m.resource!.target.averageValue)}`),
    };
  };
  return { ...env, cp, namespace, hpa, operator: await importRelease(env.fleet) };
}

type Env = Awaited<ReturnType<typeof helmFleet>>;

async function apply(env: Env, body: Record<string, unknown>): Promise<DeploymentView> {
  const r = await env.fleet.api<{ deployment: DeploymentView }>(env.operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'apply', ...body });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return waitDeployment(env.fleet, env.operator, r.body.deployment.id, undefined, 180_000);
}

function fleetFor(namespace: string, mode: 'upgrade' | 'template'): (t: TestContext) => Promise<Env | undefined> {
  let env: Promise<Env> | undefined;
  after(async () => (await env?.catch(() => undefined))?.stop());
  return async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return undefined;
    if (!('path' in HELM)) {
      skipOrFail(t, HELM.missing);
      return undefined;
    }
    env ??= helmFleet(cp, namespace, HELM.path, mode);
    return env;
  };
}

const CPU_MEMORY = ['cpu AverageValue 500m', 'memory AverageValue 500Mi'];

describe('production HPAs through helm upgrade --install', { timeout: 400_000 }, () => {
  const fleet = fleetFor('gen3-hpa', 'upgrade');

  it("renders gen3-helm's keys with the profile's ranges; presigned-url-fence ends at its own 20–25, again after the next upgrade", async (t) => {
    const env = await fleet(t);
    if (!env) return;
    const plan = await env.fleet.api<DeploymentPlan>(env.operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'plan', release: '2026.09', ...PRODUCTION });
    assert.equal(plan.status, 200, JSON.stringify(plan.body));
    const fence = (plan.body.values as { fence: { autoscaling: unknown } }).fence.autoscaling;
    assert.deepEqual(fence, { enabled: true, minReplicas: 5, maxReplicas: 15, averageCPUValue: '500m' });
    assert.deepEqual((plan.body.values as { dcoc: unknown }).dcoc, { hpa: { 'presigned-url-fence': { minReplicas: 20, maxReplicas: 25 } } });

    const first = await apply(env, { release: '2026.09', reason: 'production sizing', ...PRODUCTION });
    assert.equal(first.state, 'succeeded', first.message);
    assert.match(first.message, /presigned-url-fence-hpa 20–25 set/);
    assert.deepEqual(await env.hpa('fence-hpa'), { min: 5, max: 15, target: 'Deployment/fence-deployment', metrics: CPU_MEMORY });
    assert.deepEqual(await env.hpa('presigned-url-fence-hpa'), { min: 20, max: 25, target: 'Deployment/presigned-url-fence-deployment', metrics: CPU_MEMORY });
    assert.deepEqual(await env.hpa('indexd-hpa'), { min: 4, max: 8, target: 'Deployment/indexd-deployment', metrics: CPU_MEMORY });
    assert.deepEqual(await env.hpa('revproxy-hpa'), { min: 4, max: 10, target: 'Deployment/revproxy-deployment', metrics: CPU_MEMORY });
    assert.equal(await env.hpa('audit-hpa'), undefined, 'audit has no HPA template');

    // The next upgrade writes fence's range onto presigned-url-fence-hpa (helm owns the object); it must not conflict with the agent's range, which is set again.
    const second = await apply(env, { release: '2026.07', reason: 'back to 2026.07', ...PRODUCTION });
    assert.equal(second.state, 'succeeded', second.message);
    assert.deepEqual(await env.hpa('presigned-url-fence-hpa'), { min: 20, max: 25, target: 'Deployment/presigned-url-fence-deployment', metrics: CPU_MEMORY });
    assert.deepEqual(await env.hpa('fence-hpa'), { min: 5, max: 15, target: 'Deployment/fence-deployment', metrics: CPU_MEMORY });

    // Dropping the range gives presigned-url-fence fence's again: the chart's.
    const third = await apply(env, { release: '2026.07', reason: 'presigned-url-fence as fence', ...PRODUCTION, overrides: { ...PRODUCTION.overrides, dcoc: { hpa: { 'presigned-url-fence': null } } } });
    assert.equal(third.state, 'succeeded', third.message);
    assert.equal((await env.hpa('presigned-url-fence-hpa'))?.min, 5);
    assert.equal((await env.hpa('presigned-url-fence-hpa'))?.max, 15);
  });
});

describe('production HPAs through helm template and server-side apply', { timeout: 400_000 }, () => {
  const fleet = fleetFor('gen3-hpa-template', 'template');

  it("the agent applies presigned-url-fence-hpa with its own range in the one write: it never has fence's", async (t) => {
    const env = await fleet(t);
    if (!env) return;
    const from = env.cp.audit({ user: env.k.agent.username }).length;
    const done = await apply(env, { release: '2026.09', reason: 'production sizing', ...PRODUCTION });
    assert.equal(done.state, 'succeeded', done.message);
    assert.match(done.message, /presigned-url-fence-hpa 20–25 set/);
    assert.deepEqual(await env.hpa('presigned-url-fence-hpa'), { min: 20, max: 25, target: 'Deployment/presigned-url-fence-deployment', metrics: CPU_MEMORY });
    assert.deepEqual(await env.hpa('fence-hpa'), { min: 5, max: 15, target: 'Deployment/fence-deployment', metrics: CPU_MEMORY });
    const writes = env.cp
      .audit({ user: env.k.agent.username })
      .slice(from)
      .filter((e) => e.objectRef?.resource === 'horizontalpodautoscalers' && e.objectRef.name === 'presigned-url-fence-hpa' && ['patch', 'update', 'create'].includes(e.verb));
    assert.equal(writes.length, 1, writes.map((e) => `${e.verb} ${e.requestURI}`).join('\n'));
    const spec = (writes[0].requestObject as { spec: { minReplicas: number; maxReplicas: number } }).spec;
    assert.deepEqual([spec.minReplicas, spec.maxReplicas], [20, 25]);
  });
});
