// Scoped roles through Grafana's own plugin client (go-plugin and
// grafana-plugin-sdk-go): a Grafana user with no DCOC role of their own, in
// team "ops-a" (read from the Grafana API stand-in, whose answers follow
// grafana/grafana pkg/api/user.go GetUserTeams and pkg/services/team/model.go
// at 87bad07d, see test/plugin-dcoc/support/fake-grafana.ts), granted
// operator on group "team-a": the app's resources and the data source's
// queries show only that group's commons, and a restart elsewhere is refused.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { CommonsSummary, Problem } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { describeUnless, grafanaHostMissing, query, type ResourceReply } from '../support/go-grafana-host';
import { appContext, dsContext } from '../plugin-dcoc/support/contexts';
import { FakeGrafana } from '../plugin-dcoc/support/fake-grafana';
import { GO_CLIENT, pluginFleet } from '../plugin-dcoc/support/plugin-fleet';

const [BRH, MIDRC] = DEMO_COMMONS;
const MINE = 'data-midrc-org';
const OTHER = 'brh-data-commons-org';
const USER = { login: 'alice', name: 'Alice', email: 'alice@example.org', role: 'Viewer' };

const missing = grafanaHostMissing('scoped roles through Grafana’s plugin client');

describeUnless(missing, 'an operator of one group, through Grafana’s plugin client', () => {
  let grafana: FakeGrafana;
  before(async () => {
    grafana = await FakeGrafana.start();
    grafana.teams.set('55', [{ id: 3, name: 'ops-a' }]);
  });
  after(() => grafana?.close());
  const rig = pluginFleet(GO_CLIENT, ['app', 'datasource'], {
    commons: [BRH, MIDRC],
    ready: async ({ fleet }) => {
      assert.equal((await fleet.admin('PUT', `/api/v1/commons/${MINE}/labels`, { labels: { team: 'a' } })).status, 200);
      assert.equal((await fleet.admin('PUT', '/api/v1/groups/team-a', { selector: { matchLabels: { team: 'a' } } })).status, 201);
      assert.equal((await fleet.admin('PUT', '/api/v1/team-grants/ops-a/team-a', { role: 'operator' })).status, 201);
      await fleet.restartAndWait(OTHER, 'fence');
    },
  });

  const call = (path: string, method = 'GET'): Promise<ResourceReply> =>
    rig.app.callResource({
      pluginContext: appContext({ controlUrl: rig.fleet.control.url, user: USER, grafanaConfig: grafana.grafanaConfig() }),
      path,
      method,
      headers: { 'X-Grafana-Id': [grafana.idToken('user:55')] },
    });
  const json = <T>(r: ResourceReply): T => JSON.parse(r.body ?? '') as T;

  it('the app: the fleet is the group’s commons; restart there, 403 naming the other', async () => {
    const fleet = await call('commons');
    assert.equal(fleet.status, 200, fleet.body);
    assert.deepEqual(json<{ items: CommonsSummary[] }>(fleet).items.map((c) => c.id), [MINE]);
    assert.equal((await call(`commons/${MINE}/services/fence/restart`, 'POST')).status, 202);
    const refused = await call(`commons/${OTHER}/services/fence/restart`, 'POST');
    assert.equal(refused.status, 403);
    assert.match(json<Problem>(refused).detail, new RegExp(`alice has no role on commons ${OTHER}`));
    assert.ok(grafana.teamLookups.includes('55'));
  });

  it('the data source: fleet and commands queries show only the group’s commons', async () => {
    const r = await rig.datasource.queryData({
      pluginContext: dsContext({ controlUrl: rig.fleet.control.url, user: USER, grafanaConfig: grafana.grafanaConfig() }),
      queries: [query({ refId: 'A', json: { queryType: 'fleet' } }), query({ refId: 'B', json: { queryType: 'commands' } })],
      headers: { 'http_X-Grafana-Id': grafana.idToken('user:55') },
    });
    assert.equal(r.A.error, '');
    assert.deepEqual(r.A.frames[0].fields.find((f) => f.name === 'commons')?.values, [MINE]);
    assert.equal(r.B.error, '');
    const commons = r.B.frames[0].fields.find((f) => f.name === 'commons')?.values ?? [];
    assert.ok(commons.length > 0 && commons.every((c) => c === MINE), `commands of ${MINE} only: ${JSON.stringify(commons)}`);
    const all = await rig.fleet.admin<{ items: { commons: string }[] }>('GET', '/api/v1/commands');
    assert.ok(all.body.items.some((c) => c.commons === OTHER), 'there are commands of the other commons to hide');
  });
});
