// A Gen3 commons as the gen3-helm umbrella chart renders it (gen3-facts.md
// §2.2, §2.3, §6.1, §6.4): `<chart>-deployment` Deployments with the chart's
// labels, `quay.io/cdis/<image>:<release>` images, realistic replica counts,
// Services, DB-credential Secrets, the `manifest-global` ConfigMap, the
// CronJobs the chart renders with its default values (GEN3_CRONJOBS) and a
// fence HPA. Plain objects, created
// on the real control plane by test/support/control-plane/gen3-commons.ts; the
// test chart (test/support/gen3-chart.ts) renders the same Deployments and
// Services.
import { createHash } from 'node:crypto';

/** A Kubernetes object as the JSON a chart renders. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface Gen3ServiceSpec {
  /** Chart / service name (label `app`). */
  name: string;
  deployment: string;
  image: string;
  replicas: number;
  port: number;
  healthPath: string;
  partOf: string;
  critical: boolean;
  /** Kubernetes Service name. */
  serviceName: string;
  /** Has a `<name>-dbcreds` Secret. */
  db: boolean;
}

type Known = Omit<Gen3ServiceSpec, 'name' | 'deployment' | 'image' | 'serviceName'> & { image?: string; deployment?: string; serviceName?: string };

/** Chart defaults + production-like replica counts (§6.1). */
const KNOWN: Record<string, Known> = {
  ambassador: { replicas: 2, port: 8080, healthPath: '/ambassador/v0/check_ready', partOf: 'Workspace-Tab', critical: true, db: false, image: 'quay.io/datawire/ambassador:1.4.2' },
  arborist: { replicas: 2, port: 8080, healthPath: '/health', partOf: 'Authentication', critical: true, db: true },
  audit: { replicas: 2, port: 80, healthPath: '/_status', partOf: 'Logging', critical: false, db: true, image: 'audit-service' },
  fence: { replicas: 3, port: 80, healthPath: '/_status', partOf: 'Authentication', critical: true, db: true },
  'presigned-url-fence': { replicas: 3, port: 80, healthPath: '/_status', partOf: 'Authentication', critical: true, db: false, image: 'fence' },
  hatchery: { replicas: 2, port: 8000, healthPath: '/_status', partOf: 'Workspace-Tab', critical: true, db: false },
  indexd: { replicas: 4, port: 80, healthPath: '/_status', partOf: 'S3-GS', critical: true, db: true },
  manifestservice: { replicas: 2, port: 80, healthPath: '/_status', partOf: 'Workspace-tab', critical: true, db: false },
  metadata: { replicas: 2, port: 80, healthPath: '/_status', partOf: 'Discovery-Tab', critical: true, db: true, image: 'metadata-service' },
  peregrine: { replicas: 2, port: 80, healthPath: '/_status', partOf: 'Core-Service', critical: true, db: false },
  portal: { replicas: 2, port: 80, healthPath: '/', partOf: 'Front-End', critical: true, db: false, image: 'data-portal' },
  revproxy: { replicas: 2, port: 80, healthPath: '/_status', partOf: 'Front-End', critical: true, db: false, image: 'nginx' },
  sheepdog: { replicas: 2, port: 80, healthPath: '/_status', partOf: 'Core-Service', critical: true, db: true },
  wts: { replicas: 2, port: 80, healthPath: '/_status', partOf: 'Authentication', critical: true, db: true, image: 'workspace-token-service', serviceName: 'workspace-token-service' },
  // Off by default in the umbrella chart; pass them in `services` to include them.
  guppy: { replicas: 2, port: 8000, healthPath: '/_status', partOf: 'Explorer-Tab', critical: true, db: false },
  requestor: { replicas: 2, port: 80, healthPath: '/_status', partOf: 'Authentication', critical: false, db: true },
  ssjdispatcher: { replicas: 2, port: 8000, healthPath: '/_status', partOf: 'Workspace-Tab', critical: true, db: false, deployment: 'ssjdispatcher' },
  sower: { replicas: 2, port: 8000, healthPath: '/_status', partOf: 'Core-Service', critical: false, db: false, deployment: 'sower' },
  'aws-es-proxy': { replicas: 2, port: 9200, healthPath: '/', partOf: 'Explorer-Tab', critical: false, db: false },
  'frontend-framework': { replicas: 2, port: 3000, healthPath: '/', partOf: 'Front-End', critical: true, db: false },
};

