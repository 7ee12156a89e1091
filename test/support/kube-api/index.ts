/**
 * Kubernetes API test server: a plain Node `http` server on 127.0.0.1 that
 * speaks the real Kubernetes REST API (JSON) for the resources and verbs a
 * Gen3 agent uses, with a fast controller loop behind it (Deployment rollouts,
 * ReplicaSets, pods, Jobs, garbage collection). Agent code written against
 * `@kubernetes/client-node` runs unchanged against it.
 *
 * ── Using @kubernetes/client-node 1.x against it (notes for agent authors) ──
 *
 *   const srv = await startKubeApiServer();
 *   seedGen3Commons(srv, { namespace: 'gen3', hostname: 'data.example.org', environment: 'prod', release: '2026.07' });
 *   const kc = srv.kubeConfig();                 // a real KubeConfig; or srv.kubeConfigYaml() for a file
 *   const apps = kc.makeApiClient(AppsV1Api);
 *   const dep = await apps.readNamespacedDeployment({ name: 'fence-deployment', namespace: 'gen3' });
 *
 * - Plain http needs `skipTLSVerify: true` (YAML: `insecure-skip-tls-verify: true`)
 *   on the cluster; otherwise client-node throws "HTTP protocol is not allowed
 *   when skipTLSVerify is not set or false". kubeConfig() sets it.
 * - 1.x APIs take ONE object parameter: `listNamespacedPod({ namespace, labelSelector })`.
 *   Errors are `ApiException` with `.code` (HTTP status) and `.body` (the
 *   Status object as a JSON *string*: `JSON.parse(e.body).reason`).
 * - PATCH content type: the generated patch methods default to
 *   `application/json-patch+json` (body must be an array of ops). Pick another
 *   with the per-call options argument:
 *
 *     import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
 *     await apps.patchNamespacedDeployment(
 *       { name, namespace, body: { spec: { template: { metadata: { annotations: {
 *           'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } } },
 *       setHeaderOptions('Content-Type', PatchStrategy.MergePatch),  // or StrategicMergePatch
 *     );
 *     // server-side apply: fieldManager is required, force optional
 *     await apps.patchNamespacedDeployment(
 *       { name, namespace, body: fullObject, fieldManager: 'dcoc-agent', force: true },
 *       setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
 *     );
 *
 *   The body is serialized as JSON before the middleware swaps the header;
 *   JSON is valid YAML, so apply-patch+yaml works (here and on a real cluster).
 * - Scale: `readNamespacedDeploymentScale`, `replaceNamespacedDeploymentScale`
 *   (body V1Scale; metadata.resourceVersion is a precondition),
 *   `patchNamespacedDeploymentScale` (same content-type rule as above).
 * - Watches: `new Watch(kc).watch(path, { allowWatchBookmarks: true, resourceVersion }, onEvent, onDone)`
 *   resolves to an AbortController. Informers: `makeInformer(kc, path, () => api.listNamespacedX({ namespace }))`.
 *   A watch ending cleanly (server timeout, dropped stream) makes the informer
 *   re-watch from its last resourceVersion; a 410 (ERROR event or HTTP 410)
 *   makes it relist. A watch that fails with any other error (e.g. the
 *   connection reset) stops the informer after emitting 'error': restart it
 *   yourself, e.g. `informer.on('error', () => setTimeout(() => informer.start(), backoffMs))`.
 *   Note `informer.stop()` itself emits 'error' with an AbortError: guard the
 *   restart with your own "stopping" flag.
 * - Status counts follow Go's omitempty: `status.readyReplicas` etc. are
 *   absent (not 0) when zero. Creating from a copy of a read object fails
 *   (500 "resourceVersion should not be set on objects to be created"): strip
 *   metadata.resourceVersion first, as on a real cluster.
 *
 * ── Test knobs ──
 *   srv.requests.count({ method: 'PATCH', path: '/apis/apps/v1/namespaces/gen3/deployments/fence-deployment' })
 *   srv.faults.dropWatches() / expireHistory() / setPodFault(ns, pod, 'CrashLoopBackOff') / failRequests({...})
 *   srv.controller.pause() / tick() / resume();  await srv.waitForRollout('gen3', 'fence-deployment')
 *
 * Not modelled: TLS/authn beyond an optional bearer token, RBAC, admission,
 * CronJob scheduling (CronJobs are data; Jobs run), HPA scaling (HPAs are
 * data), namespace cascade deletion, list-at-exact-resourceVersion snapshots
 * (a list always reflects the current state), `follow` on pod logs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { Controllers, type ControllerOptions } from './controller/index';
import { rolloutComplete } from './controller/deployment';
import type { PodFault } from './controller/faults';
import { errors } from './errors';
import { PodLogs } from './pod-logs';
import { Registry, type DeleteOptions, type ListOptions, type WriteOptions } from './registry';
import { FailureInjector, RequestLog, type InjectedFailure } from './request-log';
import { RESOURCE_TYPES, type ResourceType } from './resources';
import { createRouter } from './router';
import { Store } from './store';
import type { Deployment, KubeObject } from './types';
import { WatchHub } from './watch-hub';

export type { PodFault } from './controller/faults';
export type { RecordedRequest, RequestFilter, InjectedFailure } from './request-log';
export type { KubeObject, Deployment, ReplicaSet, Pod, Job } from './types';
export type { KubeStatus } from './errors';
export { seedGen3Commons, DEFAULT_GEN3_SERVICES, type Gen3SeedOptions, type Gen3SeedResult, type Gen3ServiceSpec } from './seed-gen3';
export { rolloutComplete } from './controller/deployment';

export interface KubeApiServerOptions {
  controller?: ControllerOptions;
  /** Interval of BOOKMARK events on watches that allow them (default 1000 ms; the apiserver's is ~1 min). */
  bookmarkIntervalMs?: number;
  /** Watch history kept before old resourceVersions expire (default 10000 events). */
  maxHistory?: number;
  startResourceVersion?: number;
  /** Creating into a missing namespace creates it (default true); false answers 404 like a real cluster. */
  autoCreateNamespaces?: boolean;
  /** When set, requests without `Authorization: Bearer <token>` get 401. */
  token?: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown in the timeout error. */
  description?: string;
}

