// Scoped roles through the running control service (must-show 4): a Grafana
// user in team "ops-a", granted operator on group "team-a" and holding no
// global DCOC role, sees only team-a's commons in every list, restarts a
// service there, and is refused with 403 naming the commons elsewhere — the
// refusal audited. A global viewer with the same grant reads the whole fleet
// but changes only team-a's commons (the higher of the two roles applies).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signAssertion } from '../../contracts/identity';
import type { AuditEntry, CommandView, CommonsSummary, FleetSummary } from '../../contracts/api';
import type { Role } from '../../contracts/roles';
import type { AccessView, TeamGrantView } from '../../contracts/scopes';
import { PLUGIN_SECRET, TestFleet } from '../support/fleet';

describe('scoped roles: an operator of one group', () => {
  let fleet: TestFleet;
  let a: string;
  let others: string[];
  before(async () => {
    fleet = await TestFleet.start();
    const ids = (await fleet.healthyCommons()).map((c) => c.id).sort();
    [a, ...others] = ids;
    assert.equal((await fleet.admin('PUT', `/api/v1/commons/${a}/labels`, { labels: { team: 'a' } })).status, 200);
    assert.equal((await fleet.admin('PUT', '/api/v1/groups/team-a', { selector: { matchLabels: { team: 'a' } } })).status, 201);
    // Something in every list for the other commons: a command (and its audit entry).
    assert.equal((await fleet.admin('POST', `/api/v1/commons/${others[0]}/services/fence/restart`)).status, 202);
  });
  after(() => fleet.stop());

  /** A call as Grafana user `login`, the way the plugin makes it: a fresh signed assertion each time. */
  const as = async <T>(login: string, role: Role | null, teams: { id: number; name: string }[], method: string, path: string, body?: unknown) =>
    fleet.api<T>(await signAssertion({ login, role, teams }, PLUGIN_SECRET), method, path, body);
  const alice = <T>(method: string, path: string, body?: unknown) => as<T>('alice', null, [{ id: 8, name: 'ops-a' }], method, path, body);

  it('an admin grants the team a role on the group; the grant lists the commons it covers', async () => {
    const put = await fleet.admin<TeamGrantView>('PUT', '/api/v1/team-grants/ops-a/team-a', { role: 'operator' });
    assert.equal(put.status, 201);
    assert.deepEqual(put.body.commons, [a]);
    const missing = await fleet.admin<{ errors: { field: string }[] }>('PUT', '/api/v1/team-grants/ops-a/no-such-group', { role: 'operator' });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body.errors.map((e) => e.field), ['path.group']);
    const bad = await fleet.admin<{ errors: { field: string }[] }>('PUT', '/api/v1/team-grants/ops-a/team-a', { role: 'root' });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['body.role']);
    const listed = await fleet.admin<{ items: TeamGrantView[] }>('GET', '/api/v1/team-grants');
    assert.deepEqual(listed.body.items.map((g) => [g.team, g.group, g.role]), [['ops-a', 'team-a', 'operator']], 'the refused puts changed nothing');
    const operator = await fleet.tokenFor('operator');
    assert.equal((await fleet.api(operator, 'PUT', '/api/v1/team-grants/ops-b/team-a', { role: 'admin' })).status, 403, 'only admins grant');
  });

  it('sees only the group’s commons, in every list', async () => {
    const access = await alice<AccessView>('GET', '/api/v1/access');
    assert.equal(access.status, 200);
    assert.equal(access.body.role, null);
    assert.deepEqual(access.body.grants, [{ team: 'ops-a', group: 'team-a', role: 'operator', commons: [a] }]);

    const commons = await alice<{ items: CommonsSummary[] }>('GET', '/api/v1/commons');
    assert.equal(commons.status, 200);
    assert.deepEqual(commons.body.items.map((c) => c.id), [a]);
    const summary = await alice<FleetSummary>('GET', '/api/v1/fleet/summary?services=true');
    assert.equal(summary.status, 200);
    assert.deepEqual(summary.body.items.map((c) => c.id), [a], 'the fleet summary too');
    assert.ok(summary.body.items[0].commands, 'an operator on the commons reads its command counts');
    assert.deepEqual((await alice<FleetSummary>('GET', `/api/v1/fleet/summary?commons=${others[0]}`)).body.items, [], 'naming another commons shows nothing of it');
    const agents = await alice<{ items: { commons: string | null }[] }>('GET', '/api/v1/agents');
    assert.equal(agents.status, 200);
    assert.deepEqual(agents.body.items.map((x) => x.commons), [a]);
    for (const path of ['/api/v1/commands', '/api/v1/audit', '/api/v1/deployments']) {
      const r = await alice<{ items: { commons: string | null }[] }>('GET', path);
      assert.equal(r.status, 200, path);
      assert.ok(r.body.items.every((x) => x.commons === a), `${path} lists only ${a}: ${JSON.stringify(r.body.items.map((x) => x.commons))}`);
    }
    const all = await fleet.admin<{ items: CommandView[] }>('GET', '/api/v1/commands');
    assert.ok(all.body.items.some((c) => c.commons === others[0]), 'the filter hid something that is there');
    assert.equal((await alice('GET', `/api/v1/commons/${others[0]}`)).status, 403);
    assert.equal((await alice('GET', `/api/v1/commons/${a}`)).status, 200);
    assert.equal((await alice('GET', '/api/v1/releases')).status, 200, 'fleet-wide reference data: held through a grant');
    assert.equal((await alice('GET', '/api/v1/groups')).status, 403, 'groups stay global-role only');
  });

  it('the event stream carries only the group’s commons', async () => {
    /** What the stream replays from its buffer (Last-Event-ID: 0) before it says connected. */
    const replay = async (token: string) => {
      const ac = new AbortController();
      const res = await fetch(`${fleet.control.url}/api/v1/events`, { headers: { Authorization: `Bearer ${token}`, 'Last-Event-ID': '0' }, signal: ac.signal });
      assert.equal(res.status, 200);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes(': connected')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      ac.abort();
      return [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]) as { type: string; commons?: string });
    };
    const everything = await replay(await fleet.tokenFor('developer'));
    assert.ok(everything.some((e) => e.commons === others[0]), 'the buffer holds events of other commons');
    const mine = await replay(await signAssertion({ login: 'alice', role: null, teams: [{ id: 8, name: 'ops-a' }] }, PLUGIN_SECRET));
    assert.ok(mine.length > 0, 'and some of its own');
    assert.deepEqual([...new Set(mine.map((e) => e.commons))], [a], 'only events of its commons, none fleet-wide');
  });

  it('restarts in its group; is refused with 403 naming the commons elsewhere, and the refusal is audited', async () => {
    const ok = await alice<{ command: { id: string } }>('POST', `/api/v1/commons/${a}/services/fence/restart`);
    assert.equal(ok.status, 202);
    const cmd = await alice<CommandView>('GET', `/api/v1/commands/${ok.body.command.id}`);
    assert.equal(cmd.status, 200);
    assert.equal(cmd.body.actor, 'alice');

    const b = others[1];
    const refused = await alice<{ detail: string }>('POST', `/api/v1/commons/${b}/services/fence/restart`);
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail, new RegExp(`on commons ${b}`));
    const other = (await fleet.admin<{ items: CommandView[] }>('GET', '/api/v1/commands')).body.items.find((c) => c.commons === others[0]);
    assert.ok(other);
    assert.equal((await alice('POST', `/api/v1/commands/${other.id}/cancel`)).status, 403, "another group's command is out of reach by its id too");

    const audit = (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=200')).body.items;
    const denied = audit.find((e) => e.actor === 'alice' && e.action === 'service.restart' && e.outcome === 'denied');
    assert.equal(denied?.commons, b);
    assert.match(String(denied?.detail.reason), new RegExp(`no role on commons ${b} lacks services:operate`));
    const accepted = audit.find((e) => e.actor === 'alice' && e.action === 'service.restart' && e.outcome === 'accepted');
    assert.equal(accepted?.commons, a);
    assert.equal(accepted?.role, 'operator', 'audited with the role it acted with there');
  });

  it('the higher role applies: a global viewer with the grant reads everything, changes only the group', async () => {
    const bob = <T>(method: string, path: string) => as<T>('bob', 'viewer', [{ id: 7, name: 'ops-a' }], method, path);
    assert.equal((await bob<{ items: CommonsSummary[] }>('GET', '/api/v1/commons')).body.items.length, others.length + 1);
    // Command counts need events:read, which the global viewer role lacks: counted on the group's commons only.
    const counted = (await bob<FleetSummary>('GET', '/api/v1/fleet/summary')).body.items.map((c) => [c.id, c.commands !== null]);
    assert.deepEqual(counted.sort(), [[a, true], ...others.map((o) => [o, false])].sort());
    assert.equal((await bob('POST', `/api/v1/commons/${a}/services/indexd/restart`)).status, 202);
    assert.equal((await bob('POST', `/api/v1/commons/${others[1]}/services/indexd/restart`)).status, 403);
    // A grant names a team by name or by id.
    const carol = (method: string, path: string) => as('carol', null, [{ id: 7, name: 'renamed' }], method, path);
    assert.equal((await carol('GET', `/api/v1/commons/${a}`)).status, 403, 'the grant names ops-a, not team id 7');
    assert.equal((await fleet.admin('PUT', '/api/v1/team-grants/7/team-a', { role: 'viewer' })).status, 201);
    assert.equal((await carol('GET', `/api/v1/commons/${a}`)).status, 200);
  });

  it('a list’s limit counts what the caller sees: newer rows of other commons do not crowd its own out', async () => {
    assert.equal((await fleet.admin('POST', `/api/v1/commons/${others[1]}/services/indexd/restart`)).status, 202);
    for (const path of ['/api/v1/commands?limit=1', '/api/v1/audit?limit=1']) {
      const r = await alice<{ items: { commons: string | null }[] }>('GET', path);
      assert.deepEqual(r.body.items.map((x) => x.commons), [a], path);
    }
  });

  it('held changes follow their commons: the team sees and approves those on its commons only; rollouts and windows need a global role', async () => {
    // Restarts on every commons are held for a second person's approval.
    assert.equal((await fleet.admin('PUT', '/api/v1/groups/everything', { selector: { matchExpressions: [{ key: 'commons', operator: 'Exists' }] } })).status, 201);
    assert.equal((await fleet.admin('PUT', '/api/v1/policies/hold-restarts', { group: 'everything', rules: { approval: { kinds: ['restart'], approvers: 'operator' } } })).status, 201);
    try {
      const ours = await fleet.admin<{ approval: { id: string } }>('POST', `/api/v1/commons/${a}/services/fence/restart`, { reason: 'ours' });
      const theirs = await fleet.admin<{ approval: { id: string } }>('POST', `/api/v1/commons/${others[0]}/services/fence/restart`, { reason: 'theirs' });
      assert.equal(ours.status, 202, JSON.stringify(ours.body));
      assert.equal(theirs.status, 202, JSON.stringify(theirs.body));
      const listed = await alice<{ items: { id: string; commons: string }[] }>('GET', '/api/v1/approvals');
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.items.map((x) => x.commons), [a]);
      assert.equal((await alice('GET', `/api/v1/approvals/${theirs.body.approval.id}`)).status, 403);
      const refused = await alice<{ detail: string }>('POST', `/api/v1/approvals/${theirs.body.approval.id}/approve`);
      assert.equal(refused.status, 403);
      assert.match(refused.body.detail, new RegExp(others[0]));
      assert.equal((await fleet.admin<{ state: string }>('GET', `/api/v1/approvals/${theirs.body.approval.id}`)).body.state, 'requested', 'the refusal changed nothing');
      const approved = await alice<{ state: string }>('POST', `/api/v1/approvals/${ours.body.approval.id}/approve`);
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.equal(approved.body.state, 'executed');
      for (const path of ['/api/v1/rollouts', '/api/v1/windows']) assert.equal((await alice('GET', path)).status, 403, path);
      assert.equal((await fleet.admin('POST', `/api/v1/approvals/${theirs.body.approval.id}/reject`, { reason: 'done' })).status, 200);
    } finally {
      assert.equal((await fleet.admin('DELETE', '/api/v1/policies/hold-restarts')).status, 204);
    }
  });

  it("backs up its group's databases, not another's; restores stay with admins", async () => {
    const ours = await alice<{ backup: { id: string } }>('POST', `/api/v1/commons/${a}/backups`, { databases: ['fence'], reason: 'before the upgrade' });
    assert.equal(ours.status, 202, JSON.stringify(ours.body));
    assert.equal((await alice('GET', `/api/v1/commons/${a}/backups`)).status, 200);
    const theirs = await alice<{ detail: string }>('POST', `/api/v1/commons/${others[0]}/backups`, { databases: ['fence'], reason: 'not ours' });
    assert.equal(theirs.status, 403);
    assert.match(theirs.body.detail, new RegExp(others[0]));
    assert.equal((await alice('GET', `/api/v1/commons/${others[0]}/backups`)).status, 403);
    assert.equal((await alice('POST', `/api/v1/commons/${a}/backups/${ours.body.backup.id}/restore`, { service: 'fence', reason: 'x' })).status, 403, 'an operator grant does not restore');
  });

  it('no role and no grant: nothing; a deleted grant takes access away at once', async () => {
    const dave = (method: string, path: string) => as('dave', null, [{ id: 9, name: 'strangers' }], method, path);
    assert.equal((await dave('GET', '/api/v1/commons')).status, 403);
    assert.equal((await fleet.admin('DELETE', '/api/v1/team-grants/ops-a/team-a')).status, 204);
    assert.equal((await alice('GET', '/api/v1/commons')).status, 403);
    const audit = (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?action=team-grant.delete')).body.items;
    assert.deepEqual(audit[0]?.detail, { team: 'ops-a', group: 'team-a', role: 'operator' });
  });
});
