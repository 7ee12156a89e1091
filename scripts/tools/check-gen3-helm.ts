// Checks DCOC's knowledge of gen3-helm against a real gen3-helm checkout, with
// `helm template` (no cluster, no network), and prints:
//  1. the umbrella as DCOC knows it (contracts/gen3/charts.ts) against
//     the checkout: subcharts (helm/gen3/Chart.yaml), top-level values and
//     defaults (helm/gen3/values.yaml), charts with an HPA template;
//  2. every Service DCOC probes (contracts/gen3/catalog.ts) as the chart renders
//     it: port, and the Deployment's readiness path against DCOC's probe path;
//  3. every HPA the chart can render (every subchart on, autoscaling on):
//     target, range, averageValue targets, and whether DCOC refuses
//     autoscaling for that chart;
//  4. the values DCOC produces for every template × profile: Deployments with
//     image tag and replicas, HPAs with their targets, the ranges the agent
//     sets itself, the plan's notes; or helm's error.
// Every difference is marked DIFFERS; the exit status is 1 if there is one or
// helm fails. The tests cannot do this (gen3-helm is not on npm); run it by hand:
//   node --import tsx scripts/tools/check-gen3-helm.ts /path/to/gen3-helm [release] [overrides.json]
// Without an overrides file, non-dev profiles render with
// global.externalSecrets.deploy: true (database Secrets from a secret manager),
// which gen3-helm needs to render without database credentials. It works on a
// copy of helm/ and drops the two dev-only remote dependencies (elasticsearch,
// postgresql: condition global.dev), so it needs no network.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { GEN3_SERVICES } from '../../contracts/gen3/catalog';
import { Blueprints } from '../../backend/deployments/blueprints';
import { CHART_NAMES, HPA_CHARTS, SUBCHARTS, UMBRELLA_ENABLED, VALUES_KEYS, autoscalingRefusal } from '../../contracts/gen3/charts';
import { parseRelease } from '../../backend/deployments/release-parse';
import { databaseWarning, deployTarget, hpaNotes, netPolicyWarning, render, unversionedCharts } from '../../backend/deployments/render';
import { type Values, toYaml } from '../../backend/deployments/values';
import { findHelm } from './helm-binary';

interface K8s {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: {
    replicas?: number;
    minReplicas?: number;
    maxReplicas?: number;
    scaleTargetRef?: { kind: string; name: string };
    metrics?: { resource?: { name: string; target: { type: string; averageValue?: string; averageUtilization?: number } } }[];
    ports?: { port: number; targetPort?: number | string }[];
    template?: { spec: { containers: { image: string; readinessProbe?: { httpGet?: { path: string; port: number | string } } }[] } };
  };
}

const [repo, version = '2026.07', overridesFile] = process.argv.slice(2);
if (!repo) {
  process.stderr.write('usage: check-gen3-helm.ts /path/to/gen3-helm [release YYYY.MM] [overrides.json]\n');
  process.exit(2);
}
const found = await findHelm();
if (!('path' in found)) throw new Error(found.missing);
const helm = found;

const work = mkdtempSync(join(tmpdir(), 'dcoc-gen3-helm-'));
cpSync(join(repo, 'helm'), join(work, 'helm'), { recursive: true });
const helmDir = join(work, 'helm');
const chartDir = join(helmDir, 'gen3');
const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { dependencies: { name: string; repository: string; condition?: string }[] };
const deps = chart.dependencies.map((d) => d.name);
chart.dependencies = chart.dependencies.filter((d) => d.repository.startsWith('file://'));
writeFileSync(join(chartDir, 'Chart.yaml'), stringify(chart));
const env = { ...process.env, HOME: work, HELM_CACHE_HOME: join(work, 'cache'), HELM_CONFIG_HOME: join(work, 'config'), HELM_DATA_HOME: join(work, 'data') };
execFileSync(helm.path, ['dependency', 'build', chartDir], { env, stdio: ['ignore', 'ignore', 'inherit'] });

let differences = 0;
let failures = 0;
const differs = (what: string) => {
  differences++;
  return `DIFFERS: ${what}`;
};
const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : '(none)');
let seq = 0;

