// The agent's Kubernetes inspector on the real control plane, as its
// ServiceAccount bound to agent/deploy/rbac.yaml: pods/log through the real
// kube-apiserver (which asks the pod's Node's kubelet, kwok here, for the log
// a test writes: test/support/control-plane/pod-logs.ts), the namespace's
// events mapped to services, and metrics.k8s.io when no metrics-server runs.
// Not end to end through the control service's logs routes: those (and the
// agent's LogRequest handling) are another part of this change; this reads
// the agent's LogSource, which they call.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, KubernetesObjectApi, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { GEN3_SERVICES } from '../../contracts/gen3/catalog';
import type { LogLineFacts, LogQuery, LogSink } from '../../agent/core/types';
import { LogSourceError } from '../../agent/core/types';
import { kubeClients } from '../../agent/kubernetes/kube-client';
import { KubePlatform } from '../../agent/kubernetes/kube-platform';
import { Observations } from '../../agent/core/observations';
import pino from 'pino';
import { findKubectl } from '../../scripts/tools/helm-binary';
import { type ControlPlane, useControlPlane } from '../support/control-plane';
import { skipOrFail } from '../support/control-plane/binaries';
import { rolledOut } from '../support/control-plane/gen3-commons';
import { FAULT_ANNOTATION } from '../support/control-plane/kwok-stages';
import { metricsApiObjects } from '../support/control-plane/metrics-server';
import { eventually } from '../support/fleet';
import { NS, command, realKubeCommons, run } from '../support/kube-agent';

const controlPlane = useControlPlane();
const KUBECTL = await findKubectl();
const exec = promisify(execFile);

/** What the real `kubectl logs --timestamps` prints for a pod's container, as [time ms, text]. */
async function kubectlLogs(cp: ControlPlane, pod: string, container: string, ...args: string[]): Promise<[number, string][]> {
  if ('missing' in KUBECTL) throw new Error(KUBECTL.missing);
  const { stdout } = await exec(KUBECTL.path, ['logs', pod, '-c', container, '-n', NS, '--timestamps', ...args, `--kubeconfig=${cp.kubeconfigFile}`]);
  return stdout.split('\n').filter(Boolean).map((l) => {
    const i = l.indexOf(' ');
    return [Date.parse(l.slice(0, i)), l.slice(i + 1)];
  });
}
const SLOW = { timeout: 300_000 };

class Collect implements LogSink {
  readonly got: LogLineFacts[] = [];
  readonly podSets: string[][] = [];
  lines(batch: LogLineFacts[]): void {
    this.got.push(...batch);
  }
  pods(names: string[]): void {
    this.podSets.push([...names]);
  }
  texts(pod?: string): string[] {
    return this.got.filter((l) => !pod || l.pod === pod).map((l) => l.text);
  }
}

const query = (q: Partial<LogQuery>): LogQuery => ({ previous: false, follow: false, sinceMs: null, tailLines: null, ...q });
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let shared: Promise<Awaited<ReturnType<typeof realKubeCommons>>> | undefined;
after(async () => (await shared?.catch(() => undefined))?.platform.kube.stop());

/** One commons for the file, with the agent's platform collecting (its watches are what the inspector reads pods from). */
async function commons(cp: ControlPlane) {
  shared ??= realKubeCommons(cp).then(async (k) => {
    await k.platform.kube.start(k.obs);
    return k;
  });
  const k = await shared;
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
  /** The Running pods of a service (by its app label), sorted, once the agent's pod watch sees exactly them. */
  const runningPods = async (app: string, n: number) =>
    eventually(async () => {
      const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: `app=${app}` })).items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
      const names = pods.map((p) => p.metadata!.name!).sort();
      const seen = k.platform.kube.podItems().filter((p) => p.metadata?.labels?.app === app && p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).map((p) => p.metadata!.name!).sort();
      return names.length === n && names.join() === seen.join() && names;
    }, { what: `${n} running pods of ${app}`, timeoutMs: 60_000 });
  return { k, core, apps, runningPods };
}

