// The Helm charts deploy/helm/dcoc (control service) and deploy/helm/dcoc-agent
// (agent) with the real helm v4 and on the real control plane: both lint
// strictly in every mode; what cannot work fails at render time saying what
// to do; the agent chart's Role is agent/deploy/rbac.yaml's (and with
// helmDeploy rbac-helm.yaml's too), one source of truth; every rendered
// object is accepted by a real kube-apiserver (server-side apply; SQLite mode
// through `helm upgrade --install`, whose generated Secrets survive an
// upgrade) and every pod of each release turns Ready on kwok's Nodes; and
// the API server's own authorizer (SubjectAccessReview) grants the agent's
// ServiceAccount exactly the Role's rules in a gen3-helm-shaped commons, and
// nothing elsewhere.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, KubernetesObjectApi, type KubernetesObject, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { CertificateAuthority } from '../../backend/pki/ca';
import { findHelm } from '../../scripts/tools/helm-binary';
import { type ControlPlane, useControlPlane } from '../support/control-plane';
import { skipOrFail } from '../support/control-plane/binaries';
import { gen3CommonsObjects } from '../support/gen3-commons';
import { type Rule, granted, roleRules } from '../support/rbac';

const CONTROL_CHART = 'deploy/helm/dcoc';
const AGENT_CHART = 'deploy/helm/dcoc-agent';
const HELM = await findHelm();
const controlPlane = useControlPlane();
const work = mkdtempSync(join(tmpdir(), 'dcoc-charts-'));
after(() => rmSync(work, { recursive: true, force: true }));
// helm keeps a cache and config under HOME: never the developer's.
const helmEnv = { ...process.env, HELM_CACHE_HOME: join(work, 'cache'), HELM_CONFIG_HOME: join(work, 'config'), HELM_DATA_HOME: join(work, 'data'), KUBECONFIG: '' };

// A real CA as the control service makes it (ECDSA P-256, PKCS#8): the CA Secret of the PostgreSQL mode and the agent's ca.pem.
const caDir = join(work, 'ca');
await CertificateAuthority.loadOrCreate(caDir);
const CA = { cert: readFileSync(join(caDir, 'ca.crt.pem'), 'utf8'), key: readFileSync(join(caDir, 'ca.key.pem'), 'utf8') };

type Values = Record<string, unknown>;
interface KubeObject extends KubernetesObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  rules?: Rule[];
}

/** The control service on SQLite: one replica in a StatefulSet with a volume. The chart's defaults. */
const SQLITE: Values = {};
/** Two replicas on PostgreSQL (URL and CA from existing Secrets), the agents' Service a LoadBalancer, network policy on. */
const POSTGRES: Values = {
  replicaCount: 2,
  database: { existingSecret: 'dcoc-database' },
  ca: { existingSecret: 'dcoc-ca' },
  tlsHostnames: ['dcoc.example.org'],
  service: { agents: { type: 'LoadBalancer', loadBalancerSourceRanges: ['203.0.113.0/24'] } },
  env: { DCOC_LOG_LEVEL: 'debug', DCOC_GITOPS_REPO: 'https://github.com/example/gen3-gitops.git' },
  networkPolicy: {
    enabled: true,
    httpFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'grafana' } } }],
    agentsFrom: [{ ipBlock: { cidr: '203.0.113.0/24' } }],
    egress: { postgres: { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }, git: { enabled: true } },
  },
};
/** Two replicas on PostgreSQL (URL in the values), the CA from cert-manager, the agents' Service a NodePort. */
const CERT_MANAGER: Values = {
  replicaCount: 2,
  database: { url: 'postgres://dcoc:secret@postgres.dcoc-db.svc:5432/dcoc' },
  ca: { certManager: { issuerRef: { name: 'dcoc-selfsigned', kind: 'Issuer' } } },
  service: { agents: { type: 'NodePort', gatewayNodePort: 30471, enrollNodePort: 30472 } },
  metrics: { serviceMonitor: { enabled: true } },
};
const AGENT: Values = {
  control: { gateway: 'dcoc-agents.dcoc.svc:8471', enroll: 'dcoc-agents.dcoc.svc:8472' },
  enrollment: { token: 'dcoc_enroll_0123456789abcdef' },
  ca: { pem: CA.cert },
};
const AGENT_HELM: Values = { ...AGENT, helmDeploy: true, helm: { chart: 'gen3', args: ['--repo=https://helm.gen3.org'] } };

