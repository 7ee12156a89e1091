// Real gen3-helm values files, HPAs in gen3-helm's keys, and the network
// policy switch. Facts from uc-cdis/gen3-helm at commit
// 42cc46bc: the umbrella's subcharts are helm/gen3/Chart.yaml's dependencies
// and its top-level values helm/gen3/values.yaml's keys (etl on by default;
// pidgin a values block with no chart behind it); fluentd is a block of
// helm/cluster-level-resources/values.yaml, not of the gen3 chart; HPAs come
// from helm/common/templates/_hpa.tpl (autoscaling.enabled, minReplicas,
// maxReplicas, averageCPUValue, averageMemoryValue), presigned-url-fence's
// from fence's values (helm/fence/templates/presigned-url-fence-hpa.yaml);
// audit has no templates/hpa.yaml, and sower's and ssjdispatcher's HPAs
// target `<chart>-deployment` while their Deployments are `sower` and
// `ssjdispatcher`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { DeploymentPlan, Problem } from '../../contracts/api';
import { Blueprints, Profile } from '../../backend/deployments/blueprints';
import { SUBCHARTS, UMBRELLA_ENABLED, UMBRELLA_KEYS } from '../../contracts/gen3/charts';
import { type RenderInput, deployTarget, enabledCharts, hpaNotes, netPolicyWarning, render, unversionedCharts } from '../../backend/deployments/render';
import type { Values } from '../../backend/deployments/values';
import { TestFleet } from '../support/fleet';
import { fullRelease } from './full-release';

const bp = Blueprints.load();
const input = (over: Partial<RenderInput> = {}): RenderInput => ({
  hostname: 'data.example.org',
  environment: 'exampleprod',
  template: bp.templates.get('gen3-explorer')!,
  profile: bp.profiles.get('production')!,
  release: fullRelease('2026.07'),
  overrides: {},
  ...over,
});
const fields = (overrides: Values, over: Partial<RenderInput> = {}) => render(input({ overrides, ...over })).errors;
/** The keys `block` has, as `v` has them: a block as written, whatever DCOC adds around it (sizing of the charts it models). */
const asWritten = (v: unknown, block: unknown) => Object.fromEntries(Object.keys(block as Values).map((k) => [k, (v as Values)[k]]));

/**
 * A production commons' values file as operators write them for gen3-helm,
 * using the umbrella's subcharts DCOC has no health check or image for (keys
 * of each chart's values.yaml at 42cc46bc).
 */
const VALUES_FILE = `
global:
  externalSecrets:
    deploy: true
  dictionaryUrl: https://s3.amazonaws.com/dictionary-artifacts/datadictionary/develop/schema.json
etl:
  enabled: true
  esEndpoint: gen3-elasticsearch-master
  etlMapping:
    mappings:
      - name: exampleprod_subject
        doc_type: subject
        type: aggregator
        root: subject
        props:
          - name: submitter_id
  esGarbageCollect:
    schedule: "*/30 * * * *"
    suspendCronjob: true
aws-sigv4-proxy:
  enabled: true
  esEndpoint: vpc-exampleprod-es.us-east-1.es.amazonaws.com
  awsRegion: us-east-1
dashboard:
  enabled: true
  dashboardConfig:
    bucket: generic-dashboard-bucket
    prefix: data.example.org
argo-wrapper:
  enabled: true
  s3Bucket: argo-artifact-downloadable
  internalS3Bucket: argo-internal-bucket
  indexdAdminUser: fence
gen3-user-data-library:
  enabled: true
  gunicornWorkers: 2
gen3-workflow:
  enabled: true
  replicaCount: 2
cohort-middleware:
  enabled: true
  replicaCount: 2
  autoscaling:
    enabled: true
    minReplicas: 2
    maxReplicas: 4
dicom-server:
  enabled: true
ohif-viewer:
  enabled: true
pidgin:
  enabled: false
mutatingWebhook:
  enabled: false
`;
const REAL = parseYaml(VALUES_FILE) as Values;
const ADDED = ['etl', 'aws-sigv4-proxy', 'dashboard', 'argo-wrapper', 'gen3-user-data-library', 'gen3-workflow', 'cohort-middleware', 'dicom-server', 'ohif-viewer'];