/** Enabled by default in helm/gen3 (plus presigned-url-fence, rendered by the fence chart). */
export const DEFAULT_GEN3_SERVICES = [
  'ambassador',
  'arborist',
  'audit',
  'fence',
  'presigned-url-fence',
  'hatchery',
  'indexd',
  'manifestservice',
  'metadata',
  'peregrine',
  'portal',
  'revproxy',
  'sheepdog',
  'wts',
];

export interface Gen3CommonsOptions {
  namespace: string;
  hostname: string;
  environment: string;
  /** Gen3 release = image tag, e.g. '2026.07'. */
  release: string;
  /** Services to render (default: the umbrella chart's default-enabled set). */
  services?: string[];
  /** Per-service replica overrides. */
  replicas?: Record<string, number>;
  /** Helm release name (`app.kubernetes.io/instance`), default 'gen3'. */
  helmRelease?: string;
  /** The chart's `release` label (production|dev), default 'production'. */
  releaseLabel?: 'production' | 'dev';
}

export interface Gen3Commons {
  namespace: string;
  services: Gen3ServiceSpec[];
  deployments: string[];
  /** What the chart renders, in creation order; no status. */
  objects: KubeObject[];
  /** Status the real controllers would have written by now (CronJob last runs, HPA conditions), by `<kind>/<name>`. */
  status: Record<string, Record<string, unknown>>;
}

export function gen3ServiceSpec(name: string, release: string, replicas?: number): Gen3ServiceSpec {
  const k = KNOWN[name];
  if (!k) throw new Error(`unknown Gen3 service "${name}" (known: ${Object.keys(KNOWN).join(', ')})`);
  const image = k.image?.includes('/') ? k.image : `quay.io/cdis/${k.image ?? name}:${release}`;
  return {
    ...k,
    name,
    image,
    replicas: replicas ?? k.replicas,
    deployment: k.deployment ?? `${name}-deployment`,
    serviceName: k.serviceName ?? `${name}-service`,
  };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function renderDeployment(s: Gen3ServiceSpec, o: Required<Pick<Gen3CommonsOptions, 'namespace' | 'hostname' | 'helmRelease' | 'releaseLabel'>>): KubeObject {
  const selectorLabels = {
    'app.kubernetes.io/name': s.name,
    'app.kubernetes.io/instance': o.helmRelease,
    app: s.name,
    release: o.releaseLabel,
  };
  const podLabels: Record<string, string> = { ...selectorLabels, hostname: o.hostname };
  if (s.name === 'fence' || s.name === 'presigned-url-fence')
    Object.assign(podLabels, { authprovider: 'yes', netnolimit: 'yes', internet: 'yes', linklocal: 'yes', userhelper: 'yes' });
  const podAnnotations: Record<string, string> = { 'prometheus.io/path': '/metrics', 'prometheus.io/scrape': 'true' };
  if (s.name === 'fence' || s.name === 'presigned-url-fence') {
    podAnnotations['checksum/publicconfig'] = sha(`${o.hostname}/fence-public`);
    podAnnotations['checksum/secretconfig'] = sha(`${o.hostname}/fence-secret`);
  }
  if (s.name === 'revproxy') podAnnotations['checksum/config'] = sha(`${o.hostname}/revproxy`);
  const probePort = s.name === 'ambassador' ? 8877 : s.port;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: s.deployment,
      namespace: o.namespace,
      labels: {
        'app.kubernetes.io/name': s.name,
        'app.kubernetes.io/instance': o.helmRelease,
        'app.kubernetes.io/version': 'master',
        'app.kubernetes.io/part-of': s.partOf,
        'app.kubernetes.io/managed-by': 'Helm',
        app: s.name,
        'critical-service': String(s.critical),
        release: o.releaseLabel,
      },
      annotations: { 'meta.helm.sh/release-name': o.helmRelease, 'meta.helm.sh/release-namespace': o.namespace },
    },
    spec: {
      replicas: s.replicas,
      selector: { matchLabels: selectorLabels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: podLabels, annotations: podAnnotations },
        spec: {
          containers: [
            {
              name: s.name,
              image: s.image,
              imagePullPolicy: 'Always',
              ports: [{ name: 'http', containerPort: s.port, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: s.healthPath, port: probePort, scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: s.healthPath, port: probePort, scheme: 'HTTP' }, initialDelaySeconds: 30, periodSeconds: 60 },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } },
              // portal reads portal_app from manifest-global as env at start (gen3-helm 42cc46bc helm/portal/templates/deployment.yaml).
              ...(s.name === 'portal' ? { env: [{ name: 'APP', valueFrom: { configMapKeyRef: { name: 'manifest-global', key: 'portal_app' } } }] } : {}),
            },
          ],
        },
      },
    },
  };
}

