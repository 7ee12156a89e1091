// Policies and approvals through the running control service (issue 18,
// must-show 3): a policy on the group "production" holds deploys and config
// changes for a second operator's approval. Operator A's deploy answers 202
// with the approval and deploys nothing; A cannot approve it (nor can a token
// of the same person); operator B's approval runs it once and it succeeds; a
// second approval changes nothing. A rejected change never runs; a policy's
// reason and release rules refuse naming the field; everything is audited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CommandView, CommonsDetail, DeploymentView, Problem } from '../../contracts/api';
import type { ApprovalHeld, ApprovalView, PolicyView } from '../../contracts/policies';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { simState, subscribe, waitDeployment } from '../deploy/support';
import { TestFleet, eventually } from '../support/fleet';

const MIDRC = DEMO_COMMONS[1]; // release 2026.06
const ID = 'data-midrc-org';

describe('policies and approvals', () => {
  let fleet: TestFleet;
  let a: string;
  let b: string;
  let developer: string;

  const mint = async (name: string, role: string) => (await fleet.admin<{ token: string }>('POST', '/api/v1/tokens', { name, role })).body.token;
  const deployments = async () => (await fleet.admin<{ items: DeploymentView[] }>('GET', `/api/v1/deployments?commons=${ID}`)).body.items;
  const auditOf = async (action: string) => (await fleet.admin<{ items: AuditEntry[] }>('GET', `/api/v1/audit?action=${encodeURIComponent(action)}&limit=200`)).body.items;

  before(async () => {
    fleet = await TestFleet.start({ commons: [MIDRC] });
    [a, b, developer] = [await mint('operator-a', 'operator'), await mint('operator-b', 'operator'), await mint('dev', 'developer')];
    await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
    assert.equal((await fleet.admin('PUT', `/api/v1/commons/${ID}/labels`, { labels: { tier: 'production' } })).status, 200);
    assert.equal((await fleet.admin('PUT', '/api/v1/groups/production', { selector: { matchLabels: { tier: 'production' } } })).status, 201);
  });
  after(() => fleet.stop());

  it('admins save a policy on a group; operators read but cannot edit it; an unknown group is refused naming body.group', async () => {
    const spec = {
      group: 'production',
      description: 'Production: a second operator approves deploys and config',
      rules: { requireReason: true, approval: { kinds: ['deploy', 'config'], approvers: 'operator' }, allowedReleases: ['2026.06', '2026.07'] },
    };
    const put = await fleet.admin<PolicyView>('PUT', '/api/v1/policies/production-changes', spec);
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.deepEqual(put.body.rules, { requireReason: true, approval: { kinds: ['deploy', 'config'], approvers: 'operator', count: 1 }, minRole: {}, allowedReleases: ['2026.06', '2026.07'] });
    assert.equal((await fleet.api<{ items: PolicyView[] }>(a, 'GET', '/api/v1/policies')).body.items.length, 1);
    assert.equal((await fleet.api(a, 'PUT', '/api/v1/policies/production-changes', spec)).status, 403);
    const unknown = await fleet.admin<Problem>('PUT', '/api/v1/policies/other', { ...spec, group: 'no-such-group' });
    assert.equal(unknown.status, 422);
    assert.deepEqual(unknown.body.errors?.map((e) => e.field), ['body.group']);
    assert.equal((await auditOf('policy.put')).filter((e) => e.outcome === 'succeeded').length, 1);
  });

  it("a production deploy waits for a second operator's approval; the requester cannot approve their own; B's approval runs it once", async () => {
    const live = await subscribe(fleet, developer);
    try {
      const before = await deployments();
      const r = await fleet.api<ApprovalHeld>(a, 'POST', '/api/v1/deployments', { commons: ID, template: 'gen3-explorer', profile: 'production', release: '2026.07', mode: 'apply', reason: 'move MIDRC to 2026.07' });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      const held = r.body.approval;
      assert.equal(held.state, 'requested');
      assert.equal(held.kind, 'deploy');
      assert.equal(held.requester.actor, 'token:operator-a');
      assert.deepEqual(held.policies, ['production-changes']);
      assert.match(held.summary, /deploy release 2026\.07 to data-midrc-org as revision 1 \(template gen3-explorer, profile production\): \d+ service\(s\) change/);
      // Nothing deployed: no deployment recorded, the commons still on its release.
      assert.equal((await deployments()).length, before.length);
      assert.equal((await simState(fleet, MIDRC.hostname)).release, '2026.06');
      const pending = (await auditOf('deployment.apply')).find((e) => e.detail.approval === held.id);
      assert.equal(pending?.outcome, 'accepted');
      assert.equal(pending?.detail.pending, 'approval');

      // The requester's own approval is refused, naming the rule; nothing runs.
      const own = await fleet.api<Problem>(a, 'POST', `/api/v1/approvals/${held.id}/approve`);
      assert.equal(own.status, 403);
      assert.match(own.body.detail, /not the requester/);
      assert.equal((await fleet.api<ApprovalView>(b, 'GET', `/api/v1/approvals/${held.id}`)).body.state, 'requested');
      assert.ok((await auditOf('approval.approve')).some((e) => e.outcome === 'denied' && e.actor === 'token:operator-a'));
      // A developer may not approve at all.
      assert.equal((await fleet.api(developer, 'POST', `/api/v1/approvals/${held.id}/approve`)).status, 403);

      const approved = await fleet.api<ApprovalView>(b, 'POST', `/api/v1/approvals/${held.id}/approve`);
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.equal(approved.body.state, 'executed', approved.body.error ?? '');
      assert.equal(approved.body.decidedBy, 'token:operator-b');
      const deploymentId = approved.body.result?.deployment;
      assert.ok(deploymentId, 'the approval names the deployment it started');
      const done = await waitDeployment(fleet, b, deploymentId);
      assert.equal(done.state, 'succeeded', done.message);
      assert.equal(done.actor, 'token:operator-a', 'the deployment is the requester’s');
      assert.equal(done.release, '2026.07');
      assert.equal((await simState(fleet, MIDRC.hostname)).release, '2026.07');

      // Approving again changes nothing: the same approval, no second deployment.
      const again = await fleet.api<ApprovalView>(b, 'POST', `/api/v1/approvals/${held.id}/approve`);
      assert.equal(again.status, 200);
      assert.equal(again.body.result?.deployment, deploymentId);
      assert.equal((await deployments()).length, before.length + 1);
      // The approval cannot be used again by sending its id with the same request.
      const reuse = await fleet.api<Problem>(a, 'POST', '/api/v1/deployments', { commons: ID, template: 'gen3-explorer', profile: 'production', release: '2026.07', mode: 'apply', reason: 'move MIDRC to 2026.07', approvalId: held.id });
      assert.equal(reuse.status, 409);
      assert.deepEqual(reuse.body.errors?.map((e) => e.field), ['body.approvalId']);
      assert.equal((await deployments()).length, before.length + 1);

      const executed = (await auditOf('approval.execute')).find((e) => e.detail.approval === held.id);
      assert.equal(executed?.outcome, 'succeeded');
      assert.equal(executed?.detail.requester, 'token:operator-a');
      assert.equal(executed?.detail.approver, 'token:operator-b');
      assert.equal(executed?.detail.deployment, deploymentId);
      const states = live.events.filter((e) => e.type === 'approval.updated' && e.data.approval === held.id).map((e) => e.data.state);
      assert.deepEqual(states, ['requested', 'approved', 'executed'], 'the app sees each step live');
    } finally {
      live.close();
    }
  });

  it('a token minted by the requester cannot approve for them', async () => {
    const bot = await mint('admin-bot', 'admin');
    const detail = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
    const r = await fleet.admin<ApprovalHeld>('PUT', `/api/v1/commons/${ID}/config`, { data: { ...detail.config!.data, dictionary_url: 'https://example.org/dict.json' }, baseRevision: detail.config!.revision, reason: 'new dictionary' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const byBot = await fleet.api<Problem>(bot, 'POST', `/api/v1/approvals/${r.body.approval.id}/approve`);
    assert.equal(byBot.status, 403);
    assert.match(byBot.body.detail, /not the requester/);
    // Withdrawn by its requester: it never runs.
    const withdrawn = await fleet.admin<ApprovalView>('POST', `/api/v1/approvals/${r.body.approval.id}/reject`, { reason: 'wrong dictionary' });
    assert.equal(withdrawn.body.state, 'rejected');
  });

  it('a rejected change never runs, and cannot be approved afterwards', async () => {
    const detail = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
    const revision = detail.config!.revision;
    const r = await fleet.api<ApprovalHeld>(a, 'PUT', `/api/v1/commons/${ID}/config`, { data: { ...detail.config!.data, dictionary_url: 'https://example.org/other.json' }, baseRevision: revision, reason: 'try another dictionary' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const id = r.body.approval.id;
    const noReason = await fleet.api<Problem>(b, 'POST', `/api/v1/approvals/${id}/reject`, {});
    assert.equal(noReason.status, 422);
    assert.deepEqual(noReason.body.errors?.map((e) => e.field), ['body.reason']);
    const rejected = await fleet.api<ApprovalView>(b, 'POST', `/api/v1/approvals/${id}/reject`, { reason: 'not during the data release' });
    assert.equal(rejected.status, 200);
    assert.equal(rejected.body.state, 'rejected');
    assert.equal(rejected.body.decisionReason, 'not during the data release');
    const late = await fleet.api<Problem>(b, 'POST', `/api/v1/approvals/${id}/approve`);
    assert.equal(late.status, 409);
    assert.equal((await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body.config!.revision, revision, 'the config did not change');
    const audited = (await auditOf('approval.reject')).find((e) => e.detail.approval === id);
    assert.equal(audited?.actor, 'token:operator-b');
    assert.equal(audited?.detail.reason, 'not during the data release');
  });

  it('a policy requiring a reason refuses a restart without one, naming body.reason; with one it runs (restarts need no approval here)', async () => {
    const commands = async () => (await fleet.admin<{ items: CommandView[] }>('GET', `/api/v1/commands?commons=${ID}&limit=500`)).body.items.length;
    const before = await commands();
    const bare = await fleet.api<Problem>(a, 'POST', `/api/v1/commons/${ID}/services/fence/restart`);
    assert.equal(bare.status, 422);
    assert.deepEqual(bare.body.errors?.map((e) => e.field), ['body.reason']);
    assert.match(bare.body.detail, /policy production-changes requires a reason/);
    assert.equal(await commands(), before, 'nothing queued');
    const denied = (await auditOf('service.restart')).find((e) => e.outcome === 'denied');
    assert.equal(denied?.detail.rule, 'policy production-changes');
    const ok = await fleet.api<{ command: { id: string } }>(a, 'POST', `/api/v1/commons/${ID}/services/fence/restart`, { reason: 'pick up the new signing key' });
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
    assert.ok(ok.body.command.id);
  });

  it('who may change what: a policy raising the least role for restarts refuses an operator (403 naming it), not an admin', async () => {
    assert.equal((await fleet.admin('PUT', '/api/v1/policies/restart-admins', { group: 'production', rules: { minRole: { restart: 'admin' } } })).status, 201);
    try {
      const r = await fleet.api<Problem>(a, 'POST', `/api/v1/commons/${ID}/services/portal/restart`, { reason: 'new banner' });
      assert.equal(r.status, 403);
      assert.match(r.body.detail, /policy restart-admins lets only admin or higher make restart changes on data-midrc-org; token:operator-a has role operator/);
      const denied = (await auditOf('service.restart')).find((e) => e.outcome === 'denied' && e.actor === 'token:operator-a' && e.detail.rule === 'policy restart-admins');
      assert.ok(denied, 'the refusal is audited as denied, naming the policy');
      assert.equal((await fleet.admin('POST', `/api/v1/commons/${ID}/services/portal/restart`, { reason: 'new banner' })).status, 202);
    } finally {
      assert.equal((await fleet.admin('DELETE', '/api/v1/policies/restart-admins')).status, 204);
    }
    assert.ok((await auditOf('policy.delete')).some((e) => e.detail.policy === 'restart-admins'));
  });

  it('a release the policy does not allow is refused naming body.release, before any approval is opened', async () => {
    const open = async () => (await fleet.admin<{ items: ApprovalView[] }>('GET', '/api/v1/approvals?state=requested')).body.items.length;
    const before = await open();
    const r = await fleet.api<Problem>(a, 'POST', '/api/v1/deployments', { commons: ID, template: 'gen3-explorer', profile: 'production', release: '2025.09', mode: 'apply', reason: 'go back a year' });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.errors?.map((e) => e.field), ['body.release']);
    assert.match(r.body.detail, /allowed: 2026\.06, 2026\.07/);
    assert.equal(await open(), before);
  });

  it('a request nobody decides expires; approvals live in the store, across a restart', async () => {
    const before = await fleet.api<ApprovalHeld>(a, 'POST', '/api/v1/deployments', { commons: ID, template: 'gen3-explorer', profile: 'production', release: '2026.06', mode: 'apply', reason: 'back to 2026.06' });
    assert.equal(before.status, 202, JSON.stringify(before.body));
    fleet.control.opts.env = { ...fleet.control.opts.env, DCOC_APPROVAL_TTL_S: '2' };
    await fleet.restartControl();
    await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'the commons back after the restart' });
    assert.equal((await fleet.api<ApprovalView>(b, 'GET', `/api/v1/approvals/${before.body.approval.id}`)).body.state, 'requested', 'opened with the 24-hour default, still waiting');
    // Restarts are not held by the policy (they start at once); a config change is.
    const restart = await fleet.api<{ command?: unknown }>(a, 'POST', `/api/v1/commons/${ID}/services/fence/restart`, { reason: 'after the restart' });
    assert.equal(restart.status, 202);
    assert.ok(restart.body.command);
    const detail = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
    const config = await fleet.api<ApprovalHeld>(a, 'PUT', `/api/v1/commons/${ID}/config`, { data: { ...detail.config!.data, dictionary_url: 'https://example.org/late.json' }, baseRevision: detail.config!.revision, reason: 'nobody will look' });
    assert.equal(config.status, 202, JSON.stringify(config.body));
    const id = config.body.approval.id;
    const expired = await eventually(
      async () => {
        const v = (await fleet.api<ApprovalView>(b, 'GET', `/api/v1/approvals/${id}`)).body;
        return v.state === 'expired' && v;
      },
      { what: 'the approval to expire' },
    );
    assert.ok(expired.decidedAt);
    const late = await fleet.api<Problem>(b, 'POST', `/api/v1/approvals/${id}/approve`);
    assert.equal(late.status, 409);
    assert.match(late.body.detail, /expired/);
    const swept = (await auditOf('approval.expire')).find((e) => e.detail.approval === id);
    assert.equal(swept?.actor, 'dcoc-control');
    assert.equal(swept?.actorKind, 'system');
    assert.equal((await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body.config!.revision, detail.config!.revision, 'the config did not change');
    assert.equal((await fleet.api<ApprovalView>(b, 'POST', `/api/v1/approvals/${before.body.approval.id}/reject`, { reason: 'not needed' })).body.state, 'rejected');
  });
});
