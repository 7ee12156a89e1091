// The agent's Role grants exactly the verbs and resources its code calls
// (issue 5, must-show 5): every Kubernetes request the agent makes while it
// collects, runs each executor and keeps its identity is recorded by the test
// API server and compared with agent/deploy/rbac.yaml.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { secretIdentityStore } from '../../agent/kubernetes/identity-secret';
import { kubeClients } from '../../agent/kubernetes/kube-client';
import { CertificateAuthority } from '../../backend/pki/ca';
import { createCsr, generateKeys, privateKeyToPem } from '../../backend/pki/x509';
import { identityFromPems } from '../../agent/protocol/identity';
import { eventually } from '../support/fleet';
import { granted, permissionOf, roleRules } from '../support/rbac';
import { command, kubeCommons, run } from '../support/kube-agent';

describe('agent RBAC', () => {
  let k: Awaited<ReturnType<typeof kubeCommons>>;
  before(async () => {
    k = await kubeCommons();
  });
  after(async () => {
    await k.platform.kube.stop();
    await k.srv.stop();
  });

  it('the Role lists exactly what the agent calls', async () => {
    k.srv.requests.clear();
    // Identity and the collector.
    await k.platform.identity();
    await k.platform.kube.start(k.obs);
    await eventually(() => k.obs.services().length === 14, { what: 'the collector' });
    // Every executor, including the paths that find work already done.
    const ex = (kind: string) => k.platform.executors.find((e) => e.kind === kind)!;
    const restart = command('restart', 'arborist', { restartedAt: '2026-11-24T08:00:00.000Z' });
    assert.equal((await run(ex('restart'), restart)).ok, true);
    assert.equal((await run(ex('restart'), restart)).ok, true);
    assert.equal((await run(ex('scale'), command('scale', 'audit', { replicas: 3 }))).ok, true);
    const cm = k.srv.get('configmaps', 'gen3', 'manifest-global')! as unknown as { metadata: { resourceVersion: string }; data: Record<string, string> };
    assert.equal((await run(ex('config'), command('config', '', { revision: 2, baseRevision: 1, data: { ...cm.data, maintenance_mode: 'on' }, resourceVersion: cm.metadata.resourceVersion }))).ok, true);
    assert.equal((await run(ex('run-job'), command('run-job', 'usersync', {}))).ok, true);
    // deploy: a server-side apply per changed Deployment, followed through the watches; a repeat finds it done.
    const deploy = command('deploy', '', { revision: 1, release: '2026.08', images: { fence: 'quay.io/cdis/fence:2026.08', 'presigned-url-fence': 'quay.io/cdis/fence:2026.08' }, replicas: {} });
    const deployed = await run(ex('deploy'), deploy);
    assert.equal(deployed.ok, true, deployed.message);
    assert.equal((await run(ex('deploy'), deploy)).ok, true);
    // The identity Secret: first save creates it, the next replaces it, load reads it.
    const store = secretIdentityStore(kubeClients(k.srv.kubeConfig()), 'gen3', 'dcoc-agent-identity');
    assert.equal(await store.load(), null);
    const ca = await CertificateAuthority.loadOrCreate((await import('node:fs')).mkdtempSync('/tmp/dcoc-rbac-'));
    const keys = await generateKeys();
    const cert = await ca.signAgentCsr(await createCsr('a', keys), 'agent-1', 3_600_000);
    const id = identityFromPems('agent-1', await privateKeyToPem(keys.privateKey), cert.certPem, ca.certPem);
    await store.save(id);
    await store.save(id);
    assert.equal((await store.load())?.agentId, 'agent-1');

    const used = new Set(k.srv.requests.all().map((r) => permissionOf(r) ?? `unexpected request path ${r.path}`));
    const rules = roleRules('agent/deploy/rbac.yaml');
    const allowed = granted(rules);
    const missing = [...used].filter((p) => !allowed.has(p));
    const unused = [...allowed].filter((p) => !used.has(p));
    assert.deepEqual(missing, [], 'the agent calls something its Role does not grant');
    assert.deepEqual(unused, [], 'the Role grants something the agent never calls');
    assert.ok(!rules.some((r) => r.verbs.includes('*') || r.resources.includes('*')));
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