describe('a real gen3-helm values file', () => {
  it('plans without error: every subchart of the umbrella and its top-level values are accepted, as written', () => {
    const { values, errors } = render(input({ overrides: REAL }));
    assert.deepEqual(errors, []);
    for (const c of ADDED) assert.deepEqual(asWritten(values[c], REAL[c]), REAL[c], c);
    // Only aws-sigv4-proxy is DCOC's (a health check), so the profile sizes it.
    assert.deepEqual(values['aws-sigv4-proxy'], { ...(REAL['aws-sigv4-proxy'] as Values), replicaCount: 2, autoscaling: { enabled: false } });
    assert.deepEqual(values.etl, REAL.etl);
    assert.deepEqual(values.pidgin, { enabled: false });
    // Charts DCOC has no image for keep gen3-helm's own: no image is written for them.
    for (const c of ADDED) assert.equal((values[c] as Values).image, undefined, c);
    // funnel is switched by gen3-workflow.enabled (helm/gen3/Chart.yaml); etl is on by default.
    const on = enabledCharts(values);
    for (const c of [...ADDED, 'funnel', 'fence', 'guppy']) assert.ok(on.includes(c), `${c} is rendered`);
    assert.ok(!on.includes('gen3-network-policies') && !on.includes('common') && !on.includes('orthanc'));
    assert.ok(enabledCharts(render(input()).values).includes('etl'), 'etl: on in helm/gen3/values.yaml');
  });

  it('the deploy target holds only services the agent follows: catalog services with an image', () => {
    const values = render(input({ overrides: REAL })).values;
    const t = deployTarget(values);
    for (const c of ADDED) assert.equal(t.images[c], undefined, c);
    // DCOC's charts left on gen3-helm's default image, for the plan to name.
    assert.deepEqual(unversionedCharts(values), ['aws-sigv4-proxy']);
    assert.equal(t.replicas['cohort-middleware'], undefined);
    assert.equal(t.images.fence, 'quay.io/cdis/fence:2026.07');
    // aws-sigv4-proxy runs the chart's image unless a release lists it; when one does, it is followed like any other.
    const listed = { ...fullRelease('2026.07'), images: { ...fullRelease('2026.07').images, 'aws-sigv4-proxy': 'quay.io/cdis/aws-sigv4-proxy:1.10' } };
    assert.equal(deployTarget(render(input({ overrides: REAL, release: listed })).values).images['aws-sigv4-proxy'], 'quay.io/cdis/aws-sigv4-proxy:1.10');
  });

  it('a typo is still caught, with what was meant; keys of other charts are refused saying where they belong', () => {
    const one = (o: Values) => {
      const e = fields(o);
      assert.equal(e.length, 1, JSON.stringify(e));
      return e[0];
    };
    let e = one({ fense: { replicaCount: 2 } });
    assert.equal(e.field, 'body.overrides.fense');
    assert.match(e.message, /unknown service fense: neither a subchart of gen3-helm's umbrella chart .* did you mean fence\?/);
    assert.match(one({ 'aws-sigv4proxy': { enabled: true } }).message, /did you mean aws-sigv4-proxy\?/);
    assert.match(one({ ethl: { enabled: false } }).message, /did you mean etl\?/);
    assert.doesNotMatch(one({ notaservice: {} }).message, /did you mean/);
    e = one({ fluentd: { enabled: true } });
    assert.equal(e.field, 'body.overrides.fluentd');
    assert.match(e.message, /helm\/cluster-level-resources/);
    e = one({ 'presigned-url-fence': { replicaCount: 20 } });
    assert.match(e.message, /the fence chart renders it from fence's values .*overrides\.dcoc\.hpa\.presigned-url-fence/);
    // String-valued top-level keys of the umbrella.
    assert.deepEqual(fields({ nameOverride: 'gen3', fullnameOverride: 'gen3' }), []);
    assert.equal(one({ nameOverride: { a: 1 } }).field, 'body.overrides.nameOverride');
  });

  it('the lists are gen3-helm\'s (helm/gen3/Chart.yaml and values.yaml at 42cc46bc)', () => {
    assert.equal(SUBCHARTS.length, 48);
    for (const c of ['etl', 'aws-sigv4-proxy', 'dashboard', 'argo-wrapper', 'gen3-user-data-library', 'gen3-workflow', 'cohort-middleware', 'dicom-server', 'ohif-viewer', 'funnel', 'gen3-network-policies', 'elasticsearch', 'postgresql']) {
      assert.ok(SUBCHARTS.includes(c), c);
    }
    assert.ok(!SUBCHARTS.includes('pidgin') && UMBRELLA_KEYS.includes('pidgin'), 'pidgin: a values block, no chart');
    assert.ok(!SUBCHARTS.includes('fluentd') && !UMBRELLA_KEYS.includes('fluentd'));
    assert.deepEqual([...UMBRELLA_ENABLED].sort(), ['ambassador', 'arborist', 'audit', 'etl', 'fence', 'hatchery', 'indexd', 'manifestservice', 'metadata', 'peregrine', 'portal', 'revproxy', 'sheepdog', 'wts']);
  });

  it('aws-es-proxy and aws-sigv4-proxy cannot both run: both render Service elasticsearch', () => {
    const e = fields({ 'aws-sigv4-proxy': { enabled: true } }, { template: bp.templates.get('gen3-full')! });
    assert.deepEqual(e.map((x) => x.field), ['body.overrides.aws-sigv4-proxy.enabled']);
    assert.deepEqual(fields({ 'aws-sigv4-proxy': { enabled: true }, 'aws-es-proxy': { enabled: false } }, { template: bp.templates.get('gen3-full')! }), []);
  });
});

describe('HPAs in gen3-helm\'s keys', () => {
  it('autoscaling is refused, naming the field and why, for charts whose HPA would not scale their Deployment', () => {
    let e = fields({ audit: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 } } });
    assert.deepEqual(e.map((x) => x.field), ['body.overrides.audit.autoscaling.enabled']);
    assert.match(e[0].message, /gen3-helm's audit chart has no HPA template \(no helm\/audit\/templates\/hpa\.yaml\).*drops its replica count.*one replica/);
    e = fields({ sower: { autoscaling: { enabled: true } } });
    assert.deepEqual(e.map((x) => x.field), ['body.overrides.sower.autoscaling.enabled']);
    assert.match(e[0].message, /targets Deployment sower-deployment, but the chart's Deployment is sower/);
    assert.deepEqual(fields({ ssjdispatcher: { autoscaling: { enabled: true } } }).map((x) => x.field), ['body.overrides.ssjdispatcher.autoscaling.enabled']);
    assert.deepEqual(fields({ etl: { autoscaling: { enabled: true } } }).map((x) => x.field), ['body.overrides.etl.autoscaling.enabled']);
    // Charts with an HPA: fine within the profile's bound.
    assert.deepEqual(fields({ dashboard: { enabled: true, autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 3 } } }), []);
    assert.deepEqual(fields({ dashboard: { enabled: true, autoscaling: { enabled: true, maxReplicas: 30 } } }).map((x) => x.field), ['body.overrides.dashboard.autoscaling.maxReplicas']);
    assert.deepEqual(fields({ peregrine: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6, averageCPUValue: '750m', averageMemoryValue: '1Gi' } } }), []);
  });

  it('a profile cannot autoscale such a chart either: refused when the profile is loaded', () => {
    const base = { name: 'p', description: 'p', replicas: { default: 2, max: 10 } };
    const issues = (services: Record<string, unknown>) => {
      const r = Profile.safeParse({ ...base, services });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.match(issues({ audit: { autoscaling: { min: 2, max: 4 } } }).join('\n'), /^services\.audit\.autoscaling: gen3-helm's audit chart has no HPA template/);
    assert.match(issues({ fence: { autoscaling: { min: 2, max: 4, targetCpu: 40 } } }).join('\n'), /targetCpu/);
    assert.match(issues({ fence: { autoscaling: { min: 2, max: 4, averageCPUValue: '40%' } } }).join('\n'), /a CPU quantity such as "500m"/);
    assert.match(issues({ 'presigned-url-fence': { autoscaling: { min: 20, max: 25 } } }).join('\n'), /presigned-url-fence-hpa exists only when fence autoscales/);
    assert.match(issues({ fence: { autoscaling: { min: 5, max: 10 } }, 'presigned-url-fence': { replicas: 20 } }).join('\n'), /runs fence's replicaCount/);
    assert.match(issues({ fence: { autoscaling: { min: 5, max: 10 } }, 'presigned-url-fence': { autoscaling: { min: 20, max: 25, averageCPUValue: '1' } } }).join('\n'), /takes fence's averageCPUValue/);
    assert.deepEqual(issues({ fence: { autoscaling: { min: 5, max: 10, averageCPUValue: '500m' } }, 'presigned-url-fence': { max: 25, autoscaling: { min: 20, max: 25 } } }), []);
  });

  it('overrides take gen3-helm\'s keys: a utilization percentage the chart does not read is refused, pointing at averageCPUValue', () => {
    const e = fields({ fence: { autoscaling: { targetCPUUtilizationPercentage: 40 } } });
    assert.deepEqual(e.map((x) => x.field), ['body.overrides.fence.autoscaling.targetCPUUtilizationPercentage']);
    assert.match(e[0].message, /does not read targetCPUUtilizationPercentage .* averageCPUValue/);
    assert.deepEqual(fields({ fence: { autoscaling: { averageCPUValue: 'lots' } } }).map((x) => x.field), ['body.overrides.fence.autoscaling.averageCPUValue']);
    assert.deepEqual(fields({ fence: { autoscaling: { averageCPUValue: '1', averageMemoryValue: '2Gi' } } }), []);
    // global.autoscaling.enabled would turn on every chart's HPA while the Deployments keep their replica counts.
    assert.deepEqual(fields({ global: { autoscaling: { enabled: true } } }).map((x) => x.field), ['body.overrides.global.autoscaling.enabled']);
  });

  it("presigned-url-fence's own range: from the profile, changed or dropped in the overrides, bounded, and only where fence autoscales", () => {
    const target = (o: Values) => deployTarget(render(input({ overrides: o })).values).hpa;
    assert.deepEqual(target({}), { 'presigned-url-fence': { min: 20, max: 25 } });
    assert.deepEqual(target({ dcoc: { hpa: { 'presigned-url-fence': { minReplicas: 10, maxReplicas: 12 } } } }), { 'presigned-url-fence': { min: 10, max: 12 } });
    const dropped = render(input({ overrides: { dcoc: { hpa: { 'presigned-url-fence': null } } } }));
    assert.deepEqual(dropped.errors, []);
    assert.equal(dropped.values.dcoc, undefined);
    assert.equal(deployTarget(dropped.values).hpa, undefined);
    // The small profile gives presigned-url-fence no range of its own: fence's applies.
    assert.equal(deployTarget(render(input({ profile: bp.profiles.get('small')! })).values).hpa, undefined);

    assert.deepEqual(fields({ dcoc: { hpa: { 'presigned-url-fence': { minReplicas: 20, maxReplicas: 30 } } } }).map((x) => x.field), ['body.overrides.dcoc.hpa.presigned-url-fence.maxReplicas']);
    assert.deepEqual(fields({ dcoc: { hpa: { 'presigned-url-fence': { minReplicas: 9, maxReplicas: 8 } } } }).map((x) => x.field), ['body.overrides.dcoc.hpa.presigned-url-fence']);
    assert.deepEqual(fields({ dcoc: { hpa: { 'presigned-url-fence': { minReplicas: 9, maxReplicas: 10, averageCPUValue: '1' } } } }).map((x) => x.field), ['body.overrides.dcoc.hpa.presigned-url-fence']);
    assert.deepEqual(fields({ dcoc: { hpa: { fence: { minReplicas: 1, maxReplicas: 2 } } } }).map((x) => x.field), ['body.overrides.dcoc.hpa.fence']);
    assert.deepEqual(fields({ dcoc: { replicas: 3 } }).map((x) => x.field), ['body.overrides.dcoc.replicas']);
    const e = fields({ fence: { autoscaling: { enabled: false } } });
    assert.deepEqual(e.map((x) => x.field), ['body.profile']);
    assert.match(e[0].message, /presigned-url-fence's own HPA range 20–25 needs fence enabled and autoscaled.*overrides\.dcoc\.hpa\.presigned-url-fence: null/);
    assert.deepEqual(fields({ fence: { autoscaling: { enabled: false } }, dcoc: { hpa: { 'presigned-url-fence': null } } }), []);
  });

  it('hpaNotes: what the planner says about the range the agent sets, by deploy method, and the memory target gen3-helm adds', () => {
    const values = render(input()).values;
    const notes = (method: string | null) => hpaNotes(values, deployTarget(values), method);
    const [range, memory] = notes(null);
    assert.match(range, /^presigned-url-fence autoscales 20–25 \(fence's is 5–15\), a range gen3-helm cannot express: it renders presigned-url-fence-hpa from fence's autoscaling values \(helm\/fence\/templates\/presigned-url-fence-hpa\.yaml\)/);
    assert.match(range, /an agent deploying with the gen3-helm chart \(--helm-chart\) sets it .* an agent without --helm-chart does not/);
    assert.match(range, /A GitOps sync \(ArgoCD\) of these values alone gives presigned-url-fence fence's range/);
    assert.match(notes('helm-upgrade')[0], /right after helm upgrade returns/);
    assert.match(notes('helm-template')[0], /in the object it applies from helm template/);
    assert.match(notes('images')[0], /this agent deploys without --helm-chart and does not set it/);
    assert.match(memory, /^revproxy, fence, indexd: gen3-helm's HPAs also scale on memory, at the chart's default average per pod \(global\.autoscaling\.averageMemoryValue 500Mi/);
    assert.deepEqual(hpaNotes(render(input({ profile: bp.profiles.get('dev')! })).values, {}), []);
  });
});

describe('network policies', () => {
  it("DCOC's templates leave gen3-helm's network policies off; turned on through overrides, the plan can warn about the agent", () => {
    for (const [name, t] of bp.templates) assert.deepEqual((t.global as Values).netPolicy, { enabled: false }, name);
    assert.equal(netPolicyWarning(render(input()).values), undefined);
    const on = render(input({ overrides: { global: { netPolicy: { enabled: true } } } }));
    assert.deepEqual(on.errors, []);
    assert.ok(enabledCharts(on.values).includes('gen3-network-policies'));
    assert.match(netPolicyWarning(on.values) ?? '', /allow-nothing-netpolicy denies every pod .* only if its pod is labelled app: gen3job \(helm\/gen3-network-policies\/templates\/gen3job_netpolicy\.yaml\), as agent\/deploy\/deployment\.yaml does/);
  });
});

describe('the plan API takes a real values file', { timeout: 120_000 }, () => {
  let fleet: TestFleet;
  let operator: string;
  before(async () => {
    fleet = await TestFleet.start({ commons: [] });
    operator = await fleet.tokenFor('operator');
  });
  after(() => fleet.stop());
  const plan = (overrides: Values) =>
    fleet.api<DeploymentPlan & Problem>(operator, 'POST', '/api/v1/deployments', {
      mode: 'plan',
      newCommons: { hostname: 'data.example.org', environment: 'exampleprod' },
      template: 'gen3-explorer',
      profile: 'production',
      release: '2026.07',
      overrides,
    });

  it('plans it (200) with every block as written, and refuses a typo naming the field', async () => {
    const r = await plan(REAL);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const c of ADDED) assert.deepEqual(asWritten(r.body.values[c], REAL[c]), REAL[c], c);
    assert.deepEqual(r.body.values.dcoc, { hpa: { 'presigned-url-fence': { minReplicas: 20, maxReplicas: 25 } } });
    assert.deepEqual((r.body.values.fence as Values).autoscaling, { enabled: true, minReplicas: 5, maxReplicas: 15, averageCPUValue: '500m' });
    const bad = await plan({ ...REAL, fense: { replicaCount: 2 } });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.deepEqual(bad.body.errors?.map((e) => e.field), ['body.overrides.fense']);
    assert.match(bad.body.errors![0].message, /did you mean fence\?/);
  });
});
