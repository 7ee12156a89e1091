// The collector's watches against the real apiserver when the connection
// fails: through a TCP proxy that cuts connections and holds new
// ones, and with etcd compacted on demand so the apiserver itself answers a
// resumed watch "410 Gone" (watch cache off, so the watch is served from
// etcd). The agent's requests are read back from the apiserver's audit log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type AuditEvent, type ControlPlane, useControlPlane } from '../support/control-plane';
import { compactEtcd } from '../support/control-plane/etcd-compact';
import { type FaultProxy, startFaultProxy } from '../support/control-plane/fault-proxy';
import { eventually } from '../support/fleet';
import { NS, realKubeCommons } from '../support/kube-agent';

const controlPlane = useControlPlane({ watchCache: false });
const DEPLOYMENTS = `/apis/apps/v1/namespaces/${NS}/deployments`;

describe('collector watches over a failing connection', { timeout: 300_000 }, () => {
  let cp: ControlPlane | undefined;
  let proxy: FaultProxy;
  let k: Awaited<ReturnType<typeof realKubeCommons>>;
  let apps: AppsV1Api;

  before(async (t) => {
    cp = await controlPlane(t as never);
    if (!cp) return;
    proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(cp.server).port) });
    k = await realKubeCommons(cp, { server: `https://${proxy.addr}` });
    await k.platform.kube.start(k.obs);
    apps = cp.kubeConfig.makeApiClient(AppsV1Api);
  });
  after(async () => {
    await k?.platform.kube.stop();
    await proxy?.close();
  });

  /** The agent's requests on Deployments, oldest first. */
  const deploymentRequests = (): AuditEvent[] =>
    cp!.audit({ user: k.agent.username }).filter((e) => e.requestURI.startsWith(DEPLOYMENTS));
  const isWatch = (e: AuditEvent) => e.verb === 'watch';
  /**
   * Of the agent's Deployment requests since `seen`: the first watch it sent
   * after the proxy let it through again, which must resume from a
   * resourceVersion older than `changedRv` (not a fresh list), and whether a
   * list followed it. The audit log records a watch when it ends.
   */
  const resumedThenListed = (seen: number, resumedAt: Date, changedRv: string) => {
    const after = deploymentRequests().slice(seen);
    const trace = after.map((e) => `${e.verb} ${e.requestReceivedTimestamp} ${e.requestURI}`).join('\n');
    const resumed = after.filter((e) => isWatch(e) && new Date(e.requestReceivedTimestamp) >= resumedAt).sort((a, b) => a.requestReceivedTimestamp.localeCompare(b.requestReceivedTimestamp))[0];
    assert.ok(resumed, `the collector watched again after the outage:\n${trace}`);
    assert.ok(Number(rvOf(resumed)) < Number(changedRv), `it resumed from its old resourceVersion (< ${changedRv}), not after a fresh list:\n${trace}`);
    const relisted = after.some((e) => e.verb === 'list' && e.requestReceivedTimestamp > resumed.requestReceivedTimestamp);
    return { resumed, relisted, after };
  };
  const rvOf = (e: AuditEvent) => new URL(e.requestURI, 'https://x').searchParams.get('resourceVersion') ?? '';
  /** A resourceVersion after every change so far: compacting at it leaves those changes' revisions behind, as periodic compaction does. */
  const laterRevision = async () => {
    const core = cp!.kubeConfig.makeApiClient(CoreV1Api);
    const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'tick-' } } });
    return cm.metadata!.resourceVersion!;
  };
  const setReplicas = (name: string, replicas: number) =>
    apps.patchNamespacedDeployment({ name, namespace: NS, body: { spec: { replicas } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));

  it('a cut connection is re-established and the collector keeps following changes', async (t) => {
    if (!cp) return t.skip('no control plane');
    await eventually(() => k.obs.services().length === 14, { what: 'all services' });
    const before = proxy.connections;
    proxy.cut();
    await setReplicas('sheepdog-deployment', 3);
    await eventually(() => k.obs.service('sheepdog')?.desired === 3, { what: 'the change made after the cut' });
    assert.ok(proxy.connections > before, 'the collector connected again');
  });

  it('a watch resumed after etcd compaction gets 410 Gone from the apiserver, relists and loses no change', async (t) => {
    if (!cp) return t.skip('no control plane');
    await eventually(() => k.obs.service('peregrine')?.desired === 2, { what: 'peregrine at 2' });
    const seen = deploymentRequests().length;
    // Cut the watches and hold the reconnect; meanwhile a change lands and history is compacted past it.
    proxy.hold();
    proxy.cut();
    const changed = await setReplicas('peregrine-deployment', 5);
    await compactEtcd(cp.etcdAddr, await laterRevision());
    const resumedAt = new Date();
    proxy.resume();
    await eventually(() => k.obs.service('peregrine')?.desired === 5, { what: 'the change made during the outage' });
    assert.ok(resumedThenListed(seen, resumedAt, changed.metadata!.resourceVersion!).relisted, 'after the 410 the collector listed again');

    // And it is watching again from the new list: a later change arrives.
    await setReplicas('peregrine-deployment', 2);
    await eventually(() => k.obs.service('peregrine')?.desired === 2, { what: 'a change after the relist' });
  });

  it('a watch answered with any other error event (500 after a compaction at the change itself) also relists, once, not in a loop', async (t) => {
    if (!cp) return t.skip('no control plane');
    // The apiserver answers a resumed watch ERROR 500 "etcd event received with PrevKv=nil" (not 410)
    // when it resumes from revision R-1 and etcd was compacted at R, the first change it has not seen.
    // So: the collector sees a label change at R-1, then (held off) a change at R, then compaction at R.
    // The other writers (controllers, scheduler, kwok) are paused meanwhile; the apiserver's own
    // lease renewal may still come in between, and then the attempt is repeated.
    const others = cp.daemons.filter((d) => d.name !== 'etcd' && d.name !== 'kube-apiserver');
    const signal = (sig: NodeJS.Signals) => others.forEach((d) => process.kill(d.pid, sig));
    signal('SIGSTOP');
    t.after(() => signal('SIGCONT'));
    for (let attempt = 1; ; attempt++) {
      const mark = String(attempt);
      const seenByAgent = await apps.patchNamespacedDeployment(
        { name: 'metadata-deployment', namespace: NS, body: { metadata: { labels: { 'dcoc-test/mark': mark } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await eventually(() => k.platform.kube.deployment('metadata-deployment')?.metadata?.labels?.['dcoc-test/mark'] === mark, { what: 'the collector to see the label' });
      const seen = deploymentRequests().length;
      proxy.hold();
      proxy.cut();
      const changed = await setReplicas('metadata-deployment', 2 + attempt);
      if (Number(changed.metadata!.resourceVersion) !== Number(seenByAgent.metadata!.resourceVersion) + 1) {
        proxy.resume();
        assert.ok(attempt < 10, 'another component wrote between the two changes 10 times in a row');
        continue;
      }
      await compactEtcd(cp.etcdAddr, changed.metadata!.resourceVersion!);
      const resumedAt = new Date();
      proxy.resume();
      await eventually(() => k.obs.service('metadata')?.desired === 2 + attempt, { what: 'the change made during the outage' });
      const { resumed, relisted, after } = resumedThenListed(seen, resumedAt, changed.metadata!.resourceVersion!);
      assert.equal(rvOf(resumed), seenByAgent.metadata!.resourceVersion, 'it resumed from the label change');
      assert.ok(relisted, 'after the error event the collector listed again');
      assert.equal(after.filter((e) => isWatch(e) && rvOf(e) === rvOf(resumed)).length, 1, 'the stale resourceVersion was watched once, not again and again');
      return;
    }
  });
});
