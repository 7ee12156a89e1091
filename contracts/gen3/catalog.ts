// Gen3 services as gen3-helm deploys them: Deployment and Service names,
// images, the port each Service listens on, and the health endpoint each one
// really serves with the body rule that says "healthy". Service ports and
// probe paths: uc-cdis/gen3-helm 42cc46bc, helm/<svc>/values.yaml
// `service.port` (80 for every Gen3 service; wts `service.httpPort` 80) and
// helm/<svc>/templates/service.yaml, which forwards to the container port
// (arborist 8080, hatchery/guppy/sower/ssjdispatcher 8000, frontend-framework
// `.Values.port`); readiness paths from helm/<svc>/templates/deployment.yaml.
// The catalog holds the services with a health endpoint; the umbrella's other
// subcharts (etl, dashboard, argo-wrapper, ...) are in
// backend/deployments/charts.ts SUBCHARTS. aws-es-proxy and aws-sigv4-proxy
// both serve Service `elasticsearch` on 9200 (helm/aws-es-proxy and
// helm/aws-sigv4-proxy templates/service.yaml, `service.port` 9200) and have
// no readiness probe: their health is the Elasticsearch cluster's, which they
// proxy (/_cluster/health answers 200 even when the cluster is red).
export type HealthRule =
  | 'text-healthy' // plain text Healthy (fence, indexd, sheepdog, ...)
  | 'json-string-healthy' // JSON string "Healthy" (arborist)
  | 'json-status-ok' // {"status":"OK", ...} (metadata, audit, requestor)
  | 'revproxy' // {"message":"Feelin good!", "csrf": ...}
  | 'guppy' // {"statusCode":200, "indices": {...}}
  | 'es-cluster-health' // Elasticsearch's {"status":"green"|"yellow"|"red", ...} (aws-es-proxy, aws-sigv4-proxy)
  | 'http-200'; // any 2xx (portal, frontend-framework, ambassador)

export interface Gen3Service {
  /** Chart name, the `app` label. */
  name: string;
  deployment: string;
  k8sService: string;
  image: string;
  /** The port the Kubernetes Service listens on: what in-cluster clients dial (not the container's). */
  servicePort: number;
  healthPath: string;
  healthRule: HealthRule;
  /** The path the service itself answers with its version, or null if it has none (see VERSION_FACTS in agent/simulate/health-server.ts for the sources). */
  versionPath: string | null;
  /** On in the umbrella chart's defaults. */
  defaultEnabled: boolean;
  partOf: string;
  critical: boolean;
}

const svc = (
  name: string,
  image: string,
  servicePort: number,
  healthPath: string,
  healthRule: HealthRule,
  versionPath: string | null,
  defaultEnabled: boolean,
  partOf: string,
  critical = true,
  deployment = `${name}-deployment`,
  k8sService = `${name}-service`,
): Gen3Service => ({ name, deployment, k8sService, image, servicePort, healthPath, healthRule, versionPath, defaultEnabled, partOf, critical });

