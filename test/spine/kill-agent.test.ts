// kill -9 of an agent mid-command: the command ends succeeded (reported on
// reconnect) or expired with a reason; never stuck, never lost.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { CommandView } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';

const HEAL = DEMO_COMMONS[2];
const ID = 'healdata-org';

async function healthyFleet(controlEnv: NodeJS.ProcessEnv = {}) {
  const fleet = await TestFleet.start({ commons: [HEAL], podStartMs: 700, controlEnv });
  await eventually(async () => (await fleet.admin<{ status: string }>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
  return fleet;
}

async function restartRunning(fleet: TestFleet, service: string): Promise<string> {
  const r = await fleet.admin<{ command: { id: string } }>('POST', `/api/v1/commons/${ID}/services/${service}/restart`);
  assert.equal(r.status, 202);
  const id = r.body.command.id;
  await eventually(async () => {
    const c = (await fleet.admin<CommandView>('GET', `/api/v1/commands/${id}`)).body;
    return c.state === 'running' && c.percent > 0;
  }, { what: 'the restart to be part-way through' });
  return id;
}

describe('kill -9 of an agent mid-command', () => {
  const fleets: TestFleet[] = [];
  after(() => Promise.all(fleets.map((f) => f.stop())));

  it('the restarted agent finishes the command and reports it, with one rollout', async () => {
    const fleet = await healthyFleet();
    fleets.push(fleet);
    const id = await restartRunning(fleet, 'fence');
    const agent = fleet.agent(HEAL.hostname);
    agent.child.kill('SIGKILL');
    await agent.exited;
    await fleet.restartAgent(HEAL.hostname);
    const c = await eventually(async () => {
      const v = (await fleet.admin<CommandView>('GET', `/api/v1/commands/${id}`)).body;
      return ['succeeded', 'failed', 'expired'].includes(v.state) && v;
    }, { timeoutMs: 60_000, what: 'the command to finish' });
    assert.equal(c.state, 'succeeded', c.message);
    const sim = await fleet.simState(HEAL.hostname);
    assert.equal(sim.services.fence.rollouts, 1);
    assert.equal(sim.services.fence.restartedAt, c.target.restartedAt);
  });

  it('with the agent gone for good, the command expires at its deadline with a reason', async () => {
    const fleet = await healthyFleet({ DCOC_COMMAND_DEADLINE_S: '6' });
    fleets.push(fleet);
    const id = await restartRunning(fleet, 'indexd');
    const agent = fleet.agent(HEAL.hostname);
    agent.child.kill('SIGKILL');
    await agent.exited;
    const c = await eventually(async () => {
      const v = (await fleet.admin<CommandView>('GET', `/api/v1/commands/${id}`)).body;
      return v.state !== 'running' && v;
    }, { timeoutMs: 30_000, what: 'the command to leave running' });
    assert.equal(c.state, 'expired');
    assert.match(c.message, /no result from the commons agent before the deadline \(agent last seen/);
  });
});
