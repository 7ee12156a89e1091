// A rollout is one change of many commons, so a policy that holds rollouts on
// production asks for one approval, not one per commons: operator A's rollout
// to two production commons answers 202 with the approval and starts nothing;
// A cannot approve it; operator B's approval starts the rollout once, covering
// both commons, and it completes. A deny window on one of them refuses a
// rollout naming the window and that commons.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CommonsDetail, Problem } from '../../contracts/api';
import type { ApprovalHeld, ApprovalView } from '../../contracts/policies';
import type { RolloutView } from '../../contracts/rollouts';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';

const COMMONS = [DEMO_COMMONS[1], DEMO_COMMONS[2]]; // MIDRC 2026.06, HEAL 2026.04
const IDS = ['data-midrc-org', 'healdata-org'];

describe('rollouts through the change gate', () => {
  let fleet: TestFleet;
  let a: string;
  let b: string;
  const mint = async (name: string, role: string) => (await fleet.admin<{ token: string }>('POST', '/api/v1/tokens', { name, role })).body.token;
  const rollouts = async () => (await fleet.admin<{ items: RolloutView[] }>('GET', '/api/v1/rollouts')).body.items;
  const auditOf = async (action: string) => (await fleet.admin<{ items: AuditEntry[] }>('GET', `/api/v1/audit?action=${encodeURIComponent(action)}&limit=200`)).body.items;
  const body = { target: { group: 'production' }, change: { release: '2026.07', template: 'gen3-default', profile: 'small' }, waves: { waves: 1, soakSeconds: 0 }, mode: 'apply', reason: 'release 2026.07 to production' };

  before(async () => {
    fleet = await TestFleet.start({ commons: COMMONS });
    [a, b] = [await mint('operator-a', 'operator'), await mint('operator-b', 'operator')];
    for (const id of IDS) {
      await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${id}`)).body?.status === 'healthy', { what: `${id} healthy` });
      assert.equal((await fleet.admin('PUT', `/api/v1/commons/${id}/labels`, { labels: { tier: 'production' } })).status, 200);
    }
    assert.equal((await fleet.admin('PUT', '/api/v1/groups/production', { selector: { matchLabels: { tier: 'production' } } })).status, 201);
    const policy = await fleet.admin('PUT', '/api/v1/policies/hold-rollouts', { group: 'production', rules: { approval: { kinds: ['rollout'], approvers: 'operator' } } });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
  });
  after(() => fleet.stop());

  it('one approval by a second operator starts the rollout on every production commons, once', async () => {
    const r = await fleet.api<ApprovalHeld>(a, 'POST', '/api/v1/rollouts', body);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const held = r.body.approval;
    assert.equal(held.kind, 'rollout');
    assert.equal(held.state, 'requested');
    assert.equal((await rollouts()).length, 0, 'nothing started while held');
    assert.equal((await fleet.admin<{ items: ApprovalView[] }>('GET', '/api/v1/approvals?state=requested')).body.items.length, 1, 'one approval for the whole rollout');

    const own = await fleet.api<Problem>(a, 'POST', `/api/v1/approvals/${held.id}/approve`);
    assert.equal(own.status, 403);
    assert.equal((await rollouts()).length, 0);

    const approved = await fleet.api<ApprovalView>(b, 'POST', `/api/v1/approvals/${held.id}/approve`);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.state, 'executed', approved.body.error ?? '');
    const id = approved.body.result?.rollout;
    assert.ok(id, 'the approval names the rollout it started');
    const started = (await fleet.admin<RolloutView>('GET', `/api/v1/rollouts/${id}`)).body;
    assert.deepEqual(started.targets.map((t) => t.commons).sort(), IDS);
    let last: RolloutView | undefined;
    try {
      await eventually(async () => (last = (await fleet.admin<RolloutView>('GET', `/api/v1/rollouts/${id}`)).body).state === 'completed', { what: 'the approved rollout to complete', timeoutMs: 60_000 });
    } catch (e) {
      throw new Error(`${(e as Error).message}: ${JSON.stringify(last)}`, { cause: e });
    }

    // Approving again starts nothing more.
    assert.equal((await fleet.api<ApprovalView>(b, 'POST', `/api/v1/approvals/${held.id}/approve`)).body.result?.rollout, id);
    assert.equal((await rollouts()).length, 1);
    assert.equal((await auditOf('rollout.start')).filter((e) => e.outcome === 'accepted' && e.detail.rollout === id).length, 1, 'started once');
    assert.equal((await auditOf('rollout.start')).filter((e) => e.detail.pending === 'approval').length, 1, 'held once');
  });

  it('a deny window on one commons refuses the rollout naming the window and the commons', async () => {
    const now = Date.now();
    const w = await fleet.admin<{ id: string }>('POST', '/api/v1/windows', { name: 'heal-freeze', kind: 'deny', target: { commons: [IDS[1]] }, schedule: { start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString() }, reason: 'data release' });
    assert.equal(w.status, 201, JSON.stringify(w.body));
    const before = (await rollouts()).length;
    const r = await fleet.api<Problem>(a, 'POST', '/api/v1/rollouts', { ...body, change: { ...body.change, release: '2026.08' } });
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.match(r.body.detail, /healdata-org/);
    assert.match(r.body.detail, /heal-freeze/);
    assert.equal((await rollouts()).length, before, 'nothing started');
    assert.ok((await auditOf('rollout.start')).some((e) => e.outcome === 'denied' && e.commons === IDS[1]));
  });
});