export const GEN3_SERVICES: readonly Gen3Service[] = [
  svc('revproxy', 'quay.io/cdis/nginx', 80, '/_status', 'revproxy', null, true, 'Front-End'),
  svc('portal', 'quay.io/cdis/data-portal', 80, '/', 'http-200', null, true, 'Front-End'),
  svc('fence', 'quay.io/cdis/fence', 80, '/_status', 'text-healthy', '/_version', true, 'Authentication'),
  svc('presigned-url-fence', 'quay.io/cdis/fence', 80, '/_status', 'text-healthy', '/_version', true, 'Authentication'),
  svc('arborist', 'quay.io/cdis/arborist', 80, '/health', 'json-string-healthy', null, true, 'Authentication'),
  svc('indexd', 'quay.io/cdis/indexd', 80, '/_status', 'text-healthy', '/_version', true, 'S3-GS'),
  svc('sheepdog', 'quay.io/cdis/sheepdog', 80, '/_status?timeout=2', 'text-healthy', '/_version', true, 'Core-Service'),
  svc('peregrine', 'quay.io/cdis/peregrine', 80, '/_status?timeout=2', 'text-healthy', '/_version', true, 'Core-Service'),
  svc('metadata', 'quay.io/cdis/metadata-service', 80, '/_status', 'json-status-ok', '/version', true, 'Discovery-Tab'),
  svc('audit', 'quay.io/cdis/audit-service', 80, '/_status', 'json-status-ok', '/_version', true, 'Logging', false),
  svc('manifestservice', 'quay.io/cdis/manifestservice', 80, '/_status', 'text-healthy', null, true, 'Workspace-tab'),
  svc('wts', 'quay.io/cdis/workspace-token-service', 80, '/_status', 'text-healthy', '/_version', true, 'Authentication', true, 'wts-deployment', 'workspace-token-service'),
  svc('hatchery', 'quay.io/cdis/hatchery', 80, '/_status', 'text-healthy', '/_version', true, 'Workspace-Tab'),
  svc('ambassador', 'quay.io/datawire/ambassador', 8877, '/ambassador/v0/check_ready', 'http-200', null, true, 'Workspace-Tab', true, 'ambassador-deployment', 'ambassador-admin'),
  svc('guppy', 'quay.io/cdis/guppy', 80, '/_status', 'guppy', '/_version', false, 'Explorer-Tab'),
  svc('requestor', 'quay.io/cdis/requestor', 80, '/_status', 'json-status-ok', '/_version', false, 'Authentication', false),
  svc('sower', 'quay.io/cdis/sower', 80, '/_status', 'text-healthy', '/_version', false, 'Core-Service', false, 'sower'),
  svc('ssjdispatcher', 'quay.io/cdis/ssjdispatcher', 80, '/_status', 'text-healthy', null, false, 'Workspace-Tab', true, 'ssjdispatcher'),
  svc('frontend-framework', 'quay.io/cdis/frontend-framework', 80, '/ff', 'http-200', null, false, 'Front-End', true, 'frontend-framework-deployment', 'frontend-framework-service'),
  svc('aws-es-proxy', 'quay.io/cdis/aws-es-proxy', 9200, '/_cluster/health', 'es-cluster-health', null, false, 'Explorer-Tab', false, 'aws-es-proxy-deployment', 'elasticsearch'),
  // Deployment aws-sigv4-proxy-deployment (container esproxy, image tag "" → the chart's appVersion), pods `app: aws-sigv4-proxy`.
  svc('aws-sigv4-proxy', 'quay.io/cdis/aws-sigv4-proxy', 9200, '/_cluster/health', 'es-cluster-health', null, false, 'Explorer-Tab', false, 'aws-sigv4-proxy-deployment', 'elasticsearch'),
];

export const DEFAULT_ENABLED = GEN3_SERVICES.filter((s) => s.defaultEnabled).map((s) => s.name);

export function gen3Service(name: string): Gen3Service | undefined {
  return GEN3_SERVICES.find((s) => s.name === name);
}

/** Third-party images keep their own version, whatever the Gen3 release (aws-sigv4-proxy: the chart's appVersion, helm/aws-sigv4-proxy/Chart.yaml 42cc46bc). */
export const PINNED_TAGS: Record<string, string> = { ambassador: '1.4.2', 'aws-es-proxy': 'v1.3.1', 'aws-sigv4-proxy': 'master' };

export function imageFor(service: Gen3Service, release: string): string {
  return `${service.image}:${PINNED_TAGS[service.name] ?? release}`;
}

export function tagOf(image: string): string {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? image.slice(at + 1) : 'latest';
}

/** Gen3 release names (cdis-manifest release notes). */
export const RELEASE_NAMES: Record<string, string> = {
  '2025.06': 'Covellite',
  '2025.09': 'Danburite',
  '2026.01': 'Eosphorite',
  '2026.06': 'Gadolinite',
  '2026.07': 'Hambergite',
};
