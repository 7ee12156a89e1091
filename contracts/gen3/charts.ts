// The gen3-helm umbrella chart as DCOC knows it. Two kinds of subchart:
//  - the charts DCOC models (CHARTS), from the one Gen3 service catalog
//    (agent/gen3/catalog.ts): images, replicas and health DCOC tracks. A chart
//    is what values configure; a service is a Deployment the agent reports.
//    They are the same except that the fence chart also renders
//    presigned-url-fence with fence's image and replica count (gen3-facts.md §2.3);
//  - every other subchart of the umbrella (SUBCHARTS): values DCOC passes to
//    gen3-helm as written, with the chart's own image and defaults.
// A chart gets an image tag only where the release (or the overrides) gives
// one; otherwise gen3-helm's own default image runs.
import { GEN3_SERVICES, type Gen3Service } from './catalog';

const RIDES_ON: Record<string, string> = { 'presigned-url-fence': 'fence' };

export interface Chart {
  name: string;
  /** Image repository without tag, e.g. quay.io/cdis/nginx for revproxy. */
  repository: string;
  defaultEnabled: boolean;
  /** Services (Deployments) this chart renders. */
  services: string[];
}

export const CHARTS: readonly Chart[] = GEN3_SERVICES.filter((s) => !RIDES_ON[s.name]).map((s: Gen3Service) => ({
  name: s.name,
  repository: s.image,
  defaultEnabled: s.defaultEnabled,
  services: [s.name, ...Object.keys(RIDES_ON).filter((k) => RIDES_ON[k] === s.name)],
}));

export const CHART_NAMES: readonly string[] = CHARTS.map((c) => c.name);

export function chart(name: string): Chart | undefined {
  return CHARTS.find((c) => c.name === name);
}

/** The chart that renders a service (presigned-url-fence → fence). */
export function chartOfService(service: string): string | undefined {
  return RIDES_ON[service] ?? (chart(service) ? service : undefined);
}

/** Services rendered by another service's chart, which gen3-helm gives no values block of their own. */
export const RIDERS: Readonly<Record<string, string>> = RIDES_ON;

/**
 * Every dependency of the umbrella chart: uc-cdis/gen3-helm
 * helm/gen3/Chart.yaml at commit 42cc46bc, in its order. `common` is a library
 * chart (no resources); elasticsearch and postgresql are remote charts
 * (condition global.dev); funnel's condition is gen3-workflow.enabled and
 * gen3-network-policies' is global.netPolicy.enabled, all others
 * `<name>.enabled`.
 */
export const SUBCHARTS: readonly string[] = [
  'access-backend', 'ambassador', 'arborist', 'argo-wrapper', 'audit', 'aws-es-proxy', 'aws-sigv4-proxy', 'cedar', 'cohort-middleware', 'common',
  'dashboard', 'datareplicate', 'data-upload-cron', 'embedding-management-service', 'etl', 'frontend-framework', 'fence', 'funnel', 'gen3-embeddings',
  'gen3-user-data-library', 'gen3-workflow', 'guppy', 'hatchery', 'indexd', 'manifestservice', 'metadata', 'peregrine', 'portal', 'requestor', 'revproxy',
  'sheepdog', 'ssjdispatcher', 'sower', 'wts', 'zendesk-wrapper', 'gen3-network-policies', 'dicom-server', 'ohif-viewer', 'orthanc', 'gen3-analysis',
  'ohdsi-atlas', 'ohdsi-webapi', 'elasticsearch', 'postgresql', 'neuvector', 'jeg', 'workspace-proxy', 'vectis-overlays',
];

/** A subchart's switch when it is not `<name>.enabled` (helm/gen3/Chart.yaml, 42cc46bc); common has none (always rendered, renders nothing). */
const CONDITION: Record<string, readonly string[]> = {
  funnel: ['gen3-workflow', 'enabled'],
  'gen3-network-policies': ['global', 'netPolicy', 'enabled'],
  elasticsearch: ['global', 'dev'],
  postgresql: ['global', 'dev'],
};

/** Subcharts on in helm/gen3/values.yaml (`<name>.enabled: true`, 42cc46bc); every other one is off unless the values turn it on. */
export const UMBRELLA_ENABLED: readonly string[] = [
  'ambassador', 'arborist', 'audit', 'etl', 'fence', 'hatchery', 'indexd', 'manifestservice', 'metadata', 'peregrine', 'portal', 'revproxy', 'sheepdog', 'wts',
];

/**
 * Top-level keys of the umbrella's values that are not subcharts: those of
 * helm/gen3/values.yaml and those helm/gen3/templates read (42cc46bc).
 * `pidgin` is a values block only: gen3-helm has no pidgin chart (helm/pidgin
 * does not exist; revproxy's nginx config and neuvector's policies mention the
 * service), so nothing renders from it; it is accepted because real values
 * files carry it.
 */
export const UMBRELLA_KEYS: readonly string[] = [
  'global', 'pidgin', 'mutatingWebhook', 'secrets', 'tests', 'auroraRdsCopyJob', 'serviceAccount', 'nameOverride', 'fullnameOverride',
];

/**
 * DCOC's own top-level key, which gen3-helm does not read: what the agent
 * sets after the chart is applied (presigned-url-fence's HPA range, see
 * render.ts). It lives in the values so that a revision, and a rollback to
 * it, carries everything the agent is asked to reach.
 */
export const DCOC_KEY = 'dcoc';