export function helmMeta(name: string, o: { namespace: string; helmRelease: string }, labels: Record<string, string> = {}) {
  return {
    name,
    namespace: o.namespace,
    labels: { 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': o.helmRelease, ...labels },
    annotations: { 'meta.helm.sh/release-name': o.helmRelease, 'meta.helm.sh/release-namespace': o.namespace },
  };
}

/**
 * The CronJobs gen3-helm 42cc46bc renders with the umbrella chart's default
 * values (`helm template gen3 helm/gen3`): seven, from these templates.
 * Schedule, suspend, concurrency, history limits and backoffLimit as
 * rendered; containers cut to their first command line; images tagged with
 * the commons' release where the chart uses the service's image. Not
 * rendered by default, so not here: usersync (fence `usersync.usersync:
 * false`; the chart runs the one-shot Job `useryaml` instead),
 * fence-visa-update, metadata-aggregate-sync (`useAggMds: false`), the google-*
 * jobs and the rest.
 */
interface ChartCronJobSeed {
  name: string;
  /** The chart that renders it: the commons has it when it has that service (etl: on in the umbrella, no Deployment). */
  chart: string;
  template: string;
  schedule: string;
  suspend?: boolean;
  concurrencyPolicy?: 'Forbid';
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  backoffLimit?: number;
  labels?: Record<string, string>;
  containers: (release: string) => { name: string; image: string; command: string[] }[];
}

export const GEN3_CRONJOBS: readonly ChartCronJobSeed[] = [
  {
    name: 'arborist-rm-expired-access',
    chart: 'arborist',
    template: 'helm/arborist/templates/arborist-expired-access-cronjob.yaml',
    schedule: '*/5 * * * *',
    concurrencyPolicy: 'Forbid',
    successfulJobsHistoryLimit: 2,
    failedJobsHistoryLimit: 2,
    containers: (r) => [{ name: 'arborist', image: `quay.io/cdis/arborist:${r}`, command: ['sh', '-c', '/go/src/github.com/uc-cdis/arborist/jobs/delete'] }],
  },
  {
    name: 'es-garbage',
    chart: 'etl',
    template: 'helm/etl/templates/es-garbage-collect-cronjob.yaml',
    schedule: '0 0 * * *',
    concurrencyPolicy: 'Forbid',
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
    backoffLimit: 4,
    containers: () => [{ name: 'awshelper', image: 'quay.io/cdis/awshelper:master', command: ['/bin/bash', '-c', 'source "$GEN3_HOME/gen3/gen3setup.sh"; gen3 es garbage'] }],
  },
  {
    name: 'etl-cronjob',
    chart: 'etl',
    template: 'helm/etl/templates/etl-job.yaml',
    schedule: '*/30 * * * *',
    suspend: true,
    backoffLimit: 0,
    containers: () => [
      { name: 'gen3-spark', image: 'quay.io/cdis/gen3-spark:master', command: ['/bin/bash', '-c', 'python run_config.py && hdfs namenode -format'] },
      { name: 'tube', image: 'quay.io/cdis/tube:master', command: ['/bin/bash', '-c', 'python run_etl.py'] },
    ],
  },
  {
    name: 'fence-db-migrate-cronjob',
    chart: 'fence',
    template: 'helm/fence/templates/fence-db-migrate-job.yaml',
    // "Invalid schedule, feb 31st - we never want this to actually trigger itself."
    schedule: '0 0 31 2 *',
    suspend: true,
    backoffLimit: 0,
    containers: (r) => [{ name: 'fence', image: `quay.io/cdis/fence:${r}`, command: ['/bin/bash', '-c', 'fence-create migrate'] }],
  },
  {
    name: 'fence-delete-expired-clients',
    chart: 'fence',
    template: 'helm/fence/templates/fence-delete-expired-clients-cron.yaml',
    schedule: '*/5 * * * *',
    concurrencyPolicy: 'Forbid',
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
    backoffLimit: 4,
    containers: (r) => [{ name: 'fence', image: `quay.io/cdis/fence:${r}`, command: ['/bin/bash', '-c', 'fence-create client-delete-expired'] }],
  },
  {
    name: 'hatchery-reaper',
    chart: 'hatchery',
    template: 'helm/hatchery/templates/hatchery-reaper-cronjob.yaml',
    schedule: '*/15 * * * *',
    suspend: false,
    concurrencyPolicy: 'Forbid',
    labels: { app: 'hatchery-reaper' },
    containers: () => [{ name: 'awshelper', image: 'quay.io/cdis/awshelper:master', command: ['/bin/bash', '-c', 'limit=3600; kubectl get pods -n "$JUPYTER_NAMESPACE"'] }],
  },
  {
    name: 'migrate-to-single-table-indexd',
    chart: 'indexd',
    template: 'helm/indexd/templates/migrate-to-single-table.yaml',
    schedule: '0 0 31 2 *',
    backoffLimit: 0,
    containers: (r) => [{ name: 'indexd', image: `quay.io/cdis/indexd:${r}`, command: ['/bin/sh', '-c', 'python /indexd/bin/migrate_to_single_table.py --creds-file /indexd/bin/creds.json'] }],
  },
];

function cronJob(c: ChartCronJobSeed, release: string, o: { namespace: string; helmRelease: string }): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: helmMeta(c.name, o, c.labels),
    spec: {
      schedule: c.schedule,
      ...(c.suspend !== undefined ? { suspend: c.suspend } : {}),
      ...(c.concurrencyPolicy ? { concurrencyPolicy: c.concurrencyPolicy } : {}),
      ...(c.successfulJobsHistoryLimit !== undefined ? { successfulJobsHistoryLimit: c.successfulJobsHistoryLimit } : {}),
      ...(c.failedJobsHistoryLimit !== undefined ? { failedJobsHistoryLimit: c.failedJobsHistoryLimit } : {}),
      jobTemplate: {
        spec: {
          ...(c.backoffLimit !== undefined ? { backoffLimit: c.backoffLimit } : {}),
          template: {
            metadata: { labels: { app: 'gen3job' } },
            spec: { restartPolicy: 'Never', containers: c.containers(release) },
          },
        },
      },
    },
  };
}

