// Writes a small gen3-helm-shaped umbrella chart for the helm tests: chart
// `gen3` with one subchart per service under charts/, each enabled by
// `<name>.enabled` and reading `image.repository`, `image.tag`,
// `replicaCount` and `autoscaling` like gen3-helm's charts do. The Deployments
// and Services it renders are the ones test/support/gen3-commons.ts renders
// (same names, labels, annotations and pod template), so a helm deploy over a
// seeded commons changes only what the values change. HPAs as gen3-helm
// renders them (uc-cdis/gen3-helm 42cc46bc): helm/<chart>/templates/hpa.yaml
// includes helm/common/templates/_hpa.tpl when
// `default .Values.global.autoscaling.enabled .Values.autoscaling.enabled`,
// taking minReplicas/maxReplicas and AverageValue CPU and memory targets from
// `autoscaling` with global.autoscaling's defaults (1, 10, 500m, 500Mi in every
// subchart's values.yaml); the fence chart also renders
// presigned-url-fence-hpa from fence's own `autoscaling`
// (helm/fence/templates/presigned-url-fence-hpa.yaml). audit has no HPA
// template in gen3-helm, and none here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gen3ServiceSpec, type Gen3ServiceSpec } from './gen3-commons';

/** Subcharts and the Deployments each renders (the fence chart also renders presigned-url-fence). */
const CHART_SERVICES: Record<string, string[]> = {
  ambassador: ['ambassador'],
  arborist: ['arborist'],
  audit: ['audit'],
  fence: ['fence', 'presigned-url-fence'],
  hatchery: ['hatchery'],
  indexd: ['indexd'],
  manifestservice: ['manifestservice'],
  metadata: ['metadata'],
  peregrine: ['peregrine'],
  portal: ['portal'],
  revproxy: ['revproxy'],
  sheepdog: ['sheepdog'],
  wts: ['wts'],
  guppy: ['guppy'],
};

const q = (s: string) => JSON.stringify(s);

function podExtras(s: Gen3ServiceSpec): { labels: string[]; annotations: string[] } {
  const labels: string[] = [];
  const annotations = ['prometheus.io/path: /metrics', 'prometheus.io/scrape: "true"'];
  if (s.name === 'fence' || s.name === 'presigned-url-fence') {
    labels.push('authprovider: "yes"', 'netnolimit: "yes"', 'internet: "yes"', 'linklocal: "yes"', 'userhelper: "yes"');
    annotations.push(
      'checksum/publicconfig: {{ printf "%s/fence-public" .Values.global.hostname | sha256sum }}',
      'checksum/secretconfig: {{ printf "%s/fence-secret" .Values.global.hostname | sha256sum }}',
    );
  }
  if (s.name === 'revproxy') annotations.push('checksum/config: {{ printf "%s/revproxy" .Values.global.hostname | sha256sum }}');
  return { labels, annotations };
}

