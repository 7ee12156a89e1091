// The agent's resources (metrics.k8s.io PodMetrics with the pods' requests
// and limits) against the real thing: metrics-server v0.9 behind the real
// kube-apiserver's aggregator, scraping the resource metrics kwok simulates
// for its fake Nodes' pods (their usage set by pod annotations), read by the
// agent as its ServiceAccount bound to agent/deploy/rbac.yaml, and compared
// with what the real `kubectl top pod` prints from the same API.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { PodResourceFacts } from '../../agent/core/types';
import { findKubectl } from '../../scripts/tools/helm-binary';
import { useControlPlane } from '../support/control-plane';
import { skipOrFail } from '../support/control-plane/binaries';
import { rolledOut } from '../support/control-plane/gen3-commons';
import { USAGE_CPU_ANNOTATION, USAGE_MEMORY_ANNOTATION } from '../support/control-plane/kwok-metrics';
import { eventually } from '../support/fleet';
import { NS, realKubeCommons } from '../support/kube-agent';

const controlPlane = useControlPlane({ metricsServer: true });
const KUBECTL = await findKubectl();
const run = promisify(execFile);
const Mi = 2 ** 20;

describe('resources from the real metrics-server', () => {
  let stopCollector: (() => Promise<void>) | undefined;
  after(async () => stopCollector?.());

  it("the agent's per-pod CPU and memory are metrics-server's, with the containers' requests and limits, as kubectl top shows them", { timeout: 300_000 }, async (t) => {
    if ('missing' in KUBECTL) return skipOrFail(t, KUBECTL.missing);
    const cp = await controlPlane(t);
    if (!cp) return;
    // No fence: its HPA would scale it on these very metrics.
    const k = await realKubeCommons(cp, { services: ['arborist', 'indexd'] });
    await k.platform.kube.start(k.obs);
    stopCollector = () => k.platform.kube.stop();

    // arborist's pods use 250m CPU and 300Mi (kwok simulates it from the annotations); requests and limits as a chart sets them.
    const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
    const dep = await apps.readNamespacedDeployment({ name: 'arborist-deployment', namespace: NS });
    const container = dep.spec!.template.spec!.containers[0];
    await apps.patchNamespacedDeployment(
      {
        name: 'arborist-deployment',
        namespace: NS,
        body: {
          spec: {
            template: {
              metadata: { annotations: { [USAGE_CPU_ANNOTATION]: '250m', [USAGE_MEMORY_ANNOTATION]: '300Mi' } },
              spec: { containers: [{ ...container, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } } }] },
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await cp.waitFor('arborist rolled out with its usage', () => rolledOut(apps, NS, 'arborist-deployment'));
    const arboristPods = () => k.platform.kube.podItems().filter((p) => p.metadata?.labels?.app === 'arborist' && p.metadata?.annotations?.[USAGE_CPU_ANNOTATION] && !p.metadata.deletionTimestamp).map((p) => p.metadata!.name!).sort();

    // metrics-server needs two scrapes (10 s apart) of a pod before it reports its CPU rate.
    const arborist = await eventually(
      async () => {
        const r = await k.platform.inspector.resources!();
        if (!r.available) return false;
        const want = arboristPods();
        const got = r.pods.filter((p) => p.service === 'arborist');
        return want.length === 2 && got.map((p) => p.pod).join() === want.join() && got;
      },
      { what: "arborist's pods in metrics.k8s.io", timeoutMs: 120_000, intervalMs: 1000 },
    );
    for (const p of arborist) {
      // kwok's cumulative CPU counter grows at 250m per second; metrics-server reports its rate over the last scrape window.
      assert.ok(Math.abs(p.cpuCores - 0.25) < 0.05, `${p.pod} cpu ${p.cpuCores}`);
      assert.equal(p.memoryBytes, 300 * Mi);
      assert.deepEqual([p.cpuRequestCores, p.cpuLimitCores, p.memoryRequestBytes, p.memoryLimitBytes], [0.1, 1, 256 * Mi, 1024 * Mi]);
    }
    // indexd: kwok's default usage (1m, 1Mi), and the requests and limits every service gets in
    // test/support/gen3-commons.ts (100m and 128Mi requested, 1Gi memory limit, no CPU limit).
    const all = (await k.platform.inspector.resources!()) as { available: true; pods: PodResourceFacts[] };
    const indexd = all.pods.filter((p) => p.service === 'indexd');
    assert.equal(indexd.length, 4);
    for (const p of indexd) {
      assert.equal(p.memoryBytes, 1 * Mi);
      assert.deepEqual([p.cpuRequestCores, p.cpuLimitCores, p.memoryRequestBytes, p.memoryLimitBytes], [0.1, 0, 128 * Mi, 1024 * Mi]);
    }

    // The same numbers as kubectl top pod (millicores and Mi, as it rounds), read between two of the agent's reads that agree.
    await eventually(
      async () => {
        const before = await k.platform.inspector.resources!();
        const { stdout } = await run(KUBECTL.path, ['top', 'pod', '-n', NS, '--no-headers', `--kubeconfig=${cp.kubeconfigFile}`]);
        const after = await k.platform.inspector.resources!();
        if (!before.available || !after.available || JSON.stringify(before.pods) !== JSON.stringify(after.pods)) return false;
        const top = stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
        const ours = before.pods.map((p) => [p.pod, `${Math.round(p.cpuCores * 1000)}m`, `${Math.round(p.memoryBytes / Mi)}Mi`]);
        assert.deepEqual(ours.sort(), top.sort());
        return true;
      },
      { what: 'kubectl top pod and the agent to agree', timeoutMs: 60_000, intervalMs: 1000 },
    );
    // Read as the agent's ServiceAccount, through the apiserver.
    const lists = cp.audit({ user: k.agent.username }).filter((e) => e.objectRef?.apiGroup === 'metrics.k8s.io');
    assert.ok(lists.length > 0 && lists.every((e) => e.verb === 'list' && e.objectRef?.resource === 'pods'));
    assert.ok(lists.some((e) => e.responseStatus?.code === 200));
  });
});
