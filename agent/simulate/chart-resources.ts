// Each Gen3 service's container requests and limits as gen3-helm sets them:
// uc-cdis/gen3-helm 42cc46bc, helm/<chart>/values.yaml `resources:`, which
// helm/<chart>/templates/deployment.yaml (fence: fence-deployment.yaml and
// presigned-url-fence.yaml) puts on the service's one container. No chart
// sets a CPU request or limit, and portal sets no memory limit: 0 here, as
// the agent reports a request or limit a container does not have.
const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

export interface ChartResources {
  cpuRequestCores: number;
  cpuLimitCores: number;
  memoryRequestBytes: number;
  memoryLimitBytes: number;
}

const mem = (request: number, limit: number): ChartResources => ({ cpuRequestCores: 0, cpuLimitCores: 0, memoryRequestBytes: request, memoryLimitBytes: limit });

export const CHART_RESOURCES: Readonly<Record<string, ChartResources>> = {
  revproxy: mem(12 * Mi, 512 * Mi),
  portal: mem(4096 * Mi, 0),
  fence: mem(128 * Mi, 2 * Gi),
  // Rendered by the fence chart with fence's .Values.resources.
  'presigned-url-fence': mem(128 * Mi, 2 * Gi),
  arborist: mem(12 * Mi, 512 * Mi),
  indexd: mem(12 * Mi, 512 * Mi),
  sheepdog: mem(12 * Mi, 512 * Mi),
  peregrine: mem(12 * Mi, 512 * Mi),
  metadata: mem(12 * Mi, 512 * Mi),
  audit: mem(120 * Mi, 512 * Mi),
  manifestservice: mem(12 * Mi, 512 * Mi),
  wts: mem(120 * Mi, 512 * Mi),
  hatchery: mem(12 * Mi, 512 * Mi),
  ambassador: mem(100 * Mi, 400 * Mi),
  guppy: mem(500 * Mi, 2 * Gi),
  requestor: mem(12 * Mi, 512 * Mi),
  sower: mem(20 * Mi, 400 * Mi),
  ssjdispatcher: mem(128 * Mi, 2400 * Mi),
  'frontend-framework': mem(512 * Mi, 4096 * Mi),
  'aws-es-proxy': mem(250 * Mi, 2 * Gi),
  'aws-sigv4-proxy': mem(250 * Mi, 2 * Gi),
};

export function chartResources(service: string): ChartResources {
  return CHART_RESOURCES[service] ?? mem(0, 0);
}
