// The launcher (npm start, and the tests' fleets) gives an agent only what it
// needs to run, never the control service's secrets or whatever else the
// operator exported: before the fix every agent
// process carried the launcher's whole environment, admin token included.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet } from '../support/fleet';

const EXPORTED = { DCOC_ADMIN_TOKEN: 'dcoc_exported-admin-token-0123456789', DCOC_PLUGIN_SECRET: 'exported-plugin-secret-0123456789', AWS_SECRET_ACCESS_KEY: 'exported-aws-secret' };

describe('what an agent process inherits', () => {
  let fleet: TestFleet;
  before(async () => {
    Object.assign(process.env, EXPORTED);
    fleet = await TestFleet.start({ commons: [DEMO_COMMONS[1]] });
  });
  after(async () => {
    for (const k of Object.keys(EXPORTED)) delete process.env[k];
    await fleet.stop();
  });

  it("has PATH and HOME, and none of the launcher's secrets", () => {
    const pid = fleet.agent(DEMO_COMMONS[1].hostname).child.pid!;
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
    const names = environ.map((e) => e.slice(0, e.indexOf('=')));
    for (const [name, value] of Object.entries(EXPORTED)) {
      assert.ok(!names.includes(name), `${name} reached the agent`);
      assert.ok(!environ.some((e) => e.includes(value)), `the value of ${name} reached the agent`);
    }
    assert.ok(names.includes('PATH') && names.includes('HOME'));
  });
});
