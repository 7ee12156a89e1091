/**
 * A real Kubernetes control plane for tests, all on 127.0.0.1 with free
 * ports: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
 * kwok, whose fake Nodes run pods to Running and Ready without a kubelet.
 * The programs are built from the Go module proxy by
 * scripts/tools/go-tools.ts (see test/tools/kube/); tests never build them.
 *
 *   import { useControlPlane } from '../support/control-plane';
 *   const controlPlane = useControlPlane();          // one per test file
 *   test('...', async (t) => {
 *     const cp = await controlPlane(t);              // undefined: skipped
 *     if (!cp) return;
 *     const { kubeConfig } = await cp.serviceAccountKubeConfig('gen3', 'dcoc-agent');
 *   });
 *
 * Logs of every process are in cp.dir/*.log (kept when DCOC_KEEP_CONTROL_PLANE=1).
 *
 * pods/log works as on a cluster: kube-apiserver asks the pod's Node's
 * "kubelet" (kwok's server, at the Node's InternalIP 127.0.0.1 and
 * daemonEndpoints port, over TLS checked against the cluster CA) for what a
 * test wrote with cp.podLogs.append(). With `metricsServer: true` the real
 * metrics-server serves metrics.k8s.io through the apiserver's aggregator,
 * from the usage kwok simulates (pod annotation kwok.x-k8s.io/usage-cpu, ...).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, type TestContext } from 'node:test';
import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  VersionApi,
  type VersionInfo,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../free-port';
import { type ControlPlaneBinaries, findControlPlaneBinaries, skipOrFail } from './binaries';
import { type Daemon, atTeardown, startDaemon } from './daemons';
import { kubeConfig, writeComponentKubeconfig, writeKubeconfig } from './kubeconfig';
import { KWOK_METRICS, RESOURCE_METRICS_PATH_ANNOTATION } from './kwok-metrics';
import { KWOK_STAGES } from './kwok-stages';
import { METRICS_APISERVICE, applyAdmin, findMetricsServer, metricsApiObjects, metricsServerArgs } from './metrics-server';
import { makePki } from './pki';
import { type PodLogs, podLogs } from './pod-logs';

export { findControlPlaneBinaries, requireControlPlaneBinaries, type ControlPlaneBinaries } from './binaries';

export interface ControlPlaneOptions {
  /** Default: found by findControlPlaneBinaries(). */
  bins?: ControlPlaneBinaries;
  /** Fake Nodes to create (kwok-node-0, ...), each with room for 250 pods. Default 2. */
  nodes?: number;
  /** For the whole start. Default 180 s (a cold start on 2 busy cores can take a minute). */
  timeoutMs?: number;
  /**
   * The apiserver's in-memory watch cache (default on, as on real clusters).
   * Off, watches are served from etcd, so compactEtcd() makes an older
   * resourceVersion answer 410 Gone at once.
   */
  watchCache?: boolean;
  /** Also run the real metrics-server behind APIService v1beta1.metrics.k8s.io (its build is needed; see metrics-server.ts). */
  metricsServer?: boolean;
}