/** RFC 3339 in seconds, as the apiserver writes times. */
const rfc3339 = (d: Date = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function manifestGlobal(o: Gen3CommonsOptions & { helmRelease: string }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: helmMeta('manifest-global', o),
    data: {
      environment: o.environment,
      hostname: o.hostname,
      revproxy_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      dictionary_url: 'https://s3.amazonaws.com/dictionary-artifacts/datadictionary/develop/schema.json',
      portal_app: 'gitops',
      public_datasets: 'false',
      tier_access_level: 'private',
      tier_access_limit: '1000',
      netpolicy: 'on',
      dispatcher_job_num: '10',
      frontend_root: 'portal',
      logout_inactive_users: 'false',
      workspace_timeout_in_minutes: '480',
      maintenance_mode: 'off',
    },
  } as KubeObject;
}

function service(s: Gen3ServiceSpec, o: { namespace: string; helmRelease: string; releaseLabel: string }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: helmMeta(s.serviceName, o, { app: s.name }),
    spec: {
      type: s.name === 'revproxy' ? 'NodePort' : 'ClusterIP',
      selector: { app: s.name, release: o.releaseLabel },
      // No clusterIP: as with gen3-helm's Services, the apiserver allocates one.
      ports: [{ name: 'http', port: 80, targetPort: s.port, protocol: 'TCP' }],
    },
  } as KubeObject;
}