/**
 * Keys found in gen3-helm but not in the umbrella: they belong to another
 * chart, so the gen3 chart would ignore them. fluentd is a block of
 * helm/cluster-level-resources/values.yaml (42cc46bc), the cluster-wide
 * add-ons chart (an ArgoCD app of its own), not a gen3 subchart.
 */
export const ELSEWHERE: Readonly<Record<string, string>> = {
  fluentd: 'fluentd is not part of the gen3 umbrella chart: gen3-helm deploys it with helm/cluster-level-resources (the cluster-wide add-ons chart), so the gen3 chart would ignore this block; set it in that chart\'s values',
};

/** Every top-level key a gen3 values file may have. */
export const VALUES_KEYS: readonly string[] = [...UMBRELLA_KEYS, ...SUBCHARTS, DCOC_KEY];

export function isSubchart(name: string): boolean {
  return SUBCHARTS.includes(name);
}

/** Whether helm renders subchart `name` with these values, by its condition in helm/gen3/Chart.yaml and the umbrella's defaults. */
export function subchartEnabled(values: Record<string, unknown>, name: string): boolean {
  if (name === 'common') return false;
  const path = CONDITION[name] ?? [name, 'enabled'];
  let v: unknown = values;
  for (const p of path) v = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[p] : undefined;
  if (typeof v === 'boolean') return v;
  return CONDITION[name] ? false : UMBRELLA_ENABLED.includes(name);
}

/**
 * Subcharts whose HPA scales their own Deployment: each has
 * templates/hpa.yaml (helm/common/templates/_hpa.tpl: HPA `<chart>-hpa` for
 * Deployment `<chart>-deployment`, min/maxReplicas and averageCPUValue /
 * averageMemoryValue from `autoscaling`, falling back to global.autoscaling),
 * uc-cdis/gen3-helm 42cc46bc. The fence chart also renders
 * presigned-url-fence-hpa from fence's `autoscaling`
 * (helm/fence/templates/presigned-url-fence-hpa.yaml). embedding-management-
 * service has its own HPA template, which reads targetCPUUtilizationPercentage
 * instead of averageCPUValue.
 */
export const HPA_CHARTS: readonly string[] = [
  'access-backend', 'ambassador', 'arborist', 'argo-wrapper', 'aws-es-proxy', 'aws-sigv4-proxy', 'cohort-middleware', 'dashboard', 'dicom-server',
  'embedding-management-service', 'fence', 'frontend-framework', 'gen3-analysis', 'gen3-embeddings', 'gen3-user-data-library', 'gen3-workflow', 'guppy',
  'hatchery', 'indexd', 'manifestservice', 'metadata', 'ohif-viewer', 'orthanc', 'peregrine', 'portal', 'requestor', 'revproxy', 'sheepdog', 'wts',
];

/** gen3-helm charts whose HPA targets a Deployment the chart does not render (42cc46bc): the Deployment's real name. */
const HPA_MISSES: Record<string, string> = { cedar: 'cedar-wrapper-deployment', sower: 'sower', ssjdispatcher: 'ssjdispatcher' };

/**
 * Why `<chart>.autoscaling.enabled: true` would not autoscale `chart` in
 * gen3-helm (undefined where it does). The charts' Deployments leave out
 * `replicas` whenever autoscaling.enabled is set, so without a working HPA the
 * replica count is silently lost (a new Deployment runs one replica).
 */
export function autoscalingRefusal(name: string): string | undefined {
  if (HPA_CHARTS.includes(name)) return undefined;
  const miss = HPA_MISSES[name];
  if (miss) {
    return `gen3-helm's ${name} HPA (helm/common/templates/_hpa.tpl) targets Deployment ${name}-deployment, but the chart's Deployment is ${miss}: with autoscaling enabled the Deployment drops its replica count and the HPA scales nothing. Leave autoscaling off and set replicaCount`;
  }
  return `gen3-helm's ${name} chart has no HPA template (no helm/${name}/templates/hpa.yaml): with autoscaling enabled its Deployment (if any) drops its replica count and nothing scales it, so it would run one replica. Leave autoscaling off and set replicaCount`;
}

/** The nearest known top-level key to a mistyped one (edit distance ≤ 2), for "did you mean". */
export function nearestKey(key: string, known: readonly string[] = VALUES_KEYS): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** `repo:tag` → parts; the tag is what follows the last ':' after the last '/'. */
export function splitImage(image: string): { repository: string; tag: string } | undefined {
  const at = image.lastIndexOf(':');
  if (at <= image.lastIndexOf('/') || at === image.length - 1) return undefined;
  return { repository: image.slice(0, at), tag: image.slice(at + 1) };
}

/** Longer than any real image reference (a registry name is at most 255, a tag 128). */
export const MAX_IMAGE_REF = 512;

// registry[:port]/path:tag, no digest, no spaces. Each name component is
// alphanumeric runs joined by separators, so the pattern has one way to match
// any input: it runs in linear time, however long or hostile the string (the
// previous pattern had two overlapping ways to match a path and took seconds
// on a 96 KB import).
const COMPONENT = '[a-z0-9]+(?:[._-]+[a-z0-9]+)*';
const IMAGE_RE = new RegExp(`^${COMPONENT}(?::[0-9]+)?(?:/${COMPONENT})*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`);

/** Whether `image` is a container image reference with a tag (registry/path:tag). */
export function isImageRef(image: string): boolean {
  return image.length <= MAX_IMAGE_REF && IMAGE_RE.test(image);
}