export interface KubeApiServer {
  readonly url: string;
  readonly port: number;
  /** A client-node KubeConfig pointing at this server (context namespace optional). */
  kubeConfig(opts?: { namespace?: string }): KubeConfig;
  /** The same as kubeconfig YAML, e.g. to write a KUBECONFIG file. */
  kubeConfigYaml(opts?: { namespace?: string }): string;
  stop(): Promise<void>;

  /** API semantics (validation, resourceVersion, watch events) for direct access from tests. */
  readonly registry: Registry;
  readonly store: Store;
  /** Current global resourceVersion. */
  readonly resourceVersion: number;
  /** Resource by plural (`deployments`) or kind (`Deployment`). */
  typeOf(resource: string): ResourceType;
  get<T extends KubeObject = KubeObject>(resource: string, namespace: string | undefined, name: string): T | undefined;
  list<T extends KubeObject = KubeObject>(resource: string, namespace?: string, opts?: ListOptions): T[];
  create<T extends KubeObject = KubeObject>(resource: string, namespace: string | undefined, obj: KubeObject, opts?: WriteOptions & { keepStatus?: boolean }): T;
  /** Read-modify-write of one object (`status: true` writes status like a controller would). */
  modify<T extends KubeObject = KubeObject>(resource: string, namespace: string | undefined, name: string, mutate: (o: T) => void, opts?: { status?: boolean }): T;
  delete(resource: string, namespace: string | undefined, name: string, opts?: DeleteOptions): void;

