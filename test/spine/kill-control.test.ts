// kill -9 of the control service while commands are queued and running:
// after it restarts, every command reaches a final state and none takes
// effect twice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommandView } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';

const MIDRC = DEMO_COMMONS[1];
const ID = 'data-midrc-org';
const FINAL = ['succeeded', 'failed', 'expired', 'cancelled'];

describe('kill -9 of the control service mid-flight', () => {
  let fleet: TestFleet;
  let operator: string;

  before(async () => {
    fleet = await TestFleet.start({ commons: [MIDRC], podStartMs: 700 });
    operator = await fleet.tokenFor('operator');
    await eventually(async () => (await fleet.admin<{ status: string }>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
  });
  after(() => fleet.stop());

  const issue = async (path: string, body?: unknown) => {
    const r = await fleet.api<{ command: { id: string } }>(operator, 'POST', `/api/v1/commons/${ID}/services/${path}`, body);
    assert.equal(r.status, 202);
    return r.body.command.id;
  };
  const command = async (id: string) => (await fleet.admin<CommandView>('GET', `/api/v1/commands/${id}`)).body;
  const allFinal = (ids: string[]) =>
    eventually(
      async () => {
        const cs = await Promise.all(ids.map(command));
        return cs.every((c) => FINAL.includes(c.state)) && cs;
      },
      { timeoutMs: 60_000, what: 'every command to finish' },
    );

  it('recovers commands that were running and queued, each with one effect', async () => {
    // Phase 1: commands in flight on a connected agent when the service dies.
    const running = [await issue('fence/restart'), await issue('indexd/restart')];
    await eventually(async () => (await Promise.all(running.map(command))).every((c) => c.state === 'running'), { what: 'both restarts to run' });
    // Phase 2: the agent loses its network, so the next commands can only queue.
    await fleet.simNetwork(MIDRC.hostname, true);
    await eventually(async () => (await fleet.admin<{ agent: { connected: boolean } }>('GET', `/api/v1/commons/${ID}`)).body.agent.connected === false, {
      what: 'the control service to notice the agent is gone',
    });
    const queued = [await issue('wts/restart'), await issue('sheepdog/scale', { replicas: 3 })];
    for (const id of queued) assert.equal((await command(id)).state, 'queued');

    fleet.control.child.kill('SIGKILL');
    await fleet.control.exited;
    await fleet.simNetwork(MIDRC.hostname, false);
    await fleet.restartControl();

    const done = await allFinal([...running, ...queued]);
    for (const c of done) assert.equal(c.state, 'succeeded', `${c.kind} ${c.service}: ${c.message}`);
    const sim = await fleet.simState(MIDRC.hostname);
    assert.equal(sim.services.fence.rollouts, 1);
    assert.equal(sim.services.indexd.rollouts, 1);
    assert.equal(sim.services.wts.rollouts, 1);
    assert.equal(sim.services.sheepdog.scales, 1);
    assert.equal(sim.services.sheepdog.desired, 3);
    const untouched = Object.entries(sim.services).filter(([n]) => !['fence', 'indexd', 'wts', 'sheepdog'].includes(n));
    assert.ok(untouched.every(([, s]) => s.rollouts === 0 && s.scales === 0));
  });

  it('a command acknowledged just before the kill is not lost', async () => {
    const id = await issue('portal/restart');
    fleet.control.child.kill('SIGKILL');
    await fleet.control.exited;
    await fleet.restartControl();
    const [c] = await allFinal([id]);
    assert.equal(c.state, 'succeeded', c.message);
    assert.equal((await fleet.simState(MIDRC.hostname)).services.portal.rollouts, 1);
  });
});
