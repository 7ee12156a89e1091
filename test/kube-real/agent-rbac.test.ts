// The agent's Role grants exactly the verbs and resources its code calls,
// judged by the real apiserver: every request the agent makes while it
// enrolls (its identity Secret), collects, runs each executor and answers
// each inspector question (logs, events, resources) is read from
// the audit log; none was refused, each is granted by agent/deploy/rbac.yaml,
// and every rule of that Role was used.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { useControlPlane } from '../support/control-plane';
import { eventually } from '../support/fleet';
import { NS, command, realKubeAgentOnFleet, run } from '../support/kube-agent';
import { granted, permissionOfAudit, roleRules } from '../support/rbac';

const controlPlane = useControlPlane();

describe('agent RBAC on the real apiserver', { timeout: 300_000 }, () => {
  it('the Role lists exactly what the agent calls, and the apiserver refused none of it', async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    // Enrollment stores the identity in its Secret (create), the agent reads it back; the collector starts.
    const env = await realKubeAgentOnFleet(cp);
    t.after(() => env.stop());
    const { platform } = env.k;
    // Every executor, including the paths that find work already done.
    const ex = (kind: string) => platform.executors.find((e) => e.kind === kind)!;
    const restart = command('restart', 'arborist', { restartedAt: '2026-11-24T08:00:00.000Z' });
    assert.equal((await run(ex('restart'), restart)).ok, true);
    assert.equal((await run(ex('restart'), restart)).ok, true);
    assert.equal((await run(ex('scale'), command('scale', 'audit', { replicas: 3 }))).ok, true);
    const cm = await cp.kubeConfig.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'manifest-global', namespace: NS });
    const config = await run(ex('config'), command('config', '', { revision: 2, baseRevision: 1, data: { ...cm.data, maintenance_mode: 'on' }, resourceVersion: cm.metadata!.resourceVersion }));
    assert.equal(config.ok, true, config.message);
    // A CronJob the chart renders by default (gen3-helm 42cc46bc helm/fence/templates/fence-delete-expired-clients-cron.yaml).
    assert.equal((await run(ex('run-job'), command('run-job', 'fence-delete-expired-clients', {}))).ok, true);
    // deploy: a server-side apply per changed Deployment, followed through the watches; a repeat finds it done.
    const deploy = command('deploy', '', { revision: 1, release: '2026.08', images: { fence: 'quay.io/cdis/fence:2026.08', 'presigned-url-fence': 'quay.io/cdis/fence:2026.08' }, replicas: {} });
    const deployed = await run(ex('deploy'), deploy);
    assert.equal(deployed.ok, true, deployed.message);
    assert.equal((await run(ex('deploy'), deploy)).ok, true);
    // Renewal replaces the identity Secret.
    await env.agent.renewNow();
    // The inspector: a service's logs (pods/log, through kwok as the Node's kubelet), the namespace's
    // events (the collector's watch), resources (metrics.k8s.io: authorized, then 404 with no metrics-server here).
    const insp = platform.inspector;
    const pod = await eventually(() => platform.kube.podItems().find((p) => p.metadata?.labels?.app === 'arborist' && p.status?.phase === 'Running')?.metadata?.name, { what: 'a running arborist pod' });
    await cp.podLogs.append(NS, pod, 'arborist', ['GET /health 200']);
    const lines: string[] = [];
    await insp.logs!.streamLogs({ service: 'arborist', pod, previous: false, follow: false, sinceMs: null, tailLines: null }, { lines: (b) => lines.push(...b.map((l) => l.text)), pods: () => undefined }, new AbortController().signal);
    assert.deepEqual(lines, ['GET /health 200']);
    assert.ok((await insp.events!()).length > 0);
    const resources = await insp.resources!();
    assert.equal(resources.available, false);

    // A watch is logged when it ends: stop the agent and its watches first.
    await env.stop();
    const events = await eventually(() => {
      const all = cp.audit({ user: env.k.agent.username });
      return all.filter((e) => e.verb === 'watch').length >= 4 && all;
    }, { what: 'the ended watches in the audit log' });
    const refused = events.filter((e) => (e.responseStatus?.code ?? 0) === 403);
    assert.deepEqual(refused.map((e) => `${e.verb} ${e.requestURI}`), [], 'the apiserver refused the agent');
    const used = new Set(events.map((e) => permissionOfAudit(e) ?? `unexpected request ${e.verb} ${e.requestURI}`));
    const rules = roleRules('agent/deploy/rbac.yaml');
    const allowed = granted(rules);
    assert.deepEqual([...used].filter((p) => !allowed.has(p)), [], 'the agent calls something its Role does not grant');
    assert.deepEqual([...allowed].filter((p) => !used.has(p)), [], 'the Role grants something the agent never calls');
    assert.ok(!rules.some((r) => r.verbs.includes('*') || r.resources.includes('*')));
    // Secrets: only its own identity Secret, by name.
    const secrets = events.filter((e) => e.objectRef?.resource === 'secrets');
    assert.ok(secrets.length > 0);
    for (const e of secrets) assert.equal(e.objectRef?.name, 'dcoc-agent-identity', `${e.verb} ${e.requestURI}`);
    const identity = await cp.kubeConfig.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'dcoc-agent-identity', namespace: NS });
    assert.deepEqual(Object.keys(identity.data ?? {}).sort(), ['agent-id', 'ca.crt', 'tls.crt', 'tls.key']);
    assert.equal(Buffer.from(identity.data!['agent-id'], 'base64').toString(), env.agent.agentId);
  });

  it('the Deployment runs as that ServiceAccount, with the enrollment token from a Secret and identity kept in a Secret', () => {
    const docs = parseAllDocuments(readFileSync('agent/deploy/deployment.yaml', 'utf8')).map((d) => d.toJS());
    const dep = docs[0] as { kind: string; spec: { template: { spec: { serviceAccountName: string; containers: { args: string[]; env: { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[] }[] } } } };
    assert.equal(dep.kind, 'Deployment');
    const pod = dep.spec.template.spec;
    assert.equal(pod.serviceAccountName, 'dcoc-agent');
    const c = pod.containers[0];
    assert.ok(c.args.includes('--kubernetes'));
    assert.ok(c.args.includes('--identity-secret=dcoc-agent-identity'));
    assert.equal(c.env.find((e) => e.name === 'DCOC_ENROLL_TOKEN')?.valueFrom?.secretKeyRef?.name, 'dcoc-agent-enrollment');
  });
});