  readonly requests: RequestLog;
  readonly faults: {
    /** Ends every open watch; `abrupt` destroys the sockets instead of ending the streams. Returns how many. */
    dropWatches(opts?: { abrupt?: boolean }): number;
    /** Compacts all history: the next watch from any earlier resourceVersion gets 410 Expired. */
    expireHistory(): void;
    /** Compacts history up to `rv` (default: now). */
    compact(rv?: number): void;
    setPodFault(namespace: string, pod: string, fault: PodFault | null): void;
    /** Fault for a Deployment's (or Job's) pods that have not started yet (e.g. a bad image rollout). */
    setWorkloadFault(namespace: string, workload: string, fault: Exclude<PodFault, 'Evicted'> | null): void;
    failRequests(rule: InjectedFailure): void;
    sendBookmarks(): void;
    /** Clears pod/workload faults and request failures. */
    clear(): void;
  };
  readonly controller: {
    tick(times?: number): void;
    pause(): void;
    resume(): void;
    readonly running: boolean;
    readonly tickCount: number;
    /** Turns controller/kubelet Event objects on or off. */
    events(on: boolean): void;
  };
  readonly openWatches: number;
  setPodLog(namespace: string, pod: string, container: string, text: string, opts?: { previous?: boolean }): void;
  /** Polls `fn` until it returns a truthy value (returned) or the timeout passes (default 15 s). */
  waitFor<T>(fn: () => T | undefined | null | false, opts?: WaitOptions): Promise<T>;
  /** Waits for `kubectl rollout status` success; rejects early on ProgressDeadlineExceeded. */
  waitForRollout(namespace: string, name: string, opts?: WaitOptions): Promise<Deployment>;
}

function kubeConfigOptions(url: string, namespace?: string) {
  return {
    clusters: [{ name: 'kube-api-test', server: url, skipTLSVerify: true }],
    users: [{ name: 'kube-api-test', token: 'kube-api-test-token' }],
    contexts: [{ name: 'kube-api-test', cluster: 'kube-api-test', user: 'kube-api-test', ...(namespace ? { namespace } : {}) }],
    currentContext: 'kube-api-test',
  };
}

