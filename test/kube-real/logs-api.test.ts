// Issue 17 end to end on the real control plane: what a developer sees
// through the control service's HTTP API of a Gen3 commons on Kubernetes.
// The lines a test writes to a pod's container log (cp.podLogs, served by
// kwok as each fake Node's kubelet) are read by the real kube-apiserver
// (pods/log), by the real agent as its ServiceAccount bound to
// agent/deploy/rbac.yaml, and by the real control service: a service's
// replicas' logs (one answer, and followed over Server-Sent Events), a
// crash-looping pod's previous container, a CronJob run's logs, the
// namespace's events and metrics-server's resources. And request metrics:
// access lines in revproxy's pods' logs (gen3-helm's `log_format json`)
// counted by the agent's follower over pods/log follow, on the control
// service's /metrics.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AppsV1Api, BatchV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { CommonsResources, KubeEventList, LogsStreamEvent, LogsView, Problem } from '../../contracts/api';
import type { LogLineFacts } from '../../agent/core/types';
import type { RequestMetricsCollector } from '../../agent/gen3/request-metrics-collector';
import { type ControlPlane, useControlPlane } from '../support/control-plane';
import { rolledOut } from '../support/control-plane/gen3-commons';
import { FAULT_ANNOTATION } from '../support/control-plane/kwok-stages';
import { eventually } from '../support/fleet';
import { NS, realKubeAgentOnFleet } from '../support/kube-agent';
import { type SseEvent, openSse } from '../support/raw-agent';
import { commonsDetailText, requestSeries, type Series } from '../support/request-series';

const controlPlane = useControlPlane({ metricsServer: true });
const ID = 'data-example-org';
const ENVIRONMENT = 'exampleprod';
/** No fence: its HPA would scale it on metrics-server's numbers. */
const SERVICES = ['arborist', 'audit', 'indexd', 'metadata', 'peregrine', 'revproxy', 'sheepdog'];
const SLOW = { timeout: 300_000 };
const Mi = 2 ** 20;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * One access line exactly as revproxy's nginx writes it: gen3-helm 42cc46bc
 * helm/revproxy/nginx/nginx.conf `log_format json` (no escape=json; the
 * numbers unquoted; an empty variable as "-").
 */
function nginxLine(f: { status: number; secs: string; uri: string; verb?: string; upstream: string; proxyService: string; time?: Date }): string {
  const t = (f.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const verb = f.verb ?? 'GET';
  return (
    `{"gen3log": "nginx", "date_access": "${t}", "user_id": "uid:null,unknown@unknown", "request_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", ` +
    `"session_id": "-", "visitor_id": "-", "network_client_ip": "10.0.3.17", "network_bytes_write": 1234, ` +
    `"response_secs": ${f.secs}, "http_status_code": ${f.status}, "http_request": "${f.uri}", "http_verb": "${verb}", ` +
    `"http_referer": "-", "http_useragent": "Mozilla/5.0 (X11; Linux x86_64)", "http_upstream": "${f.upstream}", "proxy_service": "${f.proxyService}", ` +
    `"message": "${verb} ${f.uri} HTTP/1.1" }`
  );
}
/** $upstream as the location files set it (`http://<svc>-service$des_domain`). */
const upstream = (svc: string) => `http://${svc}-service.${NS}.svc.cluster.local`;


type Env = Awaited<ReturnType<typeof startEnv>>;
let shared: Promise<Env> | undefined;
after(async () => (await shared?.catch(() => undefined))?.stop());

/** Revproxy access lines already in its pods' logs when the agent starts: never counted (its follower starts from the newest line). */
const REVPROXY_HISTORY = 12;

async function startEnv(cp: ControlPlane) {
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  const podsOf = async (app: string) =>
    (await core.listNamespacedPod({ namespace: NS, labelSelector: `app=${app}` })).items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).map((p) => p.metadata!.name!).sort();
  const e = await realKubeAgentOnFleet(cp, {
    services: SERVICES,
    beforeAgent: async () => {
      for (const pod of await podsOf('revproxy')) {
        const old = new Date(Date.now() - 120_000);
        await cp.podLogs.append(NS, pod, 'revproxy', Array.from({ length: REVPROXY_HISTORY / 2 }, (_, i) => nginxLine({ status: 200, secs: '0.010', uri: `/user/user?old=${i}`, upstream: upstream('fence'), proxyService: 'fence', time: old })));
      }
    },
  });
  const developer = await e.fleet.tokenFor('developer');
  const viewer = await e.fleet.tokenFor('viewer');
  const operator = await e.fleet.tokenFor('operator');
  /** The Running pods of a service, sorted, once the agent's pod watch sees exactly them. */
  const runningPods = (app: string, n: number) =>
    eventually(async () => {
      const names = await podsOf(app);
      const seen = e.k.platform.kube.podItems().filter((p) => p.metadata?.labels?.app === app && p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).map((p) => p.metadata!.name!).sort();
      return names.length === n && names.join() === seen.join() && names;
    }, { what: `${n} running pods of ${app}`, timeoutMs: 60_000 });
  const api = <T>(token: string, path: string) => e.fleet.api<T & Problem>(token, 'GET', `/api/v1/commons/${ID}${path}`);
  return { ...e, core, developer, viewer, operator, runningPods, api };
}

