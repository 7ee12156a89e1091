// Writes a small gen3-helm-shaped umbrella chart for the helm tests: chart
// `gen3` with one subchart per service under charts/, each enabled by
// `<name>.enabled` and reading `image.repository`, `image.tag`,
// `replicaCount` and `autoscaling` like gen3-helm's charts do. The Deployments,
// Services and HPA it renders are the ones test/support/gen3-commons.ts renders (same
// names, labels, annotations and pod template), so a helm deploy over a seeded
// commons changes only what the values change.
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
`;
}

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

function hpaYaml(chart: string): string {
  return `{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${chart}-hpa
  labels:
    app.kubernetes.io/managed-by: {{ .Release.Service }}
    app.kubernetes.io/instance: {{ .Release.Name }}
    app: ${chart}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${chart}-deployment
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
`;
}

/** Writes the chart into `dir` (created) and returns its path; `defaultTag` is the subcharts' default image tag. */
export function writeGen3Chart(dir: string, defaultTag = '2026.07'): string {
  const root = join(dir, 'gen3');
  const deps = Object.keys(CHART_SERVICES)
    .map((c) => `  - name: ${c}\n    version: 0.1.0\n    condition: ${c}.enabled`)
    .join('\n');
  mkdirSync(join(root, 'charts'), { recursive: true });
  writeFileSync(join(root, 'Chart.yaml'), `apiVersion: v2\nname: gen3\ndescription: Test umbrella chart shaped like gen3-helm's helm/gen3\ntype: application\nversion: 0.3.90\ndependencies:\n${deps}\n`);
  writeFileSync(join(root, 'values.yaml'), `global:\n  hostname: localhost\n  environment: default\n${Object.keys(CHART_SERVICES).map((c) => `${c}:\n  enabled: ${c !== 'guppy'}`).join('\n')}\n`);
  // Off unless a test turns it on: a cluster-scoped object, which the agent's namespaced Role cannot apply.
  mkdirSync(join(root, 'templates'), { recursive: true });
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
      `global:\n  hostname: localhost\nrelease: production\nreplicaCount: ${specs[0].replicas}\nimage:\n  repository: ${image.slice(0, at)}\n  tag: ${q(image.slice(at + 1))}\nautoscaling:\n  enabled: false\n  minReplicas: 1\n  maxReplicas: 4\n  targetCPUUtilizationPercentage: 40\n`,
    );
    writeFileSync(join(sub, 'templates', 'deployment.yaml'), specs.map(deploymentYaml).join('---\n'));
    writeFileSync(join(sub, 'templates', 'service.yaml'), specs.map(serviceYaml).join('---\n'));
    writeFileSync(join(sub, 'templates', 'hpa.yaml'), hpaYaml(chart));
  }
  return root;
}