export async function startKubeApiServer(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const store = new Store({ startResourceVersion: opts.startResourceVersion, maxHistory: opts.maxHistory });
  const registry = new Registry(store, { autoCreateNamespaces: opts.autoCreateNamespaces ?? true });
  const hub = new WatchHub(store, registry, { bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000 });
  const requests = new RequestLog();
  const failures = new FailureInjector();
  const podLogs = new PodLogs();
  const controllers = new Controllers(registry, opts.controller);

  let address = '127.0.0.1:0';
  const route = createRouter({ registry, hub, log: requests, failures, podLogs, serverAddress: () => address });
  const server: Server = createServer((req, res) => {
    if (opts.token !== undefined && req.headers.authorization !== `Bearer ${opts.token}`) {
      const err = errors.custom(401, 'Unauthorized', 'Unauthorized');
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(err.status));
      return;
    }
    route(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  if (opts.controller?.autoStart ?? true) controllers.start();

  const typeOf = (resource: string): ResourceType => {
    const lower = resource.toLowerCase();
    const t = RESOURCE_TYPES.find((x) => !x.toView && (x.resource === lower || x.kind.toLowerCase() === lower || x.shortNames?.includes(lower)));
    if (!t) throw new Error(`kube-api test server: unknown resource ${resource}`);
    return t;
  };

  const waitFor = async <T>(fn: () => T | undefined | null | false, w: WaitOptions = {}): Promise<T> => {
    const deadline = Date.now() + (w.timeoutMs ?? 15_000);
    for (;;) {
      const v = fn();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${w.description ?? 'condition'}`);
      await new Promise((r) => setTimeout(r, w.intervalMs ?? 10));
    }
  };

  const api: KubeApiServer = {
    url,
    port,
    kubeConfig(o = {}) {
      const kc = new KubeConfig();
      kc.loadFromOptions(kubeConfigOptions(url, o.namespace));
      return kc;
    },
    kubeConfigYaml(o = {}) {
      const ctx = o.namespace ? `\n    namespace: ${o.namespace}` : '';
      return [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: kube-api-test',
        '  cluster:',
        `    server: ${url}`,
        '    insecure-skip-tls-verify: true',
        'users:',
        '- name: kube-api-test',
        '  user:',
        '    token: kube-api-test-token',
        'contexts:',
        '- name: kube-api-test',
        '  context:',
        '    cluster: kube-api-test',
        `    user: kube-api-test${ctx}`,
        'current-context: kube-api-test',
        '',
      ].join('\n');
    },
    async stop() {
      controllers.stop();
      hub.dropAll({ abrupt: true });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    registry,
    store,
    get resourceVersion() {
      return store.resourceVersion;
    },
    typeOf,
    get<T extends KubeObject>(resource: string, ns: string | undefined, name: string) {
      return registry.tryGet(typeOf(resource), ns, name) as T | undefined;
    },
    list<T extends KubeObject>(resource: string, ns?: string, o?: ListOptions) {
      return registry.list(typeOf(resource), ns, o).items as T[];
    },
    create<T extends KubeObject>(resource: string, ns: string | undefined, obj: KubeObject, o: WriteOptions & { keepStatus?: boolean } = {}) {
      return registry.create(typeOf(resource), ns, obj, { manager: 'kube-api-test', ...o }) as T;
    },
    modify<T extends KubeObject>(resource: string, ns: string | undefined, name: string, mutate: (o: T) => void, o: { status?: boolean } = {}) {
      const t = typeOf(resource);
      const cur = registry.get(t, ns, name) as T;
      mutate(cur);
      if (o.status) return registry.writeAsController(t.storage, cur) as T;
      return registry.update(t, ns, name, cur, { manager: 'kube-api-test' }) as T;
    },
    delete(resource: string, ns: string | undefined, name: string, o?: DeleteOptions) {
      registry.delete(typeOf(resource), ns, name, o);
    },
    requests,
    faults: {
      dropWatches: (o) => hub.dropAll(o),
      expireHistory: () => store.compact(),
      compact: (rv) => store.compact(rv),
      setPodFault: (ns, pod, fault) => controllers.faults.setPod(ns, pod, fault),
      setWorkloadFault: (ns, workload, fault) => controllers.faults.setWorkload(ns, workload, fault),
      failRequests: (rule) => failures.add(rule),
      sendBookmarks: () => hub.sendBookmarks(),
      clear: () => {
        controllers.faults.clear();
        failures.clear();
      },
    },
    controller: {
      tick: (times = 1) => {
        for (let i = 0; i < times; i++) controllers.tick();
      },
      pause: () => controllers.stop(),
      resume: () => controllers.start(),
      get running() {
        return controllers.running;
      },
      get tickCount() {
        return controllers.tickCount;
      },
      events: (on) => controllers.recorder.setEnabled(on),
    },
    get openWatches() {
      return hub.openCount;
    },
    setPodLog: (ns, pod, container, text, o) => podLogs.set(ns, pod, container, text, o),
    waitFor,
    async waitForRollout(ns, name, w = {}) {
      return waitFor(
        () => {
          const d = registry.tryGet(typeOf('deployments'), ns, name) as Deployment | undefined;
          if (!d) throw new Error(`deployment ${ns}/${name} not found`);
          const p = d.status?.conditions?.find((c) => c.type === 'Progressing');
          if (p?.reason === 'ProgressDeadlineExceeded') throw new Error(`deployment "${name}" exceeded its progress deadline`);
          return rolloutComplete(d) ? d : undefined;
        },
        { timeoutMs: w.timeoutMs ?? 20_000, intervalMs: w.intervalMs, description: w.description ?? `rollout of ${ns}/${name}` },
      );
    },
  };
  return api;
}

/** The brief's name for it. */
export const start = startKubeApiServer;
