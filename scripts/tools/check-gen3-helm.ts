// Renders the values DCOC produces for every template × profile with a real
// gen3-helm checkout and `helm template`, and prints what the chart makes of
// them (Deployments with image tag and replicas, HPAs), or helm's error.
// The tests cannot do this (gen3-helm is not on npm); run it by hand:
//   node --import tsx scripts/tools/check-gen3-helm.ts /path/to/gen3-helm [release] [overrides.json]
// It works on a copy of helm/ and drops the two dev-only remote dependencies
// (elasticsearch, postgresql: condition global.dev), so it needs no network.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { Blueprints } from '../../backend/deployments/blueprints';
import { parseRelease } from '../../backend/deployments/release-parse';
import { databaseWarning, render } from '../../backend/deployments/render';
import { type Values, toYaml } from '../../backend/deployments/values';
import { findHelm } from './helm-binary';

interface K8s {
  kind: string;
  metadata: { name: string };
  spec?: { replicas?: number; minReplicas?: number; maxReplicas?: number; template?: { spec: { containers: { image: string }[] } } };
}

const [repo, version = '2026.07', overridesFile] = process.argv.slice(2);
if (!repo) {
  process.stderr.write('usage: check-gen3-helm.ts /path/to/gen3-helm [release YYYY.MM] [overrides.json]\n');
  process.exit(2);
}
const helm = findHelm();
if (!('path' in helm)) throw new Error(helm.missing);

const work = mkdtempSync(join(tmpdir(), 'dcoc-gen3-helm-'));
cpSync(join(repo, 'helm'), join(work, 'helm'), { recursive: true });
const chartDir = join(work, 'helm', 'gen3');
const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { dependencies: { repository: string }[] };
chart.dependencies = chart.dependencies.filter((d) => d.repository.startsWith('file://'));
writeFileSync(join(chartDir, 'Chart.yaml'), stringify(chart));
const env = { ...process.env, HOME: work, HELM_CACHE_HOME: join(work, 'cache'), HELM_CONFIG_HOME: join(work, 'config'), HELM_DATA_HOME: join(work, 'data') };
execFileSync(helm.path, ['dependency', 'build', chartDir], { env, stdio: ['ignore', 'ignore', 'inherit'] });

const bp = Blueprints.load();
const images = parseRelease('manifest', readFileSync(join(import.meta.dirname, '..', '..', 'backend', 'deployments', 'releases', `${version}.json`), 'utf8')).images;
const overrides = overridesFile ? (JSON.parse(readFileSync(overridesFile, 'utf8')) as Values) : {};
let failures = 0;
for (const [tName, template] of bp.templates) {
  for (const [pName, profile] of bp.profiles) {
    const r = render({ hostname: 'data.example.org', environment: 'exampleprod', template, profile, release: { version, images }, overrides });
    const label = `${tName} / ${pName}`;
    if (r.errors.length) {
      console.log(`${label}: DCOC refuses: ${r.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
      continue;
    }
    const file = join(work, `values-${tName}-${pName}.yaml`);
    writeFileSync(file, toYaml(r.values));
    let out: string;
    try {
      out = execFileSync(helm.path, ['template', 'gen3', chartDir, '--namespace', 'gen3', '--values', file], { env, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      failures++;
      const warn = databaseWarning(r.values);
      console.log(`${label}: helm template FAILED: ${String((e as { stderr?: string }).stderr ?? e).trim().split('\n').slice(-4).join(' ')}${warn ? `\n  (DCOC's plan warns: ${warn})` : ''}`);
      continue;
    }
    const objects = parseAllDocuments(out).map((d) => d.toJS() as K8s | null).filter((o): o is K8s => !!o);
    const deployments = objects.filter((o) => o.kind === 'Deployment').map((d) => `${d.metadata.name}=${d.spec?.template?.spec.containers[0].image.split(':').pop()}${d.spec?.replicas === undefined ? '(HPA)' : `×${d.spec.replicas}`}`);
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((h) => `${h.metadata.name} ${h.spec?.minReplicas}-${h.spec?.maxReplicas}`);
    console.log(`${label}: ${objects.length} objects, ${deployments.length} Deployments, ${hpas.length} HPAs\n  ${deployments.join(' ')}\n  ${hpas.join(' ')}`);
  }
}
process.exit(failures ? 1 : 0);
