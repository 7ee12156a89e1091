// A restart through the control service on the real control plane: the operator's POST reaches the agent, which patches the
// Deployment once; the real deployment and ReplicaSet controllers roll it and
// kwok makes the new pods Ready. Every progress line the control service
// reports is one `kubectl rollout status` (the real kubectl, watching the same
// Deployment as an admin) printed, and both end "successfully rolled out".
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import type { CommandView } from '../../contracts/api';
import { findKubectl } from '../../scripts/tools/helm-binary';
import { useControlPlane } from '../support/control-plane';
import { skipOrFail } from '../support/control-plane/binaries';
import { rolledOut } from '../support/control-plane/gen3-commons';
import { eventually } from '../support/fleet';
import { NS, realKubeAgentOnFleet } from '../support/kube-agent';

const controlPlane = useControlPlane();
const ID = 'data-example-org';
const KUBECTL = await findKubectl();

const isReady = (p: V1Pod) => p.status?.phase === 'Running' && Boolean(p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

/** `kubectl rollout status --watch`: the lines it has printed so far, and its exit. */
function kubectlRolloutStatus(kubectl: string, kubeconfig: string, deployment: string) {
  const child = spawn(kubectl, ['rollout', 'status', `deployment/${deployment}`, '-n', NS, '--watch', '--timeout=240s', `--kubeconfig=${kubeconfig}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const collect = (stream: NodeJS.ReadableStream) => createInterface({ input: stream }).on('line', (l) => l && lines.push(l));
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { lines, exited };
}

describe('a restart through the control service on the real control plane', { timeout: 300_000 }, () => {
  it('reaches succeeded: one new ReplicaSet, every old pod replaced, all Ready, progress as kubectl rollout status says it', async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    if ('missing' in KUBECTL) return skipOrFail(t, KUBECTL.missing);
    const env = await realKubeAgentOnFleet(cp);
    t.after(() => env.stop());
    const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    const name = 'fence-deployment';
    const selector = 'app=fence';
    const oldReplicaSets = new Set((await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: selector })).items.map((r) => r.metadata!.uid!));
    const oldPods = new Set((await core.listNamespacedPod({ namespace: NS, labelSelector: selector })).items.map((p) => p.metadata!.uid!));
    assert.equal(oldPods.size, 3);

    // kubectl rollout status is run after the restart, as an operator would, and exits when the
    // rollout is done; so it must start after the agent's patch and before the controllers act
    // on it, to see every state the agent can. The controller manager is paused meanwhile.
    const kcm = cp.daemons.find((d) => d.name === 'kube-controller-manager')!;
    process.kill(kcm.pid, 'SIGSTOP');
    t.after(() => process.kill(kcm.pid, 'SIGCONT'));
    const r = await env.fleet.admin<{ command: { id: string } }>('POST', `/api/v1/commons/${ID}/services/fence/restart`);
    assert.equal(r.status, 202);
    await eventually(async () => (await apps.readNamespacedDeployment({ name, namespace: NS })).spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], {
      what: 'the agent to patch the Deployment',
    });
    const kubectl = kubectlRolloutStatus(KUBECTL.path, cp.kubeconfigFile, name);
    await eventually(() => kubectl.lines.length > 0, { what: 'kubectl rollout status to start watching' });
    process.kill(kcm.pid, 'SIGCONT');
    const command = await eventually(async () => {
      const v = (await env.fleet.admin<CommandView>('GET', `/api/v1/commands/${r.body.command.id}`)).body;
      return ['succeeded', 'failed', 'expired'].includes(v.state) && v;
    }, { what: 'the restart to finish', timeoutMs: 120_000 });
    assert.equal(command.state, 'succeeded', command.message);

    // The cluster: one new ReplicaSet owns every pod, none of the old pods is left, all Ready.
    assert.ok(await rolledOut(apps, NS, name));
    const replicaSets = (await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: selector })).items;
    const added = replicaSets.filter((x) => !oldReplicaSets.has(x.metadata!.uid!));
    assert.equal(added.length, 1, `new ReplicaSets: ${added.map((x) => x.metadata?.name).join(', ')}`);
    for (const old of replicaSets.filter((x) => x !== added[0])) assert.equal(old.spec?.replicas, 0, `${old.metadata?.name} scaled to 0`);
    const pods = await eventually(async () => {
      const items = (await core.listNamespacedPod({ namespace: NS, labelSelector: selector })).items;
      return items.length === 3 && items;
    }, { what: 'the old pods to be gone' });
    for (const p of pods) {
      assert.ok(!oldPods.has(p.metadata!.uid!), `${p.metadata?.name} is an old pod`);
      assert.equal(p.metadata?.ownerReferences?.[0]?.uid, added[0].metadata!.uid, `${p.metadata?.name} belongs to the new ReplicaSet`);
      assert.ok(isReady(p), `${p.metadata?.name} is ${p.status?.phase}`);
    }

    // The progress: what the agent said about the rollout is what kubectl said, and both end the same way.
    const printed = { code: await kubectl.exited, lines: kubectl.lines };
    assert.equal(printed.code, 0, printed.lines.join('\n'));
    const kubectlSaid = new Set(printed.lines);
    const rolloutLines = command.progress.map((p) => p.message).filter((m) => /^Waiting for deployment |^deployment ".*" successfully rolled out$/.test(m));
    const trace = `agent:\n  ${rolloutLines.join('\n  ')}\nkubectl:\n  ${printed.lines.join('\n  ')}`;
    assert.ok(rolloutLines.length >= 2, `the agent reported the rollout as it went:\n${trace}`);
    for (const line of rolloutLines) assert.ok(kubectlSaid.has(line), `kubectl rollout status never said "${line}"\n${trace}`);
    assert.equal(command.message, `deployment "${name}" successfully rolled out`);
    assert.equal(printed.lines.at(-1), command.message, trace);
  });
});
