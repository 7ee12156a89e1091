// What the agent does when the real apiserver refuses it: the agent runs as its ServiceAccount bound to agent/deploy/rbac.yaml, so
// a request outside that Role is answered 403 by kube-apiserver's RBAC. The
// agent reports it in one clear line naming what was refused and the Role to
// change, and does not crash: a refused command fails while the agent keeps
// serving; a refusal at start ends the process with that line, not a trace.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RbacAuthorizationV1Api, type V1Role } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import type { CommandView } from '../../contracts/api';
import { ROOT, launch, stopProc } from '../../scripts/demo/processes';
import { useControlPlane } from '../support/control-plane';
import { eventually } from '../support/fleet';
import { NS, realKubeAgentOnFleet } from '../support/kube-agent';

const controlPlane = useControlPlane();
const SLOW = { timeout: 300_000 };
const ID = 'data-example-org';

const rbacDocs = () => parseAllDocuments(readFileSync(join(ROOT, 'agent/deploy/rbac.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; rules?: V1Role['rules'] });

describe('the agent refused by the real apiserver', () => {
  it('rbac.yaml lets the agent read and replace only the identity Secret deployment.yaml names', () => {
    const secretRules = rbacDocs().find((d) => d.kind === 'Role')!.rules!.filter((r) => r.resources?.includes('secrets'));
    const named = secretRules.filter((r) => r.resourceNames?.length);
    assert.deepEqual(named.flatMap((r) => r.verbs).sort(), ['get', 'update']);
    const unnamed = secretRules.filter((r) => !r.resourceNames?.length);
    assert.deepEqual(unnamed.flatMap((r) => r.verbs), ['create'], 'only create (which cannot be limited by name) applies to every Secret');
    const deployment = readFileSync(join(ROOT, 'agent/deploy/deployment.yaml'), 'utf8');
    const arg = /--identity-secret=(\S+)/.exec(deployment)?.[1];
    assert.deepEqual(named[0].resourceNames, [arg]);
  });

  it('a command the Role does not allow fails with the 403 explained, and the agent keeps serving', SLOW, async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const env = await realKubeAgentOnFleet(cp);
    t.after(() => env.stop());
    // Take deployments/scale out of the agent's Role, as a cluster admin editing it would.
    const rbac = cp.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const role = await rbac.readNamespacedRole({ name: 'dcoc-agent', namespace: NS });
    const rules = role.rules!.filter((r) => !r.resources?.includes('deployments/scale'));
    assert.equal(rules.length, role.rules!.length - 1);
    await rbac.replaceNamespacedRole({ name: 'dcoc-agent', namespace: NS, body: { ...role, rules } });

    const finished = async (id: string) =>
      eventually(async () => {
        const v = (await env.fleet.admin<CommandView>('GET', `/api/v1/commands/${id}`)).body;
        return ['succeeded', 'failed', 'expired'].includes(v.state) && v;
      }, { what: `command ${id} to finish` });
    const scale = await env.fleet.admin<{ command: { id: string } }>('POST', `/api/v1/commons/${ID}/services/indexd/scale`, { replicas: 5 });
    assert.equal(scale.status, 202);
    const failed = await finished(scale.body.command.id);
    assert.equal(failed.state, 'failed');
    assert.match(failed.message, /^scale indexd: forbidden: deployments\.apps "indexd-deployment" is forbidden: User "system:serviceaccount:gen3:dcoc-agent" cannot get resource "deployments\/scale" in API group "apps" in the namespace "gen3"\. The agent's Role does not grant this: add the verb and resource to agent\/deploy\/rbac\.yaml/);
    assert.doesNotMatch(failed.message, /HTTP-Code|Unknown API Status Code|\\"/, 'no raw client-node dump');
    // It was the apiserver that refused, and nothing was scaled.
    const refused = cp.audit({ user: env.k.agent.username }).filter((e) => e.objectRef?.subresource === 'scale');
    assert.deepEqual(refused.map((e) => `${e.verb} ${e.responseStatus?.code}`), ['get 403']);

    // Still connected and serving: the next command (allowed) succeeds.
    const restart = await env.fleet.admin<{ command: { id: string } }>('POST', `/api/v1/commons/${ID}/services/indexd/restart`);
    const ok = await finished(restart.body.command.id);
    assert.equal(ok.state, 'succeeded', ok.message);
  });

  it('refused its identity Secret at start, the agent exits with that one line, no stack trace', SLOW, async (t) => {
    const cp = await controlPlane(t);
    if (!cp) return;
    const ns = 'gen3-start';
    await cp.createNamespace(ns);
    await cp.apply(readFileSync(join(ROOT, 'agent/deploy/rbac.yaml'), 'utf8'), { namespace: ns });
    await cp.apply(stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'manifest-global' }, data: { hostname: 'start.example.org', environment: 'start' } }), { namespace: ns });
    const sa = await cp.serviceAccountKubeConfig(ns, 'dcoc-agent');
    // A Secret name rbac.yaml does not grant, as with --identity-secret set to something else.
    const p = launch(
      ['agent/main.ts', '--kubernetes', '--namespace', ns, '--kubeconfig', sa.kubeconfigFile, '--identity-secret', 'someone-elses-secret', '--data-dir', join(cp.dir, 'agent-data')],
      { DCOC_LOG_LEVEL: 'info' },
    );
    t.after(() => stopProc(p));
    assert.equal(await p.exited, 1, p.logs.join('\n'));
    const fatal = p.logs.map((l) => JSON.parse(l) as { level: number | string; msg: string }).filter((l) => l.level === 60 || l.level === 'fatal');
    assert.equal(fatal.length, 1, p.logs.join('\n'));
    assert.match(
      fatal[0].msg,
      /^reading the agent's identity Secret gen3-start\/someone-elses-secret: forbidden: secrets "someone-elses-secret" is forbidden: User "system:serviceaccount:gen3-start:dcoc-agent" cannot get resource "secrets" in API group "" in the namespace "gen3-start"\. The agent's Role does not grant this/,
    );
    assert.ok(!p.logs.some((l) => /^\s+at /.test(l) || /HTTP-Code/.test(l)), `no stack trace or raw dump:\n${p.logs.join('\n')}`);
    const refused = cp.audit({ user: `system:serviceaccount:${ns}:dcoc-agent` });
    assert.ok(refused.some((e) => e.objectRef?.resource === 'secrets' && e.objectRef.name === 'someone-elses-secret' && e.responseStatus?.code === 403));
  });
});