/** helm with these arguments; the values, if any, from a file. */
function helm(t: TestContext, args: string[], values?: Values): { status: number; stdout: string; stderr: string } | undefined {
  if (!('path' in HELM)) {
    skipOrFail(t, HELM.missing);
    return undefined;
  }
  const extra: string[] = [];
  if (values) {
    const file = join(work, `values-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, stringify(values));
    extra.push('-f', file);
  }
  const r = spawnSync(HELM.path, [...args, ...extra], { encoding: 'utf8', env: helmEnv, timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The objects `helm template` renders, or undefined after a skip. */
function render(t: TestContext, chart: string, release: string, namespace: string, values: Values): KubeObject[] | undefined {
  const r = helm(t, ['template', release, chart, '--namespace', namespace], values);
  if (!r) return undefined;
  assert.equal(r.status, 0, r.stderr);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o);
}

/** Server-side apply as admin, in order (the ServiceAccount before the pods that name it). */
async function applyAll(cp: ControlPlane, objects: KubeObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(cp.kubeConfig);
  for (const o of objects) await client.patch(o, undefined, undefined, 'dcoc-charts-test', true, PatchStrategy.ServerSideApply);
}

/** Every pod of the release Ready, as many as wanted, and the workload reporting them ready. */
async function waitReleaseReady(cp: ControlPlane, namespace: string, release: string, workload: { kind: 'Deployment' | 'StatefulSet'; name: string; replicas: number }): Promise<void> {
  const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  await cp.waitFor(`${workload.kind} ${namespace}/${workload.name}: ${workload.replicas} pod(s) Ready`, async () => {
    const w = workload.kind === 'Deployment' ? await apps.readNamespacedDeployment({ name: workload.name, namespace }) : await apps.readNamespacedStatefulSet({ name: workload.name, namespace });
    const s = w.status ?? {};
    if ((s.observedGeneration ?? 0) < (w.metadata?.generation ?? 1) || s.readyReplicas !== workload.replicas || s.availableReplicas !== workload.replicas) return false;
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/instance=${release}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
    return pods.length === workload.replicas && pods.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  });
}

/**
 * Plays the volume provisioner, which this control plane does not run (no
 * persistentvolume-binder controller, no StorageClass): a PersistentVolume
 * bound to the claim the StatefulSet controller made from the chart's
 * volumeClaimTemplates, and the claim bound to it, as the PV controller
 * would. The scheduler places the pod only then.
 */
async function provisionClaim(cp: ControlPlane, namespace: string, claim: string): Promise<void> {
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  let pvc: Awaited<ReturnType<CoreV1Api['readNamespacedPersistentVolumeClaim']>> | undefined;
  await cp.waitFor(`PersistentVolumeClaim ${namespace}/${claim} (StatefulSet controller)`, async () => {
    pvc = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items.find((c) => c.metadata?.name === claim);
    return pvc;
  });
  const size = pvc!.spec!.resources!.requests!.storage;
  const pv = `${namespace}-${claim}`;
  await core.createPersistentVolume({
    body: {
      metadata: { name: pv },
      spec: {
        capacity: { storage: size },
        accessModes: pvc!.spec!.accessModes,
        persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: `/var/lib/dcoc-test/${pv}` },
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace, name: claim, uid: pvc!.metadata!.uid },
      },
    },
  });
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  await core.patchPersistentVolumeStatus({ name: pv, body: { status: { phase: 'Bound' } } }, merge);
  await core.patchNamespacedPersistentVolumeClaim(
    { name: claim, namespace, body: { metadata: { annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' } }, spec: { volumeName: pv } } },
    merge,
  );
  await core.patchNamespacedPersistentVolumeClaimStatus({ name: claim, namespace, body: { status: { phase: 'Bound', capacity: { storage: size }, accessModes: pvc!.spec!.accessModes } } }, merge);
}

const byKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: KubeObject[], kind: string, name?: string) => {
  const found = objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
  assert.equal(found.length, 1, `one ${kind}${name ? ` ${name}` : ''}, got ${found.map((o) => o.metadata.name).join(', ') || 'none'}`);
  return found[0];
};
type PodTemplate = { metadata: { labels: Record<string, string> }; spec: { containers: { args?: string[]; env?: { name: string; value?: string }[] }[] } };
const podTemplate = (o: KubeObject) => (o.spec as { template: PodTemplate }).template;

describe('the Helm charts with the real helm', () => {
  it('lint strictly with the values of every mode', (t) => {
    const cases: [string, string, Values][] = [
      ['SQLite', CONTROL_CHART, SQLITE],
      ['PostgreSQL, 2 replicas, CA from a Secret', CONTROL_CHART, POSTGRES],
      ['PostgreSQL, CA from cert-manager', CONTROL_CHART, CERT_MANAGER],
      ['agent', AGENT_CHART, AGENT],
      ['agent deploying with helm', AGENT_CHART, AGENT_HELM],
    ];
    for (const [what, chart, values] of cases) {
      const r = helm(t, ['lint', '--strict', chart], values);
      if (!r) return;
      assert.equal(r.status, 0, `${what}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('refuse at render time what cannot work, saying what to set', (t) => {
    const refused = (chart: string, values: Values, message: RegExp) => {
      const r = helm(t, ['template', 'dcoc', chart], values);
      if (!r) return false;
      assert.notEqual(r.status, 0, `rendered ${JSON.stringify(values)}`);
      assert.match(r.stderr, message);
      return true;
    };
    if (!refused(CONTROL_CHART, { replicaCount: 2 }, /replicaCount > 1 needs PostgreSQL.*Set database\.url \(or database\.existingSecret\)/)) return;
    refused(CONTROL_CHART, { replicaCount: 2, database: { url: 'postgres://u:p@db:5432/dcoc' } }, /every replica must sign agent certificates with one CA: set ca\.existingSecret .* or ca\.certManager\.issuerRef/);
    refused(CONTROL_CHART, { database: { url: 'mysql://db/dcoc' } }, /database\/url/);
    // values.schema.json: a misspelt key is an error, not ignored.
    refused(CONTROL_CHART, { replicas: 2 }, /additional properties 'replicas' not allowed/);
    refused(AGENT_CHART, { ...AGENT, control: {} }, /control\.gateway must be the control service's agent gateway as host:port/);
    refused(AGENT_CHART, { ...AGENT, ca: {} }, /ca\.pem is required/);
  });

  it("the agent chart's Roles are agent/deploy/rbac.yaml's and, with helmDeploy, rbac-helm.yaml's", (t) => {
    const plain = render(t, AGENT_CHART, 'dcoc-agent', 'gen3', AGENT);
    const withHelm = render(t, AGENT_CHART, 'dcoc-agent', 'gen3', AGENT_HELM);
    if (!plain || !withHelm) return;
    assert.deepEqual(byKind(plain, 'Role').map((r) => r.metadata.name), ['dcoc-agent']);
    assert.deepEqual(one(plain, 'Role').rules, roleRules('agent/deploy/rbac.yaml'));
    assert.deepEqual(one(withHelm, 'Role', 'dcoc-agent').rules, roleRules('agent/deploy/rbac.yaml'));
    assert.deepEqual(one(withHelm, 'Role', 'dcoc-agent-helm').rules, roleRules('agent/deploy/rbac-helm.yaml'));
    // Each Role bound to the agent's ServiceAccount, the one the pod runs as.
    const dep = one(plain, 'Deployment');
    const sa = one(plain, 'ServiceAccount').metadata.name;
    assert.equal((podTemplate(dep).spec as { serviceAccountName?: string }).serviceAccountName, sa);
    for (const b of byKind(withHelm, 'RoleBinding')) assert.deepEqual((b as unknown as { subjects: unknown }).subjects, [{ kind: 'ServiceAccount', name: sa, namespace: 'gen3' }]);
    // The one Secret the Role names is the one the agent is told to keep its identity in.
    const names = one(plain, 'Role').rules!.flatMap((r) => (r as Rule & { resourceNames?: string[] }).resourceNames ?? []);
    assert.deepEqual(names, ['dcoc-agent-identity']);
    assert.ok(podTemplate(dep).spec.containers[0].args!.includes('--identity-secret=dcoc-agent-identity'));
  });
});

describe('the Helm charts on the real control plane', { concurrency: true, timeout: 400_000 }, () => {
  it('SQLite: helm installs a StatefulSet whose claim, once bound, runs one Ready pod; the generated tokens survive an upgrade', async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const ns = 'dcoc-sqlite';
    await cp.createNamespace(ns);
    const install = () => helm(t, ['upgrade', '--install', 'dcoc', CONTROL_CHART, '--namespace', ns, '--kubeconfig', cp.kubeconfigFile], SQLITE)!;
    const first = install();
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /get secret dcoc-secrets/, 'NOTES say how to get the admin token');
    await provisionClaim(cp, ns, 'data-dcoc-0');
    await waitReleaseReady(cp, ns, 'dcoc', { kind: 'StatefulSet', name: 'dcoc', replicas: 1 });

    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    const secret = async () => (await core.readNamespacedSecret({ name: 'dcoc-secrets', namespace: ns })).data!;
    const before = await secret();
    assert.equal(Buffer.from(before['admin-token'], 'base64').length, 48);
    assert.notEqual(before['admin-token'], before['plugin-secret']);
    const second = install();
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual(await secret(), before, 'helm upgrade kept the generated admin token and plugin secret (lookup)');

    const sts = (await cp.kubeConfig.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ name: 'dcoc', namespace: ns }));
    const pod = sts.spec!.template.spec!;
    const env = Object.fromEntries(pod.containers[0].env!.map((e) => [e.name, e.value ?? e.valueFrom]));
    assert.equal(env.DCOC_DATA_DIR, '/var/lib/dcoc/control');
    assert.equal(env.DCOC_DATABASE_URL, undefined);
    assert.equal(env.DCOC_CA_CERT_FILE, undefined, 'no CA given: the service creates it in the volume');
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.securityContext?.runAsUser, 65532);
    assert.deepEqual(pod.containers[0].securityContext?.capabilities?.drop, ['ALL']);
    assert.equal(sts.spec!.volumeClaimTemplates![0].metadata!.name, 'data');
    const claim = await core.readNamespacedPersistentVolumeClaim({ name: 'data-dcoc-0', namespace: ns });
    assert.equal(claim.spec?.resources?.requests?.storage, '2Gi');
  });

  it('PostgreSQL with a CA Secret: two Ready replicas behind a PodDisruptionBudget and a NetworkPolicy', async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const ns = 'dcoc-pg';
    const objects = render(t, CONTROL_CHART, 'dcoc', ns, POSTGRES);
    if (!objects) return;
    assert.deepEqual(byKind(objects, 'StatefulSet'), []);
    assert.equal(one(objects, 'PodDisruptionBudget').metadata.name, 'dcoc');
    const env = Object.fromEntries(podTemplate(one(objects, 'Deployment')).spec.containers[0].env!.map((e) => [e.name, e.value]));
    assert.equal(env.DCOC_CA_CERT_FILE, '/etc/dcoc/ca/tls.crt');
    assert.equal(env.DCOC_CA_KEY_FILE, '/etc/dcoc/ca/tls.key');
    assert.equal(env.DCOC_LOG_LEVEL, 'debug');
    assert.match(env.DCOC_TLS_HOSTNAMES ?? '', /^dcoc\.example\.org,dcoc-agents,dcoc-agents\.dcoc-pg,/);
    await cp.createNamespace(ns);
    // What the operator creates first: the database URL and the CA (the control service's own kind: ECDSA P-256, PKCS#8).
    await applyAll(cp, [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'dcoc-database', namespace: ns }, stringData: { url: 'postgres://dcoc:secret@postgres:5432/dcoc' } } as KubeObject,
      { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'dcoc-ca', namespace: ns }, stringData: { 'tls.crt': CA.cert, 'tls.key': CA.key } } as KubeObject,
    ]);
    await applyAll(cp, objects);
    await waitReleaseReady(cp, ns, 'dcoc', { kind: 'Deployment', name: 'dcoc', replicas: 2 });
    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    const agents = await core.readNamespacedService({ name: 'dcoc-agents', namespace: ns });
    assert.equal(agents.spec?.type, 'LoadBalancer');
    assert.deepEqual(agents.spec?.ports?.map((p) => [p.name, p.port]), [['gateway', 8471], ['enroll', 8472]]);
  });

  it('PostgreSQL with the CA from cert-manager: every object but the Certificate and the ServiceMonitor (their CRDs are not installed here) applies, two pods Ready', async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const ns = 'dcoc-cm';
    const objects = render(t, CONTROL_CHART, 'dcoc', ns, CERT_MANAGER);
    if (!objects) return;
    const cert = one(objects, 'Certificate');
    assert.deepEqual(cert.spec, {
      isCA: true,
      commonName: 'DCOC control service CA',
      secretName: 'dcoc-ca',
      duration: '87600h',
      renewBefore: '720h',
      // What backend/pki/ca.ts signs with and WebCrypto imports.
      privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Never' },
      usages: ['cert sign', 'crl sign', 'digital signature'],
      issuerRef: { name: 'dcoc-selfsigned', kind: 'Issuer', group: 'cert-manager.io' },
    });
    const dep = one(objects, 'Deployment');
    const volumes = (podTemplate(dep).spec as unknown as { volumes: { name: string; secret?: { secretName: string } }[] }).volumes;
    assert.equal(volumes.find((v) => v.name === 'ca')?.secret?.secretName, 'dcoc-ca', "the pods mount the Certificate's Secret");
    // Neither cert-manager's nor the Prometheus operator's CRDs are installed on this control plane: those two objects are not applied.
    const crdKinds = ['Certificate', 'ServiceMonitor'];
    assert.deepEqual(objects.filter((o) => crdKinds.includes(o.kind)).map((o) => o.kind).sort(), crdKinds);
    await cp.createNamespace(ns);
    await applyAll(cp, objects.filter((o) => !crdKinds.includes(o.kind)));
    await waitReleaseReady(cp, ns, 'dcoc', { kind: 'Deployment', name: 'dcoc', replicas: 2 });
    const agents = await cp.kubeConfig.makeApiClient(CoreV1Api).readNamespacedService({ name: 'dcoc-agents', namespace: ns });
    assert.deepEqual(agents.spec?.ports?.map((p) => p.nodePort), [30471, 30472]);
  });

  it("the agent in a gen3-helm commons: Ready, labelled for gen3-helm's network policies, and its ServiceAccount may do exactly what its Roles say", async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const authz = cp.kubeConfig.makeApiClient(AuthorizationV1Api);
    // Two commons: one whose agent deploys by image patches, one whose agent deploys with helm.
    for (const [ns, values, files] of [
      ['gen3', AGENT, ['agent/deploy/rbac.yaml']],
      ['gen3-helm', AGENT_HELM, ['agent/deploy/rbac.yaml', 'agent/deploy/rbac-helm.yaml']],
    ] as const) {
      const objects = render(t, AGENT_CHART, 'dcoc-agent', ns, values);
      if (!objects) return;
      const labels = podTemplate(one(objects, 'Deployment')).metadata.labels;
      assert.equal(labels.app, 'gen3job', 'gen3-helm 42cc46bc gen3job-netpolicy admits the agent');
      assert.equal(((one(objects, 'Deployment').spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels).app, undefined, 'nothing selects on app');
      // The commons as the gen3-helm umbrella renders it (fence with its database Secret, indexd), then the agent.
      await cp.createNamespace(ns);
      const commons = gen3CommonsObjects({ namespace: ns, hostname: `${ns}.example.org`, environment: 'test', release: '2026.07', services: ['fence', 'indexd'], replicas: { fence: 1, indexd: 1 } });
      await applyAll(cp, commons.objects.filter((o) => o.kind !== 'CronJob' && o.kind !== 'HorizontalPodAutoscaler') as KubeObject[]);
      await applyAll(cp, objects);
      await waitReleaseReady(cp, ns, 'dcoc-agent', { kind: 'Deployment', name: 'dcoc-agent', replicas: 1 });
      const commonsSecrets = commons.objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name);
      assert.ok(commonsSecrets.length > 0, 'the commons has Secrets of its own');

      // The apiserver's authorizer on every verb of every resource either Role names, and more.
      const user = `system:serviceaccount:${ns}:dcoc-agent`;
      const may = async (namespace: string, group: string, resource: string, verb: string, name?: string) => {
        const [res, subresource] = resource.split('/');
        const r = await authz.createSubjectAccessReview({
          body: { spec: { user, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'], resourceAttributes: { namespace, group, resource: res, subresource, verb, name } } },
        });
        return r.status?.allowed === true;
      };
      const rules = roleRules(...files);
      const allowed = granted(rules.filter((r) => !(r as Rule & { resourceNames?: string[] }).resourceNames));
      const resources = new Set([...rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`))), 'apps/statefulsets', 'rbac.authorization.k8s.io/clusterroles', '/nodes', '/serviceaccounts/token', '/pods/exec']);
      const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
      const wrong: string[] = [];
      for (const gr of resources) {
        const [group, ...rest] = gr.split('/');
        const resource = rest.join('/');
        for (const verb of verbs) {
          const expected = allowed.has(`${gr} ${verb}`);
          if ((await may(ns, group, resource, verb, resource === 'secrets' ? commonsSecrets[0] : undefined)) !== expected) wrong.push(`${ns}: ${verb} ${gr}: expected ${expected ? 'allowed' : 'denied'}`);
          // Nothing at all in another namespace.
          if (await may('default', group, resource, verb)) wrong.push(`default: ${verb} ${gr} allowed`);
        }
      }
      assert.deepEqual(wrong, [], `${ns}: the authorizer disagrees with ${files.join(' + ')}`);
      // Its own identity Secret, by name, in both.
      assert.ok(await may(ns, '', 'secrets', 'get', 'dcoc-agent-identity'));
      assert.ok(await may(ns, '', 'secrets', 'update', 'dcoc-agent-identity'));
      if (files.length === 1) {
        for (const s of commonsSecrets) assert.equal(await may(ns, '', 'secrets', 'get', s), false, `reads the commons' Secret ${s}`);
        assert.equal(await may(ns, '', 'pods', 'delete'), false);
      }
    }
  });
});