function template(values: Values): K8s[] {
  const file = join(work, `values-${++seq}.yaml`);
  writeFileSync(file, toYaml(values));
  const out = execFileSync(helm.path, ['template', 'gen3', chartDir, '--namespace', 'gen3', '--values', file], { env, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(out).map((d) => d.toJS() as K8s | null).filter((o): o is K8s => !!o);
}

const helmError = (e: unknown) => String((e as { stderr?: string }).stderr ?? e).trim().split('\n').slice(-4).join(' ');

function hpaText(h: K8s, objects: K8s[]): string {
  const ref = h.spec?.scaleTargetRef;
  const exists = objects.some((o) => o.kind === ref?.kind && o.metadata.name === ref?.name);
  const metrics = (h.spec?.metrics ?? []).map((m) => `${m.resource?.name} ${m.resource?.target.averageValue ?? `${m.resource?.target.averageUtilization}%`}`).join(', ');
  return `${h.metadata.name} → ${ref?.kind}/${ref?.name}${exists ? '' : ' (no such object)'} ${h.spec?.minReplicas}–${h.spec?.maxReplicas} [${metrics}]`;
}

// 1. The umbrella.
console.log(`== gen3-helm at ${repo}: the umbrella chart against contracts/gen3/charts.ts`);
const unknownSubcharts = deps.filter((d) => !SUBCHARTS.includes(d));
const goneSubcharts = SUBCHARTS.filter((d) => !deps.includes(d));
console.log(`subcharts (helm/gen3/Chart.yaml): ${deps.length}; DCOC knows ${SUBCHARTS.length}`);
console.log(`  subcharts DCOC does not know (refused in overrides): ${unknownSubcharts.length ? differs(list(unknownSubcharts)) : '(none)'}`);
console.log(`  subcharts DCOC lists that the chart no longer has: ${goneSubcharts.length ? differs(list(goneSubcharts)) : '(none)'}`);
const modelled = SUBCHARTS.filter((c) => CHART_NAMES.includes(c));
console.log(`  with DCOC health checks and images (catalog): ${list(modelled)}`);
console.log(`  passed to gen3-helm as written, chart's own image, no health check: ${list(SUBCHARTS.filter((c) => !CHART_NAMES.includes(c)))}`);
const umbrellaValues = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Values;
const topKeys = Object.keys(umbrellaValues);
const unknownKeys = topKeys.filter((k) => !VALUES_KEYS.includes(k));
console.log(`top-level keys of helm/gen3/values.yaml DCOC does not accept: ${unknownKeys.length ? differs(list(unknownKeys)) : '(none)'}`);
const onByDefault = topKeys.filter((k) => (umbrellaValues[k] as Values | null)?.enabled === true);
const defaultsDiffer = [...onByDefault.filter((k) => !UMBRELLA_ENABLED.includes(k)), ...UMBRELLA_ENABLED.filter((k) => !onByDefault.includes(k))];
console.log(`on by default in helm/gen3/values.yaml: ${list(onByDefault)}${defaultsDiffer.length ? `  ${differs(`DCOC's UMBRELLA_ENABLED disagrees on ${list(defaultsDiffer)}`)}` : ''}`);
const withHpa = deps.filter((d) => existsSync(join(helmDir, d, 'templates', 'hpa.yaml')));
console.log(`charts with templates/hpa.yaml: ${list(withHpa)}`);
const hpaNotKnown = withHpa.filter((c) => !HPA_CHARTS.includes(c) && !autoscalingRefusal(c)?.includes('targets Deployment'));
const hpaGone = HPA_CHARTS.filter((c) => !withHpa.includes(c));
if (hpaNotKnown.length || hpaGone.length) console.log(`  ${differs(`HPA templates DCOC does not know: ${list(hpaNotKnown)}; DCOC's HPA_CHARTS without one: ${list(hpaGone)}`)}`);

// 2. Every Service DCOC probes, as the chart renders it. aws-es-proxy and aws-sigv4-proxy render the same Service: one render each.
console.log('\n== Services DCOC probes (contracts/gen3/catalog.ts) as gen3-helm renders them');
const renderCatalog = (on: (name: string) => boolean): K8s[] => {
  const values: Values = { global: { dev: true, hostname: 'data.example.org', environment: 'exampleprod' } };
  for (const c of SUBCHARTS) if (c !== 'common' && !['elasticsearch', 'postgresql'].includes(c)) values[c] = { enabled: on(c) };
  return template(values);
};
const passes = [renderCatalog((c) => CHART_NAMES.includes(c) && c !== 'aws-sigv4-proxy'), renderCatalog((c) => c === 'aws-sigv4-proxy')];
for (const s of GEN3_SERVICES) {
  const objects = passes[s.name === 'aws-sigv4-proxy' ? 1 : 0];
  const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === s.k8sService);
  const dep = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === s.deployment);
  const ports = (svc?.spec?.ports ?? []).map((p) => p.port);
  const probe = dep?.spec?.template?.spec.containers[0].readinessProbe?.httpGet;
  const problems: string[] = [];
  if (!svc) problems.push(`no Service ${s.k8sService}`);
  else if (!ports.includes(s.servicePort)) problems.push(`Service port ${ports.join('/')}, DCOC dials ${s.servicePort}`);
  if (!dep) problems.push(`no Deployment ${s.deployment}`);
  else if (probe && probe.path !== s.healthPath.split('?')[0] && probe.path !== s.healthPath) problems.push(`readiness path ${probe.path}, DCOC probes ${s.healthPath}`);
  const readiness = !dep ? '' : probe ? `readiness ${probe.path} :${probe.port}` : 'no readiness probe';
  console.log(`  ${s.name.padEnd(20)} ${s.k8sService}:${ports.join('/') || '?'} probe ${s.healthPath} (${s.healthRule}); Deployment ${s.deployment}, ${readiness}${problems.length ? `  ${differs(problems.join('; '))}` : '  ok'}`);
}

// 3. Every HPA gen3-helm can render.
console.log('\n== Every HPA gen3-helm renders (every subchart on, autoscaling.enabled on; chart defaults)');
{
  const values: Values = { global: { dev: true, hostname: 'data.example.org', environment: 'exampleprod' } };
  for (const c of SUBCHARTS) if (c !== 'common' && !['elasticsearch', 'postgresql', 'aws-es-proxy'].includes(c)) values[c] = { enabled: true, autoscaling: { enabled: true } };
  values['aws-es-proxy'] = { enabled: false };
  try {
    const objects = template(values);
    for (const h of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
      const ref = h.spec?.scaleTargetRef;
      const ok = objects.some((o) => o.kind === ref?.kind && o.metadata.name === ref?.name);
      // The chart: its common label (presigned-url-fence-hpa carries fence's), else the HPA's name.
      const chartName = h.metadata.labels?.['app.kubernetes.io/name'] ?? h.metadata.name.replace(/-hpa$/, '');
      const refusal = autoscalingRefusal(chartName);
      const mark = !ok && !refusal ? `  ${differs(`targets no Deployment, yet DCOC allows autoscaling ${chartName}`)}` : ok && refusal ? `  ${differs(`scales its Deployment, yet DCOC refuses autoscaling ${chartName}`)}` : refusal ? '  (DCOC refuses autoscaling)' : '';
      console.log(`  ${hpaText(h, objects)}${mark}`);
    }
    const noHpa = SUBCHARTS.filter((c) => autoscalingRefusal(c) && !withHpa.includes(c));
    console.log(`  no HPA template (DCOC refuses autoscaling): ${list(noHpa)}`);
  } catch (e) {
    failures++;
    console.log(`  helm template FAILED: ${helmError(e)}`);
  }
}

// 4. DCOC's templates × profiles.
console.log(`\n== DCOC's templates × profiles, release ${version}${overridesFile ? `, overrides ${overridesFile}` : ''}`);
const bp = Blueprints.load();
const images = parseRelease('manifest', readFileSync(join(import.meta.dirname, '..', '..', 'backend', 'deployments', 'releases', `${version}.json`), 'utf8')).images;
const given = overridesFile ? (JSON.parse(readFileSync(overridesFile, 'utf8')) as Values) : undefined;
for (const [tName, t] of bp.templates) {
  for (const [pName, profile] of bp.profiles) {
    const overrides = given ?? (profile.global.dev === true ? {} : { global: { externalSecrets: { deploy: true } } });
    const r = render({ hostname: 'data.example.org', environment: 'exampleprod', template: t, profile, release: { version, images }, overrides });
    const label = `${tName} / ${pName}${!given && profile.global.dev !== true ? ' (global.externalSecrets.deploy: true)' : ''}`;
    if (r.errors.length) {
      console.log(`${label}: DCOC refuses: ${r.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
      continue;
    }
    let objects: K8s[];
    try {
      objects = template(r.values);
    } catch (e) {
      failures++;
      const warn = databaseWarning(r.values);
      console.log(`${label}: helm template FAILED: ${helmError(e)}${warn ? `\n  (DCOC's plan warns: ${warn})` : ''}`);
      continue;
    }
    const target = deployTarget(r.values);
    const deployments = objects
      .filter((o) => o.kind === 'Deployment')
      .map((d) => `${d.metadata.name}=${d.spec?.template?.spec.containers[0].image.split(':').pop()}${d.spec?.replicas === undefined ? '(HPA)' : `×${d.spec.replicas}`}`);
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    console.log(`${label}: ${objects.length} objects, ${deployments.length} Deployments, ${hpas.length} HPAs`);
    console.log(`  ${deployments.join(' ')}`);
    for (const h of hpas) {
      const own = target.hpa?.[h.metadata.name.replace(/-hpa$/, '')];
      console.log(`  ${hpaText(h, objects)}${own ? `; the agent sets ${own.min}–${own.max}` : ''}`);
    }
    const unversioned = unversionedCharts(r.values);
    if (unversioned.length) console.log(`  no image in release ${version} (gen3-helm's default runs): ${unversioned.join(', ')}`);
    for (const n of [...hpaNotes(r.values, target), netPolicyWarning(r.values)].filter((x): x is string => !!x)) console.log(`  note: ${n}`);
  }
}
console.log(`\n${differences} difference(s), ${failures} helm failure(s)`);
process.exit(differences || failures ? 1 : 0);