export interface ControlPlane {
  /** Temp folder: certificates, kubeconfigs, etcd data and one <process>.log each. */
  dir: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** etcd's client address, 127.0.0.1:<port> (plain gRPC). */
  etcdAddr: string;
  /** What the apiserver reports at /version. */
  version: VersionInfo;
  /** Admin (group system:masters), as a client-node KubeConfig and as a self-contained file. */
  kubeConfig: KubeConfig;
  kubeconfigFile: string;
  nodes: string[];
  daemons: Daemon[];
  /** How long start took, in ms. */
  startupMs: number;
  /** kwok's server (the fake Nodes' kubelet endpoint) over plain HTTP: http://127.0.0.1:<port>. */
  kwokUrl: string;
  /** Writes container logs kwok serves as the pods' kubelet, so pods/log reads them. */
  podLogs: PodLogs;
  /** Creates the namespace if missing and waits until its `default` ServiceAccount exists (pods need it). */
  createNamespace(name: string): Promise<void>;
  /**
   * Creates the namespace and ServiceAccount if missing and returns a KubeConfig
   * that authenticates as that ServiceAccount with a token from the TokenRequest
   * API (default namespace: `namespace`), and that token's kubeconfig file.
   */
  serviceAccountKubeConfig(namespace: string, name: string, opts?: { expirationSeconds?: number }): Promise<{ kubeConfig: KubeConfig; kubeconfigFile: string; token: string }>;
  /**
   * Applies multi-document YAML as admin (server-side apply). Every string value
   * equal to `placeholder` (default "NAMESPACE", as in agent/deploy/rbac.yaml)
   * becomes `namespace`, and namespaced objects without a namespace get it.
   */
  apply(yamlText: string, opts?: { namespace?: string; placeholder?: string }): Promise<KubernetesObject[]>;
  /**
   * Polls `check` (every 250 ms) until it returns something truthy. Fails at
   * once when a control-plane process has died, and after `timeoutMs`
   * (default 120 s) with the end of every process's log.
   */
  waitFor(what: string, check: () => Promise<unknown> | unknown, timeoutMs?: number): Promise<void>;
  /** The last lines of each process's log, for an assertion message. */
  logs(lines?: number): string;
  /**
   * What ServiceAccounts asked of the apiserver so far, from its audit log
   * (one entry per request, at ResponseComplete), oldest first; `user` keeps
   * one user's, e.g. `system:serviceaccount:gen3:dcoc-agent`.
   */
  audit(filter?: { user?: string }): AuditEvent[];
  /** Kills every process (with its process group) and removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

/** The fields of an audit.k8s.io/v1 Event the tests read. */
export interface AuditEvent {
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  userAgent?: string;
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string };
  responseStatus?: { code?: number; reason?: string };
  stage: string;
  /** RFC 3339 with microseconds. */
  requestReceivedTimestamp: string;
  /** The body of a write (not for Secrets). */
  requestObject?: Record<string, unknown>;
}

// Every request a ServiceAccount makes, nothing else: the agent runs as one,
// and its requests are what the RBAC tests compare to its Role.
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
  # Writes with their bodies (what exactly was applied), except Secrets' (the agent's key).
  - level: Request
    userGroups: ["system:serviceaccounts"]
    verbs: [create, update, patch]
    omitManagedFields: true
    resources:
      - group: apps
      - group: batch
      - group: autoscaling
      - group: ""
        resources: [configmaps, services]
  - level: Metadata
    userGroups: ["system:serviceaccounts"]
  - level: None
