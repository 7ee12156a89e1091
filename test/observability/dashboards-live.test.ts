// The control service keeps one dashboard per commons in DCOC_DASHBOARDS_DIR:
// the demo's three, a fourth when its agent first reports, and none for a
// commons removed, through the running service.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CommonsDetail } from '../../contracts/api';
import { TestFleet, eventually } from '../support/fleet';

describe('dashboards follow the fleet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-live-dashboards-'));
  let fleet: TestFleet;
  const files = () => readdirSync(dir).filter((f) => f.startsWith('dcoc-commons-')).sort();

  before(async () => {
    fleet = await TestFleet.start({ controlEnv: { DCOC_DASHBOARDS_DIR: dir } });
  });
  after(() => fleet.stop());

  it('writes one per demo commons, adds a fourth, and removes it with its commons', async () => {
    await eventually(() => files().length === 3 && files(), { what: 'three dashboards' });
    assert.deepEqual(files(), ['dcoc-commons-brh-data-commons-org.json', 'dcoc-commons-data-midrc-org.json', 'dcoc-commons-healdata-org.json']);

    const fourth = { hostname: 'gen3.datacommons.io', environment: 'gen3prod', name: 'Gen3 Data Hub', release: '2026.06', size: 'small' as const };
    await fleet.addAgent(fourth);
    await eventually(() => files().includes('dcoc-commons-gen3-datacommons-io.json'), { what: 'the fourth dashboard' });
    assert.equal(files().length, 4);

    const c = (await fleet.admin<CommonsDetail>('GET', '/api/v1/commons/gen3-datacommons-io')).body;
    const refused = await fleet.admin<{ detail: string }>('DELETE', '/api/v1/commons/gen3-datacommons-io');
    assert.equal(refused.status, 409, 'a commons whose agent is still enrolled is not removed');
    assert.match(refused.body.detail, /revoke it first/);
    assert.equal((await fleet.admin('DELETE', `/api/v1/agents/${c.agent.id}`)).status, 204);
    assert.equal((await fleet.admin('DELETE', '/api/v1/commons/gen3-datacommons-io')).status, 204);
    await eventually(() => files().length === 3, { what: 'the fourth dashboard to go' });
    assert.ok(!files().includes('dcoc-commons-gen3-datacommons-io.json'));
    assert.equal((await fleet.admin('GET', '/api/v1/commons/gen3-datacommons-io')).status, 404);
  });
});
