// The production profile's HPAs through real `helm template` of the
// gen3-helm-shaped test chart. The chart renders HPAs as
// uc-cdis/gen3-helm 42cc46bc does: helm/common/templates/_hpa.tpl (HPA
// `<chart>-hpa` for `<chart>-deployment` when
// `default .Values.global.autoscaling.enabled .Values.autoscaling.enabled`,
// minReplicas/maxReplicas and AverageValue cpu/memory targets from
// `autoscaling` falling back to global.autoscaling: 1, 10, 500m, 500Mi) and
// helm/fence/templates/presigned-url-fence-hpa.yaml (presigned-url-fence's
// HPA from fence's `autoscaling`); Deployments leave out `replicas` when
// `autoscaling.enabled`; audit has no templates/hpa.yaml.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { Blueprints } from '../../backend/deployments/blueprints';
import { deployTarget, render } from '../../backend/deployments/render';
import { type Values, toYaml } from '../../backend/deployments/values';
import { findHelm } from '../../scripts/tools/helm-binary';
import { skipOrFail } from '../support/control-plane/binaries';
import { writeGen3Chart } from '../support/gen3-chart';
import { fullRelease } from './full-release';

interface K8s {
  kind: string;
  metadata: { name: string };
  spec: {
    replicas?: number;
    minReplicas?: number;
    maxReplicas?: number;
    scaleTargetRef?: { kind: string; name: string };
    metrics?: { resource: { name: string; target: { type: string; averageValue?: string; averageUtilization?: number } } }[];
  };
}

const bp = Blueprints.load();
const HELM = await findHelm();
const dir = mkdtempSync(join(tmpdir(), 'dcoc-hpa-helm-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const chart = writeGen3Chart(dir);
let n = 0;

function helmTemplate(t: TestContext, values: Values): K8s[] | undefined {
  if (!('path' in HELM)) {
    skipOrFail(t, HELM.missing);
    return undefined;
  }
  const file = join(dir, `values-${++n}.yaml`);
  writeFileSync(file, toYaml(values));
  const env = { PATH: process.env.PATH ?? '', HOME: dir, HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config'), HELM_DATA_HOME: join(dir, 'data') };
  const out = execFileSync(HELM.path, ['template', 'gen3', chart, '--namespace', 'gen3', '--values', file], { env, encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS() as K8s | null).filter((o): o is K8s => !!o);
}

const hpas = (objects: K8s[]) =>
  Object.fromEntries(
    objects
      .filter((o) => o.kind === 'HorizontalPodAutoscaler')
      .map((h) => [
        h.metadata.name,
        `${h.spec.scaleTargetRef!.name} ${h.spec.minReplicas}–${h.spec.maxReplicas} ${h.spec.metrics!.map((m) => `${m.resource.name}=${m.resource.target.type}:${m.resource.target.averageValue ?? m.resource.target.averageUtilization}`).join(',')}`,
      ]),
  );
const replicas = (objects: K8s[], name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!.spec.replicas;

describe('production HPAs through helm template', () => {
  const production = () => render({ hostname: 'data.example.org', environment: 'exampleprod', template: bp.templates.get('gen3-default')!, profile: bp.profiles.get('production')!, release: fullRelease('2026.07'), overrides: {} });

  it("render in gen3-helm's keys: the chart makes each HPA with the profile's range and average CPU; presigned-url-fence's own range goes to the agent", (t) => {
    const { values, errors } = production();
    assert.deepEqual(errors, []);
    const objects = helmTemplate(t, values);
    if (!objects) return;
    const metrics = 'cpu=AverageValue:500m,memory=AverageValue:500Mi';
    assert.deepEqual(hpas(objects), {
      'fence-hpa': `fence-deployment 5–15 ${metrics}`,
      // The chart can only give presigned-url-fence fence's range...
      'presigned-url-fence-hpa': `presigned-url-fence-deployment 5–15 ${metrics}`,
      'indexd-hpa': `indexd-deployment 4–8 ${metrics}`,
      'revproxy-hpa': `revproxy-deployment 4–10 ${metrics}`,
    });
    // ...so the deploy target carries its own, which the agent sets (test/kube-real/deploy-hpa.test.ts).
    assert.deepEqual(deployTarget(values).hpa, { 'presigned-url-fence': { min: 20, max: 25 } });
    // An HPA sizes these; the others get the profile's replica counts.
    for (const d of ['fence-deployment', 'presigned-url-fence-deployment', 'indexd-deployment', 'revproxy-deployment']) assert.equal(replicas(objects, d), undefined, d);
    assert.equal(replicas(objects, 'arborist-deployment'), 4);
    assert.equal(replicas(objects, 'audit-deployment'), 2);
  });

  it('a chart with an averageMemoryValue gets it; an explicit averageCPUValue replaces the default', (t) => {
    const { values, errors } = render({
      hostname: 'data.example.org',
      environment: 'exampleprod',
      template: bp.templates.get('gen3-default')!,
      profile: bp.profiles.get('production')!,
      release: fullRelease('2026.07'),
      overrides: { indexd: { autoscaling: { averageCPUValue: '750m', averageMemoryValue: '1Gi' } } },
    });
    assert.deepEqual(errors, []);
    const objects = helmTemplate(t, values);
    if (!objects) return;
    assert.equal(hpas(objects)['indexd-hpa'], 'indexd-deployment 4–8 cpu=AverageValue:750m,memory=AverageValue:1Gi');
  });

  it('why DCOC refuses autoscaling for audit: the chart would drop its replica count and no HPA would scale it', (t) => {
    const values = production().values;
    const objects = helmTemplate(t, { ...values, audit: { ...(values.audit as Values), autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 } } });
    if (!objects) return;
    assert.equal(replicas(objects, 'audit-deployment'), undefined);
    assert.equal(hpas(objects)['audit-hpa'], undefined);
    assert.deepEqual(
      render({ hostname: 'data.example.org', environment: 'exampleprod', template: bp.templates.get('gen3-default')!, profile: bp.profiles.get('production')!, release: fullRelease('2026.07'), overrides: { audit: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 } } } }).errors.map((e) => e.field),
      ['body.overrides.audit.autoscaling.enabled'],
    );
  });
});
