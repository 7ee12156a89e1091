// A revoked agent stops, saying why and what to do, with a non-zero exit
//: before the fix it reconnected for ever, refused each
// time, with nothing in its log an operator would read as "revoked".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AgentView } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';

describe('a revoked agent', () => {
  let fleet: TestFleet;
  before(async () => {
    fleet = await TestFleet.start({ commons: [DEMO_COMMONS[1]] });
    await fleet.healthyCommons(1);
  });
  after(() => fleet.stop());

  it('exits 3 with one line that says it was revoked and how to enroll again', async () => {
    const agent = fleet.agent(DEMO_COMMONS[1].hostname);
    const { items } = (await fleet.admin<{ items: AgentView[] }>('GET', '/api/v1/agents')).body;
    const id = items.find((a) => a.hostname === DEMO_COMMONS[1].hostname)!.id;
    assert.equal((await fleet.admin('DELETE', `/api/v1/agents/${id}`)).status, 204);
    const code = await Promise.race([agent.exited, eventually(() => false, { what: 'the agent to exit', timeoutMs: 30_000 }).catch(() => 'still running')]);
    assert.equal(code, 3, agent.logs.slice(-5).join('\n'));
    const fatal = agent.logs.map((l) => JSON.parse(l) as { level: number | string; msg: string }).filter((l) => l.level === 60 || l.level === 'fatal');
    assert.equal(fatal.length, 1, agent.logs.slice(-5).join('\n'));
    assert.match(fatal[0].msg, new RegExp(`^revoked: agent ${id} has been revoked; enroll it again with a new token\\. To enroll again, delete the agent's identity \\(agent\\.key\\.pem, agent\\.crt\\.pem and agent\\.json in .+\\) and start it with a new token from POST /api/v1/enrollment-tokens$`));
  });
});