function dbSecret(s: Gen3ServiceSpec, o: Gen3CommonsOptions & { helmRelease: string }): KubeObject {
  const b64 = (v: string) => Buffer.from(v).toString('base64');
  const db = `${s.name}_${o.helmRelease}`;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: helmMeta(`${s.name}-dbcreds`, o),
    type: 'Opaque',
    data: {
      database: b64(db),
      username: b64(db),
      password: b64(sha(`${o.hostname}/${s.name}`).slice(0, 24)),
      host: b64(`${o.environment}-aurora.cluster-abc123.us-east-1.rds.amazonaws.com`),
      port: b64('5432'),
      dbcreated: b64('true'),
    },
  } as KubeObject;
}

function fenceHpa(o: { namespace: string; helmRelease: string }): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: helmMeta('fence-hpa', o, { app: 'fence' }),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'fence-deployment' },
      minReplicas: 2,
      maxReplicas: 4,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 40 } } }],
    },
  } as KubeObject;
}

/** Every object of the commons, in the order helm would create them, and the status controllers would have written. */
export function gen3CommonsObjects(opts: Gen3CommonsOptions): Gen3Commons {
  const o = { ...opts, helmRelease: opts.helmRelease ?? 'gen3', releaseLabel: opts.releaseLabel ?? 'production' };
  const names = opts.services ?? DEFAULT_GEN3_SERVICES;
  const specs = names.map((n) => gen3ServiceSpec(n, opts.release, opts.replicas?.[n]));
  const objects: KubeObject[] = [manifestGlobal(o)];
  specs.forEach((s) => {
    objects.push(renderDeployment(s, o), service(s, o));
    if (s.db) objects.push(dbSecret(s, o));
  });
  const charts = new Set([...names.map((n) => (n === 'presigned-url-fence' ? 'fence' : n)), 'etl']);
  // Their runs come from the real CronJob controller (and tests), not from a made-up status.
  for (const c of GEN3_CRONJOBS.filter((x) => charts.has(x.chart))) objects.push(cronJob(c, opts.release, o));
  const status: Gen3Commons['status'] = {};
  const fence = specs.find((s) => s.name === 'fence');
  if (fence) {
    objects.push(fenceHpa(o));
    status['HorizontalPodAutoscaler/fence-hpa'] = {
      currentReplicas: fence.replicas,
      desiredReplicas: fence.replicas,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 23, averageValue: '23m' } } }],
      conditions: [
        { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size', lastTransitionTime: rfc3339() },
        { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)', lastTransitionTime: rfc3339() },
        { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range', lastTransitionTime: rfc3339() },
      ],
    };
  }
  return { namespace: o.namespace, services: specs, deployments: specs.map((s) => s.deployment), objects, status };
}
