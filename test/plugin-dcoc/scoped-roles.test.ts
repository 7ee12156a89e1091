// Scoped roles through the real app plugin executable, driven the way Grafana
// drives it (CallResource): a Grafana user with no DCOC role in Grafana RBAC,
// in team "ops-a" (read by the plugin from Grafana's team API with the app's
// service account: the stand-in answers as grafana/grafana pkg/api/user.go
// GetUserTeams does, see support/fake-grafana.ts), operates the commons of
// the group "ops-a" was granted and sees no other; when Grafana cannot say
// which teams the user is in, the user gets less access, never more.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppWhoami, AuditEntry, CommonsDetail, CommonsSummary, CommandView, Problem } from '../../contracts/api';
import type { AccessView } from '../../contracts/scopes';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { startPlugin, type GrafanaHost, type ResourceResult } from '../support/grafana-host';
import { dcocExecutables } from './support/build';
import { appContext, json } from './support/contexts';
import { FakeGrafana } from './support/fake-grafana';

const [BRH, MIDRC] = DEMO_COMMONS;
const MINE = 'data-midrc-org';
const OTHER = 'brh-data-commons-org';

let fleet: TestFleet;
let host: GrafanaHost;
let grafana: FakeGrafana;

before(async () => {
  const [exes, f, g] = await Promise.all([dcocExecutables(), TestFleet.start({ commons: [BRH, MIDRC] }), FakeGrafana.start()]);
  fleet = f;
  grafana = g;
  host = await startPlugin({ executable: exes.app });
  await eventually(async () => (await fleet.admin<{ items: CommonsSummary[] }>('GET', '/api/v1/commons')).body?.items.filter((c) => c.status === 'healthy').length === 2, {
    what: 'two healthy commons',
    timeoutMs: 60_000,
  });
  assert.equal((await fleet.admin('PUT', `/api/v1/commons/${MINE}/labels`, { labels: { team: 'a' } })).status, 200);
  assert.equal((await fleet.admin('PUT', '/api/v1/groups/team-a', { selector: { matchLabels: { team: 'a' } } })).status, 201);
  assert.equal((await fleet.admin('PUT', '/api/v1/team-grants/ops-a/team-a', { role: 'operator' })).status, 201);
  // Something of the other commons in the lists: a command and its audit entry.
  assert.equal((await fleet.admin('POST', `/api/v1/commons/${OTHER}/services/fence/restart`)).status, 202);
});

after(async () => {
  if (host) await host.shutdown();
  await fleet?.stop();
  await grafana?.close();
});

/** A resource call by Grafana user `subject` ("user:55"), org Viewer, with Grafana RBAC on (service account and ID token). */
function call(subject: string, path: string, method = 'GET'): Promise<ResourceResult> {
  const [p, query] = path.split('?');
  return host.callResource({
    pluginContext: appContext({ role: 'Viewer', user: { login: `login-${subject.split(':')[1]}`, role: 'Viewer' }, controlUrl: fleet.control.url, grafanaConfig: grafana.grafanaConfig() }),
    path: p,
    url: query ? `${p}?${query}` : p,
    method,
    headers: { 'X-Grafana-Id': [grafana.idToken(subject)] },
  });
}

describe('an operator of one group, through the app plugin', () => {
  it('whoami: no global role, the team read from Grafana; access: the grant and the commons it covers', async () => {
    grafana.teams.set('55', [{ id: 3, name: 'ops-a' }]);
    const who = await call('user:55', 'whoami');
    assert.equal(who.status, 200, who.body.toString());
    const me = json<AppWhoami>(who.body);
    assert.equal(me.role, null);
    assert.deepEqual(me.teams, ['ops-a']);
    assert.deepEqual(me.permissions, [], 'nothing fleet-wide');
    assert.ok(grafana.teamLookups.includes('55'), 'the plugin asked Grafana for user 55’s teams');
    const access = await call('user:55', 'access');
    assert.equal(access.status, 200);
    assert.deepEqual(json<AccessView>(access.body).grants, [{ team: 'ops-a', group: 'team-a', role: 'operator', commons: [MINE] }]);
  });

  it('lists show only the group’s commons', async () => {
    const commons = await call('user:55', 'commons');
    assert.equal(commons.status, 200);
    assert.deepEqual(json<{ items: CommonsSummary[] }>(commons.body).items.map((c) => c.id), [MINE]);
    for (const path of ['commands', 'audit?limit=100', 'agents', 'deployments']) {
      const r = await call('user:55', path);
      assert.equal(r.status, 200, `${path}: ${r.body.toString()}`);
      const items = json<{ items: { commons: string | null }[] }>(r.body).items;
      assert.ok(items.every((x) => x.commons === MINE), `${path} shows only ${MINE}: ${JSON.stringify(items.map((x) => x.commons))}`);
    }
    assert.equal((await call('user:55', `commons/${OTHER}`)).status, 403);
    assert.equal((await call('user:55', `commons/${MINE}`)).status, 200);
  });

  it('restarts in the group; gets 403 naming the other commons, audited', async () => {
    const ok = await call('user:55', `commons/${MINE}/services/fence/restart`, 'POST');
    assert.equal(ok.status, 202, ok.body.toString());
    const id = json<{ command: { id: string } }>(ok.body).command.id;
    const done = await eventually(async () => {
      const c = json<CommandView>((await call('user:55', `commands/${id}`)).body);
      return ['succeeded', 'failed', 'expired', 'cancelled'].includes(c.state) && c;
    }, { what: 'the restart to finish', timeoutMs: 60_000 });
    assert.equal(done.state, 'succeeded', done.message);
    assert.equal(done.actor, 'login-55');

    const refused = await call('user:55', `commons/${OTHER}/services/fence/restart`, 'POST');
    assert.equal(refused.status, 403);
    assert.match(json<Problem>(refused.body).detail, new RegExp(`login-55 has no role on commons ${OTHER}; services:operate needs operator`));
    const audit = (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?actor=login-55')).body.items;
    assert.ok(audit.some((e) => e.action === 'service.restart' && e.outcome === 'denied' && e.commons === OTHER));
  });

  it('Grafana refusing the team lookup: no teams, a log line, and no access (never more)', async () => {
    grafana.teams.set('56', [{ id: 3, name: 'ops-a' }]);
    grafana.teamsFault = 403;
    try {
      const r = await call('user:56', 'commons');
      assert.equal(r.status, 403);
      assert.match(json<Problem>(r.body).detail, /holds no DCOC role in Grafana/);
      assert.ok(host.logs().some((l) => l?.['@message'] === "cannot read the user's Grafana teams; team grants do not apply to this request"), 'the failure is logged');
    } finally {
      grafana.teamsFault = null;
    }
  });

  it('a user with a global DCOC role keeps it: the viewer sees the whole fleet and restarts only in the group', async () => {
    grafana.permissions.set('user:57', ['gen3-dcoc-app.commons:read']);
    grafana.teams.set('57', [{ id: 3, name: 'ops-a' }]);
    const commons = json<{ items: CommonsSummary[] }>((await call('user:57', 'commons')).body).items.map((c) => c.id).sort();
    assert.deepEqual(commons, [OTHER, MINE].sort());
    assert.equal((await call('user:57', `commons/${MINE}/services/indexd/restart`, 'POST')).status, 202);
    assert.equal((await call('user:57', `commons/${OTHER}/services/indexd/restart`, 'POST')).status, 403);
    const detail = json<CommonsDetail>((await call('user:57', `commons/${OTHER}`)).body);
    assert.equal(detail.id, OTHER);
  });
});