function deploymentYaml(s: Gen3ServiceSpec): string {
  const probePort = s.name === 'ambassador' ? 8877 : s.port;
  const extra = podExtras(s);
  const sel = [`app.kubernetes.io/name: ${s.name}`, 'app.kubernetes.io/instance: {{ .Release.Name }}', `app: ${s.name}`, 'release: {{ .Values.release }}'];
  const ind = (n: number, lines: string[]) => lines.map((l) => `${' '.repeat(n)}${l}`).join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${s.deployment}
  labels:
    app.kubernetes.io/name: ${s.name}
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/version: master
    app.kubernetes.io/part-of: ${s.partOf}
    app.kubernetes.io/managed-by: {{ .Release.Service }}
    app: ${s.name}
    critical-service: ${q(String(s.critical))}
    release: {{ .Values.release }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
${ind(6, sel)}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  {{- if .Values.global.notInTheSchema }}
  # A field no Deployment has: the apiserver's OpenAPI schema refuses it.
  replicaCount: {{ .Values.replicaCount }}
  {{- end }}
  template:
    metadata:
      labels:
${ind(8, [...sel, 'hostname: {{ .Values.global.hostname }}', ...extra.labels])}
      annotations:
${ind(8, extra.annotations)}
    spec:
      containers:
        - name: ${s.name}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: Always
          ports:
            - name: http
              containerPort: ${s.port}
              protocol: TCP
          readinessProbe:
            httpGet: { path: ${q(s.healthPath)}, port: ${probePort}, scheme: HTTP }
            initialDelaySeconds: 5
            periodSeconds: 10
          livenessProbe:
            httpGet: { path: ${q(s.healthPath)}, port: ${probePort}, scheme: HTTP }
            initialDelaySeconds: 30
            periodSeconds: 60
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { memory: 1Gi }
${
  s.name === 'portal'
    ? `          env:
            - name: APP
              valueFrom:
                configMapKeyRef:
                  name: manifest-global
                  key: portal_app
`
    : ''
}`;
}

/**
 * manifest-global from global.*, as gen3-helm's helm/gen3/templates/global-manifest.yaml
 * renders it (42cc46bc; the keys the seeded commons has, and manifestGlobalExtraValues).
 */
const GLOBAL_MANIFEST = `apiVersion: v1
kind: ConfigMap
metadata:
  name: manifest-global
data:
  "environment": {{ .Values.global.environment | quote }}
  "hostname": {{ .Values.global.hostname | quote }}
  "revproxy_arn": {{ .Values.global.revproxyArn | quote }}
  "dictionary_url": {{ .Values.global.dictionaryUrl | quote }}
  "portal_app": {{ .Values.global.portalApp | quote }}
  "public_datasets": {{ .Values.global.publicDataSets | quote }}
  "tier_access_level": {{ .Values.global.tierAccessLevel | quote }}
  "tier_access_limit": {{ .Values.global.tierAccessLimit | quote }}
  "netpolicy": {{ .Values.global.netPolicy | quote }}
  "dispatcher_job_num": {{ .Values.global.dispatcherJobNum | quote }}
  "frontend_root": {{ .Values.global.frontendRoot | quote }}
  "logout_inactive_users": {{ .Values.global.logoutInactiveUsers | quote }}
  "workspace_timeout_in_minutes": {{ .Values.global.workspaceTimeoutInMinutes | quote }}
  "maintenance_mode": {{ .Values.global.maintenanceMode | quote }}
  {{- with .Values.global.manifestGlobalExtraValues }}
  {{- range $key, $value := . }}
  {{ $key }}: {{ $value | quote }}
  {{- end }}
  {{- end }}
`;

/** The umbrella's global defaults: what the seeded commons' manifest-global says (test/support/gen3-commons.ts). */
const GLOBAL_DEFAULTS = `  revproxyArn: arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000
  dictionaryUrl: https://s3.amazonaws.com/dictionary-artifacts/datadictionary/develop/schema.json
  portalApp: gitops
  publicDataSets: false
  tierAccessLevel: private
  tierAccessLimit: 1000
  netPolicy: "on"
  dispatcherJobNum: 10
  frontendRoot: portal
  logoutInactiveUsers: false
  workspaceTimeoutInMinutes: 480
  maintenanceMode: "off"
`;

function serviceYaml(s: Gen3ServiceSpec): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${s.serviceName}
  labels:
    app.kubernetes.io/managed-by: {{ .Release.Service }}
    app.kubernetes.io/instance: {{ .Release.Name }}
    app: ${s.name}
spec:
  type: ${s.name === 'revproxy' ? 'NodePort' : 'ClusterIP'}
  selector:
    app: ${s.name}
    release: {{ .Values.release }}
  ports:
    - name: http
      port: 80
      targetPort: ${s.port}
      protocol: TCP
`;
}

/** An HPA for Deployment `<service>-deployment` named `<service>-hpa`, from the chart's `autoscaling` (gen3-helm's _hpa.tpl). */
function hpaYaml(service: string): string {
  const v = (k: string) => `(default .Values.global.autoscaling.${k} .Values.autoscaling.${k})`;
  return `{{- if default .Values.global.autoscaling.enabled .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${service}-hpa
  labels:
    app.kubernetes.io/managed-by: {{ .Release.Service }}
    app.kubernetes.io/instance: {{ .Release.Name }}
    app: ${service}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${service}-deployment
  minReplicas: {{ ${v('minReplicas')} }}
  maxReplicas: {{ ${v('maxReplicas')} }}
  metrics:
    {{- if ${v('averageCPUValue')} }}
  - type: Resource
    resource:
      name: cpu
      target:
        type: AverageValue
        averageValue: {{ ${v('averageCPUValue')} }}
    {{- end }}
    {{- if ${v('averageMemoryValue')} }}
  - type: Resource
    resource:
      name: memory
      target:
        type: AverageValue
        averageValue: {{ ${v('averageMemoryValue')} }}
    {{- end }}
{{- end }}
`;
}

/** Charts without an HPA template in gen3-helm (42cc46bc: no helm/audit/templates/hpa.yaml). */
const NO_HPA = new Set(['audit']);

/** Writes the chart into `dir` (created) and returns its path; `defaultTag` is the subcharts' default image tag. */
export function writeGen3Chart(dir: string, defaultTag = '2026.07'): string {
  const root = join(dir, 'gen3');
  const deps = Object.keys(CHART_SERVICES)
    .map((c) => `  - name: ${c}\n    version: 0.1.0\n    condition: ${c}.enabled`)
    .join('\n');
  mkdirSync(join(root, 'charts'), { recursive: true });
  writeFileSync(join(root, 'Chart.yaml'), `apiVersion: v2\nname: gen3\ndescription: Test umbrella chart shaped like gen3-helm's helm/gen3\ntype: application\nversion: 0.3.90\ndependencies:\n${deps}\n`);
  writeFileSync(join(root, 'values.yaml'), `global:\n  hostname: localhost\n  environment: default\n${GLOBAL_DEFAULTS}${Object.keys(CHART_SERVICES).map((c) => `${c}:\n  enabled: ${c !== 'guppy'}`).join('\n')}\n`);
  // Off unless a test turns it on: a cluster-scoped object, which the agent's namespaced Role cannot apply.
  mkdirSync(join(root, 'templates'), { recursive: true });
  writeFileSync(join(root, 'templates', 'global-manifest.yaml'), GLOBAL_MANIFEST);
  writeFileSync(
    join(root, 'templates', 'clusterrole.yaml'),
    `{{- if .Values.global.clusterRole }}\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {{ .Release.Name }}-reader\nrules:\n  - apiGroups: [""]\n    resources: [pods]\n    verbs: [get, list]\n{{- end }}\n`,
  );
  for (const [chart, services] of Object.entries(CHART_SERVICES)) {
    const specs = services.map((s) => gen3ServiceSpec(s, defaultTag));
    const sub = join(root, 'charts', chart);
    mkdirSync(join(sub, 'templates'), { recursive: true });
    writeFileSync(join(sub, 'Chart.yaml'), `apiVersion: v2\nname: ${chart}\ntype: application\nversion: 0.1.0\n`);
    const image = specs[0].image;
    const at = image.lastIndexOf(':');
    writeFileSync(
      join(sub, 'values.yaml'),
      `global:\n  hostname: localhost\n  autoscaling:\n    enabled: false\n    minReplicas: 1\n    maxReplicas: 10\n    averageCPUValue: 500m\n    averageMemoryValue: 500Mi\nrelease: production\nreplicaCount: ${specs[0].replicas}\nimage:\n  repository: ${image.slice(0, at)}\n  tag: ${q(image.slice(at + 1))}\nautoscaling: {}\n`,
    );
    writeFileSync(join(sub, 'templates', 'deployment.yaml'), specs.map(deploymentYaml).join('---\n'));
    writeFileSync(join(sub, 'templates', 'service.yaml'), specs.map(serviceYaml).join('---\n'));
    if (!NO_HPA.has(chart)) {
      writeFileSync(join(sub, 'templates', 'hpa.yaml'), hpaYaml(chart));
      for (const rider of services.filter((x) => x !== chart)) writeFileSync(join(sub, 'templates', `${rider}-hpa.yaml`), hpaYaml(rider));
    }
  }
  return root;
}