function env(cp: ControlPlane): Promise<Env> {
  shared ??= startEnv(cp);
  return shared;
}

describe('logs, events, resources and request metrics of a commons on Kubernetes, through the control service', () => {
  it("GET …/logs: every replica's lines with their pod names, merged by time; filter and tail; a viewer is refused naming logs:read", SLOW, async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const { api, developer, viewer, runningPods } = await env(cp);
    const [a, b] = await runningPods('arborist', 2);
    const t0 = Date.now() - 60_000;
    const at = (s: number) => new Date(t0 + s * 1000);
    await cp.podLogs.append(NS, a, 'arborist', [{ text: 'a1 GET /health 200', time: at(1) }, { text: 'a2 GET /auth/mapping 200', time: at(3) }, { text: 'a3 POST /auth/request 403', time: at(5) }]);
    await cp.podLogs.append(NS, b, 'arborist', [{ text: 'b1 GET /health 200', time: at(2) }, { text: 'b2 GET /user 500', time: at(4), stream: 'stderr' }]);

    const all = await api<LogsView>(developer, '/services/arborist/logs');
    assert.equal(all.status, 200, JSON.stringify(all.body));
    assert.deepEqual(all.body, {
      pods: [a, b],
      truncated: false,
      items: [
        { time: at(1).toISOString(), pod: a, container: 'arborist', line: 'a1 GET /health 200' },
        { time: at(2).toISOString(), pod: b, container: 'arborist', line: 'b1 GET /health 200' },
        { time: at(3).toISOString(), pod: a, container: 'arborist', line: 'a2 GET /auth/mapping 200' },
        { time: at(4).toISOString(), pod: b, container: 'arborist', line: 'b2 GET /user 500' },
        { time: at(5).toISOString(), pod: a, container: 'arborist', line: 'a3 POST /auth/request 403' },
      ],
    });
    const lines = (v: LogsView) => v.items.map((l) => `${l.pod === a ? 'a' : 'b'}: ${l.line}`);
    // filter: case-insensitive substring.
    const filtered = await api<LogsView>(developer, '/services/arborist/logs?filter=AUTH%2F');
    assert.equal(filtered.status, 200, JSON.stringify(filtered.body));
    assert.deepEqual(lines(filtered.body), ['a: a2 GET /auth/mapping 200', 'a: a3 POST /auth/request 403']);
    // tail: the last lines of each pod.
    const tail = await api<LogsView>(developer, '/services/arborist/logs?tail=1');
    assert.deepEqual(lines(tail.body), ['b: b2 GET /user 500', 'a: a3 POST /auth/request 403']);
    // tail before filter, as kubectl logs --tail=2 | grep.
    const both = await api<LogsView>(developer, '/services/arborist/logs?tail=2&filter=health');
    assert.deepEqual(lines(both.body), ['b: b1 GET /health 200']);
    const one = await api<LogsView>(developer, `/services/arborist/logs?pod=${b}`);
    assert.deepEqual([one.body.pods, lines(one.body)], [[b], ['b: b1 GET /health 200', 'b: b2 GET /user 500']]);
    const notOurs = await api<LogsView>(developer, '/services/arborist/logs?pod=indexd-deployment-0');
    assert.equal(notOurs.status, 404, JSON.stringify(notOurs.body));
    assert.equal(notOurs.body.errors?.[0].field, 'query.pod');

    const refused = await api<LogsView>(viewer, '/services/arborist/logs');
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail, /logs:read/);
  });

  it('GET …/logs/stream: lines written after it opened arrive from every replica with their pod names; a viewer is refused naming logs:read', SLOW, async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const e = await env(cp);
    const [a, b] = await e.runningPods('peregrine', 2);
    await cp.podLogs.append(NS, a, 'peregrine', ['before-open a']);
    await cp.podLogs.append(NS, b, 'peregrine', ['before-open b']);

    const stop = new AbortController();
    t.after(() => stop.abort());
    const received: { at: number; ev: LogsStreamEvent }[] = [];
    const url = `${e.fleet.control.url}/api/v1/commons/${ID}/services/peregrine/logs/stream?tail=0`;
    const s = await openSse(url, e.developer, stop.signal, (x: SseEvent) => {
      if (x.event === 'logs') received.push({ at: Date.now(), ev: JSON.parse(x.data) as LogsStreamEvent });
    });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    await eventually(() => received.some((r) => r.ev.pods?.length), { what: 'the pods of the stream' });
    assert.deepEqual(received.find((r) => r.ev.pods)?.ev.pods, [a, b]);

    // Lines written one at a time, alternating replicas; each one's write → receipt time recorded.
    const written = new Map<string, { pod: string; at: number }>();
    for (let i = 0; i < 6; i++) {
      const pod = i % 2 ? b : a;
      const text = `followed ${i} from ${pod}`;
      written.set(text, { pod, at: Date.now() });
      await cp.podLogs.append(NS, pod, 'peregrine', [text]);
      await new Promise((r) => setTimeout(r, 200));
    }
    const got = () => received.flatMap((r) => r.ev.lines.map((l) => ({ ...l, at: r.at })));
    await eventually(() => [...written.keys()].every((text) => got().some((l) => l.line === text)), { what: 'every followed line', timeoutMs: 30_000 });
    for (const [text, w] of written) {
      const l = got().find((x) => x.line === text)!;
      assert.equal(l.pod, w.pod, text);
      assert.equal(l.container, 'peregrine');
      t.diagnostic(`${text}: written → received in ${l.at - w.at} ms`);
    }
    // Only what was written after it opened, each once.
    assert.deepEqual(got().map((l) => l.line), [...written.keys()]);

    const v = await openSse(url, e.viewer, stop.signal, () => undefined);
    assert.equal(v.status, 403);
    assert.match((v.body as Problem).detail, /logs:read/);
  });

  it("previous=true: a crash-looping pod's previous container's lines; a pod that never restarted: 404 naming query.previous", SLOW, async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const { api, developer, core, runningPods, k } = await env(cp);
    const [pod, other] = await runningPods('indexd', 4);
    await cp.podLogs.append(NS, pod, 'indexd', ['Traceback (most recent call last):', 'sqlalchemy.exc.OperationalError: could not connect to server'], { previous: true });
    await cp.podLogs.append(NS, pod, 'indexd', ['[2026-11-24 08:00:00] starting indexd']);
    const none = await api<LogsView>(developer, `/services/indexd/logs?previous=true&pod=${pod}`);
    assert.equal(none.status, 404, JSON.stringify(none.body));
    assert.equal(none.body.errors?.[0].field, 'query.previous');
    assert.match(none.body.detail, /previous terminated container not found/);

    // kwok's "kubelet" crash-loops it (restartCount, lastState.terminated, Warning BackOff).
    await core.patchNamespacedPod({ name: pod, namespace: NS, body: { metadata: { annotations: { [FAULT_ANNOTATION]: 'CrashLoopBackOff' } } } }, merge);
    t.after(() => core.patchNamespacedPod({ name: pod, namespace: NS, body: { metadata: { annotations: { [FAULT_ANNOTATION]: null } } } }, merge));
    await eventually(() => k.platform.kube.podItems().find((p) => p.metadata?.name === pod)?.status?.containerStatuses?.[0]?.lastState?.terminated, { what: `${pod} to crash-loop` });

    const prev = await api<LogsView>(developer, `/services/indexd/logs?previous=true&pod=${pod}`);
    assert.equal(prev.status, 200, JSON.stringify(prev.body));
    assert.deepEqual(prev.body.pods, [pod]);
    assert.deepEqual(prev.body.items.map((l) => [l.pod, l.container, l.line]), [
      [pod, 'indexd', 'Traceback (most recent call last):'],
      [pod, 'indexd', 'sqlalchemy.exc.OperationalError: could not connect to server'],
    ]);
    // The whole service's previous containers: only the one that restarted has one.
    const service = await api<LogsView>(developer, '/services/indexd/logs?previous=true');
    assert.deepEqual([service.status, service.body.pods], [200, [pod]]);
    const otherPrev = await api<LogsView>(developer, `/services/indexd/logs?previous=true&pod=${other}`);
    assert.equal(otherPrev.status, 404, JSON.stringify(otherPrev.body));
    assert.equal(otherPrev.body.errors?.[0].field, 'query.previous');
    // The crash's Warning, for the service.
    const warning = await eventually(async () => (await api<KubeEventList>(developer, '/kubernetes-events?service=indexd')).body.items.find((x) => x.type === 'Warning' && x.objectName === pod), { what: 'the BackOff Warning' });
    assert.deepEqual([warning.reason, warning.objectKind, warning.service], ['BackOff', 'Pod', 'indexd']);
  });

  it("GET /job-runs/{job}/logs: a CronJob run's pod's lines", SLOW, async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const { api, developer, core } = await env(cp);
    const batch = cp.kubeConfig.makeApiClient(BatchV1Api);
    // As `kubectl create job --from=cronjob/arborist-rm-expired-access` makes it.
    const cj = await batch.readNamespacedCronJob({ name: 'arborist-rm-expired-access', namespace: NS });
    const job = 'arborist-rm-expired-access-manual-1';
    await batch.createNamespacedJob({
      namespace: NS,
      body: {
        metadata: { name: job, annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata!.name!, uid: cj.metadata!.uid!, controller: true }] },
        spec: cj.spec!.jobTemplate.spec!,
      },
    });
    const pod = await eventually(async () => (await core.listNamespacedPod({ namespace: NS, labelSelector: `job-name=${job}` })).items[0]?.metadata?.name, { what: `the pod of ${job}` });
    const container = cj.spec!.jobTemplate.spec!.template.spec!.containers[0].name;
    await cp.podLogs.append(NS, pod, container, ['deleting expired access for 3 users', 'done']);
    const r = await eventually(async () => {
      const x = await api<LogsView>(developer, `/job-runs/${job}/logs`);
      return x.status === 200 && x.body.items.length === 2 && x;
    }, { what: `the logs of ${job}`, timeoutMs: 30_000 });
    assert.deepEqual(r.body.pods, [pod]);
    assert.deepEqual(r.body.items.map((l) => [l.pod, l.container, l.line]), [
      [pod, 'arborist', 'deleting expired access for 3 users'],
      [pod, 'arborist', 'done'],
    ]);
    const missing = await api<LogsView>(developer, '/job-runs/no-such-job-1/logs');
    assert.equal(missing.status, 404, JSON.stringify(missing.body));
    assert.equal(missing.body.errors?.[0].field, 'path.job');
  });

  it("GET /kubernetes-events shows a scale's ScalingReplicaSet for the service; GET /resources sums metrics-server's numbers per service", SLOW, async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const { api, developer, viewer, operator, fleet, runningPods } = await env(cp);
    const scaled = await fleet.api(operator, 'POST', `/api/v1/commons/${ID}/services/audit/scale`, { replicas: 3 });
    assert.equal(scaled.status, 202, JSON.stringify(scaled.body));
    const ev = await eventually(async () => (await api<KubeEventList>(developer, '/kubernetes-events?service=audit')).body.items.find((x) => x.reason === 'ScalingReplicaSet' && / to 3\b/.test(x.message)), { what: 'the scale event' });
    assert.deepEqual([ev.type, ev.objectKind, ev.objectName, ev.service, ev.source], ['Normal', 'Deployment', 'audit-deployment', 'audit', 'deployment-controller']);
    const events = await api<KubeEventList>(developer, '/kubernetes-events?service=audit');
    assert.ok(events.body.items.every((x) => x.service === 'audit'));
    assert.equal((await api(viewer, '/kubernetes-events')).status, 403);
    await runningPods('audit', 3);
    await eventually(() => rolledOut(cp.kubeConfig.makeApiClient(AppsV1Api), NS, 'audit-deployment'), { what: 'audit at 3' });

    // metrics-server reports a pod after two scrapes; kwok's default usage is 1Mi a pod; requests and
    // limits as test/support/gen3-commons.ts sets them (100m and 128Mi requested, 1Gi memory limit, no CPU limit).
    const res = await eventually(async () => {
      const r = await api<CommonsResources>(developer, '/resources');
      const arborist = r.body.items?.find((s) => s.service === 'arborist');
      return r.status === 200 && r.body.available && arborist?.pods === 2 && r.body.items.find((s) => s.service === 'audit')?.pods === 3 && r;
    }, { what: 'resources from metrics-server', timeoutMs: 120_000, intervalMs: 1000 });
    assert.deepEqual(res.body.items.map((s) => s.service), SERVICES, 'every service, by name');
    const arborist = res.body.items.find((s) => s.service === 'arborist')!;
    assert.deepEqual(
      [arborist.memoryBytes, arborist.cpuRequestCores, arborist.cpuLimitCores, arborist.memoryRequestBytes, arborist.memoryLimitBytes],
      [2 * Mi, 0.2, null, 256 * Mi, 2048 * Mi],
    );
    assert.ok(arborist.cpuCores >= 0 && arborist.cpuCores < 0.05, `arborist cpu ${arborist.cpuCores}`);
  });

  it("request metrics: revproxy's access lines in both replicas' logs (and a new replica's), followed through pods/log, on /metrics", SLOW, async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const { fleet, k, runningPods } = await env(cp);
    const collector = k.platform.collectors.find((c) => c.name === 'revproxy-requests') as RequestMetricsCollector | undefined;
    assert.ok(collector, 'the agent derives request metrics on Kubernetes');
    // What the follower reads, per pod, to know its stream of each replica is open before counting starts.
    const seen: LogLineFacts[] = [];
    const take = collector.follower.take.bind(collector.follower);
    collector.follower.take = (b) => {
      seen.push(...b);
      take(b);
    };
    const [a, b] = await runningPods('revproxy', 2);
    let probe = 0;
    for (const pod of [a, b]) {
      await eventually(async () => {
        const text = `2026/11/24 08:00:00 [notice] 1#1: probe ${++probe}`;
        await cp.podLogs.append(NS, pod, 'revproxy', [text]);
        return eventually(() => seen.some((l) => l.pod === pod && l.text === text), { timeoutMs: 2000, intervalMs: 50 }).catch(() => false);
      }, { what: `the follower to read ${pod}`, timeoutMs: 60_000 });
    }

    const metrics = async () => requestSeries(await commonsDetailText(fleet.control.url));
    assert.deepEqual(await metrics(), [], `no request counted yet: the ${REVPROXY_HISTORY} lines already in the log when the agent started are not`);

    const fence = { upstream: upstream('fence'), proxyService: 'fence' };
    await cp.podLogs.append(NS, a, 'revproxy', [
      nginxLine({ ...fence, status: 200, secs: '0.003', uri: '/user/user' }),
      nginxLine({ ...fence, status: 200, secs: '0.200', uri: '/user/user' }),
      nginxLine({ status: 200, secs: '0.020', uri: '/index/index?limit=5', upstream: upstream('indexd'), proxyService: 'indexd' }),
      // nginx's error log goes to the same stream: not an access line.
      '2026/11/24 08:00:01 [error] 31#31: *7 upstream timed out (110: Connection timed out) while reading response header from upstream',
      // sheepdog-service.conf `location /api/` sets no $proxy_service: told apart by its upstream.
      nginxLine({ status: 403, secs: '0.001', verb: 'POST', uri: '/api/v0/submission/program1/project1', upstream: upstream('sheepdog'), proxyService: 'noproxy' }),
    ]);
    await cp.podLogs.append(NS, b, 'revproxy', [
      nginxLine({ ...fence, status: 200, secs: '1.500', uri: '/user/oauth2/authorize' }),
      nginxLine({ ...fence, status: 502, secs: '0.050', uri: '/user/user' }),
      nginxLine({ ...fence, status: 502, secs: '0.050', uri: '/user/user' }),
      nginxLine({ status: 200, secs: '0.040', uri: '/mds/metadata?limit=10', upstream: upstream('metadata'), proxyService: 'metadata-service' }),
      // nginx answered itself (no upstream): revproxy.
      nginxLine({ status: 302, secs: '0.000', uri: '/login', upstream: '-', proxyService: 'noproxy' }),
    ]);
    const base = { commons: ID, environment: ENVIRONMENT };
    const totals = (all: Series[]) =>
      all.filter((s) => s.name === 'dcoc_requests_total').map((s) => `${s.labels.service} ${s.labels.code} ${s.value}`).sort();
    const expected = ['fence 2xx 3', 'fence 5xx 2', 'indexd 2xx 1', 'metadata 2xx 1', 'revproxy 3xx 1', 'sheepdog 4xx 1'];
    const m = await eventually(async () => {
      const all = await metrics();
      return totals(all).join() === expected.join() && all;
    }, { what: 'the requests on /metrics', timeoutMs: 30_000 }).catch(async (e: Error) => {
      assert.deepEqual(totals(await metrics()), expected, e.message);
      throw e;
    });
    for (const s of m) assert.deepEqual([s.labels.commons, s.labels.environment], [base.commons, base.environment], JSON.stringify(s));
    const value = (name: string, labels: Record<string, string>) => m.find((s) => s.name === name && Object.entries(labels).every(([key, v]) => s.labels[key] === v))?.value;
    const fence2xx = { ...base, service: 'fence', code: '2xx' };
    // The histogram of response_secs (0.003, 0.200, 1.500): cumulative buckets.
    const buckets = Object.fromEntries(m.filter((s) => s.name === 'dcoc_request_duration_seconds_bucket' && s.labels.service === 'fence' && s.labels.code === '2xx').map((s) => [s.labels.le, s.value]));
    assert.deepEqual(buckets, { '0.005': 1, '0.01': 1, '0.025': 1, '0.05': 1, '0.1': 1, '0.25': 2, '0.5': 2, '1': 2, '2.5': 3, '5': 3, '10': 3, '30': 3, '+Inf': 3 });
    assert.equal(value('dcoc_request_duration_seconds_count', fence2xx), 3);
    assert.ok(Math.abs(value('dcoc_request_duration_seconds_sum', fence2xx)! - 1.703) < 1e-9, String(value('dcoc_request_duration_seconds_sum', fence2xx)));
    assert.equal(value('dcoc_request_duration_seconds_count', { ...base, service: 'fence', code: '5xx' }), 2);

    // A third replica: its lines (from its start) are counted too, the others' not again.
    const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeploymentScale({ name: 'revproxy-deployment', namespace: NS, body: { spec: { replicas: 3 } } }, merge);
    t.after(() => apps.patchNamespacedDeploymentScale({ name: 'revproxy-deployment', namespace: NS, body: { spec: { replicas: 2 } } }, merge));
    const c = (await runningPods('revproxy', 3)).find((p) => p !== a && p !== b)!;
    await cp.podLogs.append(NS, c, 'revproxy', [nginxLine({ ...fence, status: 200, secs: '0.004', uri: '/user/user' }), nginxLine({ ...fence, status: 401, secs: '0.004', uri: '/user/user' })]);
    const want = ['fence 2xx 4', 'fence 4xx 1', 'fence 5xx 2', 'indexd 2xx 1', 'metadata 2xx 1', 'revproxy 3xx 1', 'sheepdog 4xx 1'];
    await eventually(async () => totals(await metrics()).join() === want.join(), { what: "the new replica's requests", timeoutMs: 30_000 }).catch(async (e: Error) => {
      assert.deepEqual(totals(await metrics()), want, e.message);
      throw e;
    });
    assert.ok(seen.some((l) => l.pod === c), 'read from the new replica');
  });
});