`;

const SERVICE_CIDR = '10.96.0.0/16';
/** The first address of SERVICE_CIDR: the `kubernetes` Service, named in the serving certificate as real clusters do. */
const SERVICE_IP = '10.96.0.1';
const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

// The controllers the agent's world needs (names from
// k8s.io/kubernetes/cmd/kube-controller-manager/names). Left out on purpose:
// node-lifecycle-controller (kwok sends no heartbeats it would accept, so it
// would taint the fake Nodes), endpoints/endpointslice, volumes, certificates.
const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'daemonset-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'horizontal-pod-autoscaler-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'clusterrole-aggregation-controller',
  'disruption-controller',
];

const FIELD_MANAGER = 'dcoc-test';

function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}

function isStatus(e: unknown, code: number): boolean {
  return e instanceof ApiException && e.code === code;
}

/** GET over https with a client certificate; resolves with the status and body, never rejects on a refused connection (status 0). */
function httpsGet(url: string, tls: { ca: string; cert: string; key: string }): Promise<{ status: number; body: string }> {
  return new Promise((res) => {
    const req = request(url, { ...tls, agent: false, timeout: 5000 }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => res({ status: 0, body: e.message }));
    req.end();
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5000) })).ok;
  } catch {
    return false;
  }
}

/** Every string value equal to `from` replaced by `to`, deep. */
function replaceValues(v: unknown, from: string, to: string): unknown {
  if (v === from) return to;
  if (Array.isArray(v)) return v.map((x) => replaceValues(x, from, to));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceValues(x, from, to)]));
  return v;
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const t0 = Date.now();
  let bins = opts.bins;
  if (!bins) {
    const found = findControlPlaneBinaries();
    if ('missing' in found) throw new Error(found.missing);
    bins = found.bins;
  }
  const deadline = t0 + (opts.timeoutMs ?? 180_000);
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-kube-'));
  const daemons: Daemon[] = [];
  let stopped = false;
  const removeDir = () => {
    if (!process.env.DCOC_KEEP_CONTROL_PLANE) rmSync(dir, { recursive: true, force: true });
  };
  // A test process that ends without stop() still leaves no temp folder behind.
  const forgetDir = atTeardown(removeDir);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Reverse start order: etcd stopped under a connected apiserver takes seconds to give up.
    for (const d of [...daemons].reverse()) await d.stop();
    removeDir();
    forgetDir();
  };
  const logs = (lines = 30) => daemons.map((d) => `--- ${d.name} (${d.exit === undefined ? 'running' : `exited: ${d.exit}`}) ${d.logFile}\n${d.tail(lines)}`).join('\n');

  /** Polls `check` until it is truthy; fails at once if any process has died, and at the deadline. */
  async function waitUntil(what: string, check: () => Promise<boolean>, until: number): Promise<void> {
    for (;;) {
      const dead = daemons.find((d) => d.exit !== undefined);
      if (dead) throw new Error(`control plane: ${dead.name} exited (${dead.exit}) while waiting for ${what}; its log ${dead.logFile} ends:\n${dead.tail()}`);
      if (await check()) return;
      if (Date.now() > until) throw new Error(`control plane: timed out waiting for ${what}; the logs end:\n${logs()}`);
      await sleep(250);
    }
  }
  const waitFor = (what: string, check: () => Promise<boolean>) => waitUntil(what, check, deadline);

  try {
    const [etcdPort, peerPort, apiPort, kwokPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const server = `https://127.0.0.1:${apiPort}`;
    const pki = await makePki(dir, ['127.0.0.1', 'localhost', SERVICE_IP, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'], [
      { file: 'admin', user: 'dcoc-test-admin', groups: ['system:masters'] },
      // The users the apiserver's bootstrap RBAC already binds to their roles.
      { file: 'kube-controller-manager', user: 'system:kube-controller-manager' },
      { file: 'kube-scheduler', user: 'system:kube-scheduler' },
      // kwok writes Node and Pod status, deletes pods, records events: simplest as an admin.
      { file: 'kwok', user: 'kwok', groups: ['system:masters'] },
      // The aggregator's identity towards aggregated APIs (metrics-server), named in --requestheader-allowed-names.
      { file: 'front-proxy-client', user: 'front-proxy-client' },
      { file: 'metrics-server', user: 'metrics-server', groups: ['system:masters'] },
    ]);
    const admin = pki.clients.admin;
    const componentConfig = (name: string) => writeComponentKubeconfig(join(dir, `${name}.kubeconfig`), server, pki.caCert, pki.clients[name]);
    // HOME in the folder: kwok reads ~/.kwok, client-go ~/.kube; neither may see the developer's.
    const env = { ...process.env, HOME: dir, KUBECONFIG: '' };
    const start = (name: string, bin: string, args: string[]) => {
      const d = startDaemon(name, bin, args, { cwd: dir, logFile: join(dir, `${name}.log`), env });
      daemons.push(d);
      return d;
    };

    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    start('etcd', bins.etcd, [
      '--name=dcoc-test',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=dcoc-test=${peerUrl}`,
      // Throwaway data: no fsync, which a busy CI disk would make slow.
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ]);
    await waitFor('etcd /health', () => httpOk(`${etcdUrl}/health`));

    const auditPolicy = join(dir, 'audit-policy.yaml');
    const auditLog = join(dir, 'audit.log');
    writeFileSync(auditPolicy, AUDIT_POLICY);
    start('kube-apiserver', bins.kubeApiserver, [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki.serving.cert}`,
      `--tls-private-key-file=${pki.serving.key}`,
      `--client-ca-file=${pki.caCert}`,
      '--authorization-mode=Node,RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      // The `kubernetes` Service's endpoints would be 127.0.0.1, which Endpoints validation refuses.
      '--endpoint-reconciler-type=none',
      // It taints every new Node not-ready until node-lifecycle-controller (not run here) clears it.
      '--disable-admission-plugins=TaintNodesByCondition',
      '--allow-privileged=true',
      '--profiling=false',
      `--audit-policy-file=${auditPolicy}`,
      `--audit-log-path=${auditLog}`,
      '--audit-log-format=json',
      // Written before the response returns, so a test reads every request it has seen answered.
      '--audit-log-mode=blocking',
      // pods/log: the kubelet (kwok) at the Node's InternalIP, its serving certificate checked against the CA.
      `--kubelet-certificate-authority=${pki.caCert}`,
      '--kubelet-preferred-address-types=InternalIP',
      // The aggregator (metrics.k8s.io): it authenticates to aggregated APIs with this client certificate
      // and passes the user on in these headers.
      `--requestheader-client-ca-file=${pki.caCert}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.clients['front-proxy-client'].cert}`,
      `--proxy-client-key-file=${pki.clients['front-proxy-client'].key}`,
      ...(opts.watchCache === false ? ['--watch-cache=false'] : []),
    ]);
    const tls = { ca: pki.caPem, cert: admin.certPem, key: admin.keyPem };
    await waitFor('kube-apiserver /readyz', async () => (await httpsGet(`${server}/readyz`, tls)).status === 200);
    const kc = kubeConfig(server, pki.caPem, admin);
    // kwok --enable-crds=Logs lists them as it starts: the CRD first.
    await applyAdmin(kc, parseAllDocuments(readFileSync(join(import.meta.dirname, 'kwok-logs-crd.yaml'), 'utf8')).map((d) => d.toJS() as KubernetesObject));
    await waitFor('CRD logs.kwok.x-k8s.io Established', async () => {
      const r = await httpsGet(`${server}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/logs.kwok.x-k8s.io`, tls);
      return r.status === 200 && (JSON.parse(r.body) as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true;
    });

    start('kube-controller-manager', bins.kubeControllerManager, [
      `--kubeconfig=${componentConfig('kube-controller-manager')}`,
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      '--leader-elect=false',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--controllers=${CONTROLLERS.join(',')}`,
    ]);
    start('kube-scheduler', bins.kubeScheduler, [`--kubeconfig=${componentConfig('kube-scheduler')}`, '--bind-address=127.0.0.1', '--secure-port=0', '--leader-elect=false']);
    const stagesFile = join(dir, 'kwok-stages.yaml');
    writeFileSync(stagesFile, `${KWOK_STAGES}\n---\n${KWOK_METRICS}`);
    start('kwok', bins.kwok, [
      `--kubeconfig=${componentConfig('kwok')}`,
      `--config=${stagesFile}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
      `--server-address=127.0.0.1:${kwokPort}`,
      // The Nodes' kubelet endpoint (the node stage writes them into Node status): HTTPS with a certificate
      // of the cluster CA for 127.0.0.1 (HTTP on the same port too).
      '--node-ip=127.0.0.1',
      `--node-port=${kwokPort}`,
      `--tls-cert-file=${pki.serving.cert}`,
      `--tls-private-key-file=${pki.serving.key}`,
      // Per-pod log files from Logs objects (cp.podLogs).
      '--enable-crds=Logs',
    ]);

    const core = kc.makeApiClient(CoreV1Api);
    const nodes = Array.from({ length: opts.nodes ?? 2 }, (_, i) => `kwok-node-${i}`);
    for (const name of nodes) {
      const room = { cpu: '64', memory: '256Gi', pods: '250' };
      await core.createNode({
        body: {
          metadata: {
            name,
            annotations: { [KWOK_NODE_ANNOTATION]: 'fake', [RESOURCE_METRICS_PATH_ANNOTATION]: `/metrics/nodes/${name}/metrics/resource` },
            labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
          },
          // Node status may be set on create; kwok's node stage adds the Ready condition.
          status: { capacity: room, allocatable: room },
        },
      });
    }
    await waitFor('kwok /healthz', () => httpOk(`http://127.0.0.1:${kwokPort}/healthz`));
    await waitFor(`Nodes ${nodes.join(', ')} Ready (kwok)`, async () => {
      const list = await core.listNode();
      return nodes.every((n) => list.items.find((x) => x.metadata?.name === n)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    });
    const defaultServiceAccount = async (namespace: string) => {
      try {
        await core.readNamespacedServiceAccount({ name: 'default', namespace });
        return true;
      } catch (e) {
        if (isStatus(e, 404)) return false;
        throw e;
      }
    };
    await waitFor('the default ServiceAccount (kube-controller-manager)', () => defaultServiceAccount('default'));
    const version = await kc.makeApiClient(VersionApi).getCode();
    const kubeconfigFile = writeKubeconfig(join(dir, 'admin.kubeconfig'), server, pki.caPem, admin);
    const kwokUrl = `http://127.0.0.1:${kwokPort}`;
    const waitLong = (what: string, check: () => Promise<unknown>) => waitUntil(what, async () => Boolean(await check()), Date.now() + 60_000);

    if (opts.metricsServer) {
      const found = findMetricsServer();
      if ('missing' in found) throw new Error(found.missing);
      const port = await freePort();
      start('metrics-server', found.bin, metricsServerArgs({ port, kubeconfig: componentConfig('metrics-server'), cert: pki.serving.cert, key: pki.serving.key, caCert: pki.caCert }));
      await applyAdmin(kc, metricsApiObjects(port));
      await waitFor(`APIService ${METRICS_APISERVICE} Available (metrics-server)`, async () => {
        const r = await httpsGet(`${server}/apis/apiregistration.k8s.io/v1/apiservices/${METRICS_APISERVICE}`, tls);
        return r.status === 200 && (JSON.parse(r.body) as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') === true;
      });
    }

    const createNamespace = async (name: string) => {
      try {
        await core.createNamespace({ body: { metadata: { name } } });
      } catch (e) {
        if (!isStatus(e, 409)) throw e;
      }
      await waitUntil(`the default ServiceAccount in ${name}`, () => defaultServiceAccount(name), Date.now() + 60_000);
    };

    return {
      dir,
      server,
      etcdAddr: `127.0.0.1:${etcdPort}`,
      version,
      kubeConfig: kc,
      kubeconfigFile,
      nodes,
      daemons,
      startupMs: Date.now() - t0,
      kwokUrl,
      podLogs: podLogs({ dir, admin: kc, kwokUrl, waitFor: waitLong }),
      createNamespace,
      waitFor: (what, check, timeoutMs = 120_000) => waitUntil(what, async () => Boolean(await check()), Date.now() + timeoutMs),
      async serviceAccountKubeConfig(namespace, name, o = {}) {
        await createNamespace(namespace);
        try {
          await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
        } catch (e) {
          if (!isStatus(e, 409)) throw e;
        }
        const tr = await core.createNamespacedServiceAccountToken({
          name,
          namespace,
          body: { spec: { audiences: [], expirationSeconds: o.expirationSeconds ?? 3600 } },
        });
        const token = tr.status?.token;
        if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
        return {
          token,
          kubeConfig: kubeConfig(server, pki.caPem, { token }, namespace),
          kubeconfigFile: writeKubeconfig(join(dir, `sa-${namespace}-${name}.kubeconfig`), server, pki.caPem, { token }, namespace),
        };
      },
      async apply(yamlText, o = {}) {
        // The client puts namespaced objects that name none into its context's namespace.
        const client = KubernetesObjectApi.makeApiClient(o.namespace ? kubeConfig(server, pki.caPem, admin, o.namespace) : kc);
        const out: KubernetesObject[] = [];
        for (const doc of parseAllDocuments(yamlText)) {
          if (doc.errors.length) throw new Error(`apply: YAML error: ${doc.errors[0].message}`);
          let obj = doc.toJS() as KubernetesObject | null;
          if (!obj) continue;
          if (o.namespace) obj = replaceValues(obj, o.placeholder ?? 'NAMESPACE', o.namespace) as KubernetesObject;
          out.push(await client.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
        }
        return out;
      },
      logs,
      audit(filter = {}) {
        if (!existsSync(auditLog)) return [];
        return readFileSync(auditLog, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as AuditEvent)
          .filter((e) => e.stage === 'ResponseComplete' && (!filter.user || e.user.username === filter.user));
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * One control plane for a test file, started by the first test that asks and
 * stopped after the file. Each call skips its test loudly when the binaries
 * are missing (under CI: fails it), and returns undefined then.
 */
export function useControlPlane(opts: Omit<ControlPlaneOptions, 'bins'> = {}): (t: TestContext) => Promise<ControlPlane | undefined> {
  let started: Promise<ControlPlane> | undefined;
  after(async () => {
    if (started) await (await started.catch(() => undefined))?.stop();
  });
  return async (t) => {
    const found = findControlPlaneBinaries();
    if ('missing' in found) {
      skipOrFail(t, found.missing);
      return undefined;
    }
    const ms = opts.metricsServer ? findMetricsServer() : undefined;
    if (ms && 'missing' in ms) {
      skipOrFail(t, ms.missing);
      return undefined;
    }
    started ??= startControlPlane({ ...opts, bins: found.bins }).then((cp) => {
      console.error(`control plane ${cp.version.gitVersion} up in ${(cp.startupMs / 1000).toFixed(1)} s (${cp.dir})`);
      return cp;
    });
    return started;
  };
}