describe('the agent reads pods/log, events and resources through the real apiserver', () => {
  it("a service's replicas' logs arrive merged with their pod names; follow sees later lines of every replica, and a replica that starts later", SLOW, async (t) => {
    if ('missing' in KUBECTL) return skipOrFail(t, KUBECTL.missing);
    const cp = await controlPlane(t);
    if (!cp) return;
    const { k, apps, runningPods } = await commons(cp);
    const logs = k.platform.inspector.logs!;
    // arborist runs 2 replicas in the chart's defaults (test/support/gen3-commons.ts).
    const [a, b] = await runningPods('arborist', 2);
    const t0 = Date.now() - 60_000;
    const at = (s: number) => new Date(t0 + s * 1000);
    await cp.podLogs.append(NS, a, 'arborist', [{ text: 'a1 GET /health 200', time: at(1) }, { text: 'a2 GET /auth/mapping 200', time: at(3) }, { text: 'a3 POST /auth/request 403', time: at(5) }]);
    await cp.podLogs.append(NS, b, 'arborist', [{ text: 'b1 GET /health 200', time: at(2) }, { text: 'b2 GET /user 500', time: at(4) }]);

    const all = new Collect();
    await logs.streamLogs(query({ service: 'arborist' }), all, new AbortController().signal);
    assert.deepEqual(all.podSets, [[a, b]]);
    // What the real kubectl logs prints for each pod, the same lines and times.
    for (const pod of [a, b]) assert.deepEqual(await kubectlLogs(cp, pod, 'arborist'), all.got.filter((l) => l.pod === pod).map((l) => [l.timeMs, l.text]));
    // Read through the apiserver as the agent's ServiceAccount (which asked kwok, the Nodes' kubelet).
    const reads = cp.audit({ user: k.agent.username }).filter((e) => e.objectRef?.subresource === 'log');
    assert.deepEqual(reads.map((e) => `${e.verb} ${e.objectRef?.name} ${e.responseStatus?.code}`).sort(), [`get ${a} 200`, `get ${b} 200`]);
    // Merged by the runtime's timestamps, each with its pod and the service's container.
    assert.deepEqual(
      all.got.map((l) => [l.pod, l.container, l.text, l.timeMs]),
      [
        [a, 'arborist', 'a1 GET /health 200', at(1).getTime()],
        [b, 'arborist', 'b1 GET /health 200', at(2).getTime()],
        [a, 'arborist', 'a2 GET /auth/mapping 200', at(3).getTime()],
        [b, 'arborist', 'b2 GET /user 500', at(4).getTime()],
        [a, 'arborist', 'a3 POST /auth/request 403', at(5).getTime()],
      ],
    );
    // tailLines per pod, sinceMs, one pod: as kubectl logs --tail / --since-time / <pod>.
    const tail = new Collect();
    await logs.streamLogs(query({ service: 'arborist', tailLines: 1 }), tail, new AbortController().signal);
    assert.deepEqual(tail.texts(), ['b2 GET /user 500', 'a3 POST /auth/request 403']);
    const since = new Collect();
    await logs.streamLogs(query({ service: 'arborist', sinceMs: at(3).getTime() }), since, new AbortController().signal);
    assert.deepEqual(since.texts(), ['a2 GET /auth/mapping 200', 'b2 GET /user 500', 'a3 POST /auth/request 403']);
    const one = new Collect();
    await logs.streamLogs(query({ service: 'arborist', pod: b }), one, new AbortController().signal);
    assert.deepEqual(one.texts(), ['b1 GET /health 200', 'b2 GET /user 500']);
    await assert.rejects(logs.streamLogs(query({ service: 'arborist', pod: 'fence-deployment-x' }), new Collect(), new AbortController().signal), /is not one of service arborist's pods/);
    await assert.rejects(logs.streamLogs(query({ service: 'no-such-service' }), new Collect(), new AbortController().signal), /has no Deployment of service no-such-service/);

    // Follow: the history, then what each replica writes later, then a third replica's lines.
    const follow = new Collect();
    const stop = new AbortController();
    // A failed assertion must not leave a follow running (the file would never end).
    t.after(() => stop.abort());
    const following = logs.streamLogs(query({ service: 'arborist', follow: true, tailLines: 2 }), follow, stop.signal);
    await eventually(() => follow.got.length === 4, { what: 'the followed history' });
    assert.deepEqual(follow.texts(), ['b1 GET /health 200', 'a2 GET /auth/mapping 200', 'b2 GET /user 500', 'a3 POST /auth/request 403']);
    await cp.podLogs.append(NS, a, 'arborist', ['a4 later']);
    await cp.podLogs.append(NS, b, 'arborist', ['b3 later']);
    await eventually(() => follow.texts().includes('a4 later') && follow.texts().includes('b3 later'), { what: 'lines appended to both replicas' });
    assert.equal(follow.got.find((l) => l.text === 'a4 later')?.pod, a);
    assert.equal(follow.got.find((l) => l.text === 'b3 later')?.pod, b);

    // Following from now on (tailLines 0, as revproxy's request-metrics follower does): none of what is there already.
    const fromNow = new Collect();
    const stopNow = new AbortController();
    t.after(() => stopNow.abort());
    const followingNow = logs.streamLogs(query({ service: 'arborist', follow: true, tailLines: 0 }), fromNow, stopNow.signal);
    await eventually(() => fromNow.podSets.length > 0, { what: 'the pods of the follow from now' });
    assert.deepEqual(fromNow.podSets, [[a, b]]);
    await cp.podLogs.append(NS, b, 'arborist', ['b-now']);
    await cp.podLogs.append(NS, a, 'arborist', ['a-now']);
    await eventually(() => fromNow.got.length >= 2 && follow.texts().includes('a-now'), { what: 'the lines written after the follow from now began' });
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(fromNow.texts().sort(), ['a-now', 'b-now']);
    stopNow.abort();
    await followingNow;

    await apps.patchNamespacedDeploymentScale({ name: 'arborist-deployment', namespace: NS, body: { spec: { replicas: 3 } } }, merge);
    const three = await runningPods('arborist', 3);
    const c = three.find((p) => p !== a && p !== b)!;
    await eventually(() => follow.podSets.at(-1)?.includes(c), { what: `the follow to read the new replica ${c}` });
    await cp.podLogs.append(NS, c, 'arborist', ['c1 from the new replica']);
    await cp.podLogs.append(NS, a, 'arborist', ['a5 still here']);
    await eventually(() => follow.texts().includes('c1 from the new replica') && follow.texts().includes('a5 still here'), { what: "the new replica's line" });
    assert.equal(follow.got.find((l) => l.text === 'c1 from the new replica')?.pod, c);

    // A replica that goes is dropped from the pods read.
    await apps.patchNamespacedDeploymentScale({ name: 'arborist-deployment', namespace: NS, body: { spec: { replicas: 2 } } }, merge);
    const left = await runningPods('arborist', 2);
    await eventually(() => follow.podSets.at(-1)?.join() === left.join(), { what: 'the follow to drop the removed replica' });
    // No line came twice.
    const texts = follow.texts();
    assert.deepEqual(texts, [...new Set(texts)]);
    stop.abort();
    await following;
    await eventually(async () => rolledOut(apps, NS, 'arborist-deployment'), { what: 'arborist back to 2' });
  });

  it("a crash-looping pod's previous container logs come with previous=true; without a restart it says none is there", SLOW, async (t) => {
    if ('missing' in KUBECTL) return skipOrFail(t, KUBECTL.missing);
    const cp = await controlPlane(t);
    if (!cp) return;
    const { k, core, runningPods } = await commons(cp);
    const logs = k.platform.inspector.logs!;
    const [pod] = await runningPods('indexd', 4);
    await assert.rejects(
      logs.streamLogs(query({ service: 'indexd', pod, previous: true }), new Collect(), new AbortController().signal),
      (e: Error) => e instanceof LogSourceError && /previous terminated container not found: no container of service indexd has restarted/.test(e.message),
    );
    await cp.podLogs.append(NS, pod, 'indexd', ['Traceback (most recent call last):', 'sqlalchemy.exc.OperationalError: could not connect to server'], { previous: true });
    await cp.podLogs.append(NS, pod, 'indexd', ['[2026-11-24 08:00:00] starting indexd']);
    // kwok's "kubelet" crashes the pod as a kubelet reports a crash loop (restartCount, lastState.terminated).
    await core.patchNamespacedPod({ name: pod, namespace: NS, body: { metadata: { annotations: { [FAULT_ANNOTATION]: 'CrashLoopBackOff' } } } }, merge);
    await eventually(() => k.platform.kube.podItems().find((p) => p.metadata?.name === pod)?.status?.containerStatuses?.[0]?.lastState?.terminated, { what: `${pod} to crash-loop` });

    const prev = new Collect();
    await logs.streamLogs(query({ service: 'indexd', previous: true }), prev, new AbortController().signal);
    assert.deepEqual(prev.podSets, [[pod]], 'only the pod that restarted has a previous container');
    assert.deepEqual(prev.got.map((l) => [l.pod, l.container, l.text]), [
      [pod, 'indexd', 'Traceback (most recent call last):'],
      [pod, 'indexd', 'sqlalchemy.exc.OperationalError: could not connect to server'],
    ]);
    assert.deepEqual(await kubectlLogs(cp, pod, 'indexd', '--previous'), prev.got.map((l) => [l.timeMs, l.text]));
    const cur = new Collect();
    await logs.streamLogs(query({ service: 'indexd', pod }), cur, new AbortController().signal);
    assert.deepEqual(cur.texts(), ['[2026-11-24 08:00:00] starting indexd']);

    // The crash's Warning, mapped to the service.
    const warning = await eventually(async () => (await k.platform.inspector.events!('indexd')).find((e) => e.type === 'Warning' && e.objectName === pod), { what: 'the BackOff Warning' });
    assert.equal(warning.reason, 'BackOff');
    assert.equal(warning.objectKind, 'Pod');
    assert.equal(warning.service, 'indexd');
    await core.patchNamespacedPod({ name: pod, namespace: NS, body: { metadata: { annotations: { [FAULT_ANNOTATION]: null } } } }, merge);
  });

  it('events name the service they concern: a scale and a restart show ScalingReplicaSet on its Deployment, pods their scheduling', SLOW, async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const { k, apps } = await commons(cp);
    const ex = (kind: string) => k.platform.executors.find((e) => e.kind === kind)!;
    assert.equal((await run(ex('scale'), command('scale', 'audit', { replicas: 3 }))).ok, true);
    assert.equal((await run(ex('restart'), command('restart', 'metadata', { restartedAt: '2026-11-24T08:00:00.000Z' }))).ok, true);
    const scaled = await eventually(async () => (await k.platform.inspector.events!('audit')).find((e) => e.reason === 'ScalingReplicaSet' && /to 3/.test(e.message)), { what: 'the scale event' });
    assert.deepEqual([scaled.type, scaled.objectKind, scaled.objectName, scaled.service, scaled.source], ['Normal', 'Deployment', 'audit-deployment', 'audit', 'deployment-controller']);
    // Only a rollout scales an old ReplicaSet down.
    const restarted = await eventually(async () => (await k.platform.inspector.events!('metadata')).find((e) => e.reason === 'ScalingReplicaSet' && /^Scaled down replica set metadata-deployment-/.test(e.message)), { what: 'the restart event' });
    assert.deepEqual([restarted.objectKind, restarted.objectName, restarted.service], ['Deployment', 'metadata-deployment', 'metadata']);
    // Pod events (the scheduler's) map through the Deployment that owns the pod; a filtered answer has only that service's.
    const all = await k.platform.inspector.events!();
    const appOf = new Map((await cp.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS })).items.map((p) => [p.metadata!.name!, p.metadata?.labels?.app ?? '']));
    const scheduled = all.filter((e) => e.reason === 'Scheduled' && e.objectKind === 'Pod' && GEN3_SERVICES.some((g) => g.name === appOf.get(e.objectName)));
    assert.ok(scheduled.length > 10, `${scheduled.length} Scheduled events of Gen3 pods`);
    for (const e of scheduled) assert.equal(e.service, appOf.get(e.objectName), `${e.objectName} → ${e.service}`);
    assert.ok((await k.platform.inspector.events!('audit')).every((e) => e.service === 'audit'));
    // Newest first within the Normal events.
    const times = all.filter((e) => e.type === 'Normal').map((e) => Date.parse(e.lastTime ?? ''));
    assert.deepEqual(times, [...times].sort((x, y) => y - x));
    await eventually(async () => rolledOut(apps, NS, 'audit-deployment'), { what: 'audit scaled' });
  });

  it('without pods/log in its Role the agent gets a forbidden error naming the permission; without metrics.k8s.io it says resources are unavailable and why', SLOW, async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const { k } = await commons(cp);
    // No metrics-server on this control plane: the apiserver serves no metrics.k8s.io (404).
    const none = await k.platform.inspector.resources!();
    assert.equal(none.available, false);
    assert.match(none.available ? '' : none.detail, /^this cluster serves no metrics\.k8s\.io API \(no metrics-server installed\): install metrics-server/);

    // A Role from before logs: pods/log and metrics.k8s.io taken out, as an older rbac.yaml.
    const ns = 'gen3-old-role';
    await cp.createNamespace(ns);
    const rbac = cp.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const role = await rbac.readNamespacedRole({ name: 'dcoc-agent', namespace: NS });
    const rules = role.rules!.filter((r) => !r.resources?.includes('pods/log') && !r.apiGroups?.includes('metrics.k8s.io'));
    assert.equal(rules.length, role.rules!.length - 2);
    await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'dcoc-agent' }, rules } });
    await rbac.createNamespacedRoleBinding({ namespace: ns, body: { metadata: { name: 'dcoc-agent' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'dcoc-agent' }, subjects: [{ kind: 'ServiceAccount', name: 'dcoc-agent', namespace: ns }] } });
    const sa = await cp.serviceAccountKubeConfig(ns, 'dcoc-agent');
    await cp.kubeConfig.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'fence-deployment', labels: { app: 'fence' } },
        spec: { replicas: 1, selector: { matchLabels: { app: 'fence' } }, template: { metadata: { labels: { app: 'fence' } }, spec: { containers: [{ name: 'fence', image: 'quay.io/cdis/fence:2026.07' }] } } },
      },
    });
    const platform = new KubePlatform({ clients: kubeClients(sa.kubeConfig), namespace: ns, log: pino({ level: 'silent' }), healthTargets: null });
    await platform.kube.start(new Observations());
    t.after(() => platform.kube.stop());
    await eventually(() => platform.kube.podItems().some((p) => p.status?.phase === 'Running'), { what: 'the fence pod running' });
    await assert.rejects(
      platform.inspector.logs!.streamLogs(query({ service: 'fence' }), new Collect(), new AbortController().signal),
      (e: Error) =>
        e instanceof LogSourceError &&
        /^forbidden: pods "fence-deployment-[a-z0-9-]+" is forbidden: User "system:serviceaccount:gen3-old-role:dcoc-agent" cannot get resource "pods\/log" in API group "" in the namespace "gen3-old-role"\. The agent's Role does not grant get on pods\/log: add it/.test(e.message),
    );
    const forbidden = await platform.inspector.resources!();
    assert.equal(forbidden.available, false);
    assert.match(forbidden.available ? '' : forbidden.detail, /^forbidden: .*cannot list resource "pods" in API group "metrics\.k8s\.io".*The agent's Role does not grant list on pods in apiGroup metrics\.k8s\.io/);
    const refused = cp.audit({ user: `system:serviceaccount:${ns}:dcoc-agent` }).filter((e) => e.responseStatus?.code === 403);
    assert.deepEqual([...new Set(refused.map((e) => `${e.objectRef?.apiGroup ?? ''}/${e.objectRef?.resource}/${e.objectRef?.subresource ?? ''} ${e.verb}`))].sort(), ['/pods/log get', 'metrics.k8s.io/pods/ list']);

    // metrics.k8s.io registered but its server not answering: 503 from the aggregator.
    const registered = metricsApiObjects(1);
    await cp.apply(registered.map((o) => stringify(o)).join('---\n'));
    t.after(async () => {
      const client = KubernetesObjectApi.makeApiClient(cp.kubeConfig);
      for (const o of registered) await client.delete(o).catch(() => undefined);
    });
    const down = await eventually(async () => {
      const r = await k.platform.inspector.resources!();
      return !r.available && /does not answer/.test(r.detail) && r;
    }, { what: 'a 503 from the aggregator' });
    assert.match(down.available ? '' : down.detail, /^metrics\.k8s\.io is registered but its server does not answer \(metrics-server down or not ready yet\)/);
  });
});
