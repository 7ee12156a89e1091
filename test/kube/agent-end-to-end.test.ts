// Control service → agent → Kubernetes API test server → command succeeded,
// with progress in between (issue 5, must-show 6). The control service is the
// real process; the agent is the real Agent on its Kubernetes platform.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Agent } from '../../agent/core/agent';
import type { CommandView, CommonsDetail } from '../../backend/contracts/api';
import { type TestFleet, eventually } from '../support/fleet';
import { NS, kubeAgentOnFleet } from '../support/kube-agent';

describe('a command end to end on Kubernetes', () => {
  let fleet: TestFleet;
  let k: Awaited<ReturnType<typeof kubeAgentOnFleet>>['k'];
  let agent: Agent;
  let stop: (() => Promise<void>) | undefined;
  const ID = 'data-example-org';

  before(async () => {
    ({ fleet, k, agent, stop } = await kubeAgentOnFleet());
  });
  after(() => stop?.());

  it('the commons identity and services come from the cluster', async () => {
    const c = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
    assert.equal(c.hostname, 'data.example.org');
    assert.equal(c.environment, 'exampleprod');
    assert.equal(c.version, '2026.07');
    assert.equal(c.services.length, 14);
    assert.equal(c.services.find((s) => s.name === 'fence')?.deployment, 'fence-deployment');
  });

  it('restart: 202 → dispatched → running with progress → succeeded, one patch, one rollout', async () => {
    const r = await fleet.admin<{ command: { id: string } }>('POST', `/api/v1/commons/${ID}/services/fence/restart`);
    assert.equal(r.status, 202);
    const c = await eventually(async () => {
      const v = (await fleet.admin<CommandView>('GET', `/api/v1/commands/${r.body.command.id}`)).body;
      return ['succeeded', 'failed', 'expired'].includes(v.state) && v;
    }, { what: 'the restart to finish' });
    assert.equal(c.state, 'succeeded', c.message);
    const states = c.progress.map((p) => p.state);
    assert.deepEqual([...new Set(states)], ['queued', 'dispatched', 'running', 'succeeded']);
    assert.ok(c.progress.filter((p) => p.state === 'running' && /rollout to finish/.test(p.message)).length >= 1, c.progress.map((p) => p.message).join(' | '));
    assert.equal(k.srv.requests.count({ method: 'PATCH', path: `/apis/apps/v1/namespaces/${NS}/deployments/fence-deployment` }), 1);
    const dep = k.srv.get('deployments', NS, 'fence-deployment') as unknown as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    assert.equal(dep.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], c.target.restartedAt);
    const fence = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body.services.find((s) => s.name === 'fence')!;
    assert.equal(fence.restartedAt, c.target.restartedAt);
  });

  it('the agent identity lives in a Secret', () => {
    const s = k.srv.get('secrets', NS, 'dcoc-agent-identity') as unknown as { data: Record<string, string> };
    assert.deepEqual(Object.keys(s.data).sort(), ['agent-id', 'ca.crt', 'tls.crt', 'tls.key']);
    assert.equal(Buffer.from(s.data['agent-id'], 'base64').toString(), agent.agentId);
  });
});
