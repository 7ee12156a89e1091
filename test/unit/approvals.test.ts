// Approvals on both store engines, with a clock the test moves: a held change
// is approved by someone else only (not its requester, nor a token they
// minted, nor a lower role), runs exactly once however many approve at once,
// can be rejected, and expires when nobody decides in time. Every step is
// audited and published for the app.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Principal } from '../../backend/auth/principal';
import type { ProposedChange } from '../../backend/changes/gate';
import { Conflict } from '../../backend/domain/errors';
import { EventBus } from '../../backend/events/bus';
import { createLogger } from '../../lib/logger';
import { Approvals, NotAllowed } from '../../backend/policies/approvals';
import type { SqlStore } from '../../backend/store/sql-store';
import { storeEngines } from '../support/store-engines';

const A: Principal = { actor: 'alice', kind: 'grafana', role: 'operator' };
const B: Principal = { actor: 'bob', kind: 'grafana', role: 'operator' };
const ALICE_BOT: Principal = { actor: 'token:alice-bot', kind: 'token', role: 'admin', owner: 'alice' };
const DEV: Principal = { actor: 'dana', kind: 'grafana', role: 'developer' };
const TTL = 60_000;

for (const engine of await storeEngines('approvals'))
describe(`approvals (${engine.name})`, { skip: engine.skip }, () => {
  let store: SqlStore;
  let approvals: Approvals;
  let now = Date.parse('2026-12-04T12:00:00Z');
  const events = new EventBus();
  const published: string[] = [];
  events.subscribe((e) => e.type === 'approval.updated' && published.push(`${e.approval}:${e.state}`));
  const runs: { request: Record<string, unknown>; principal: Principal }[] = [];
  let failNext = false;

  const deploy = (principal: Principal, release = '2026.07'): ProposedChange => ({
    kind: 'deploy',
    commons: 'data-midrc-org',
    principal,
    reason: 'upgrade',
    release,
    summary: `deploy ${release}`,
    request: { commons: 'data-midrc-org', release, reason: 'upgrade' },
  });

  before(async () => {
    store = await engine.open();
    approvals = new Approvals({ store: store.policies, events, log: createLogger('test', 'silent'), ttlMs: TTL, now: () => new Date(now) });
    // What the gate does on a replay: claim the approval, then act.
    approvals.onApproved('deploy', async (request, principal, approvalId) => {
      const used = await approvals.consume(approvalId, { ...deploy(principal, request.release as string), request, approvalId });
      if (!used.ok) throw new Error(used.detail);
      await new Promise((r) => setTimeout(r, 20));
      if (failNext) throw new Error('the release catalog has no 2026.07');
      runs.push({ request, principal });
      return { deployment: `dep-${runs.length}` };
    });
  });
  after(() => engine.cleanup());

  const audit = async (action: string) => store.listAudit({ action, limit: 100 });

  it('only someone else with the approver role approves; concurrent approvals run the change once, as its requester', async () => {
    const held = await approvals.open(deploy(A), { approvers: 'operator', policies: ['prod'] });
    assert.equal(held.state, 'requested');
    assert.equal(held.expiresAt, new Date(now + TTL).toISOString());
    await assert.rejects(approvals.approve(held.id, A), (e) => e instanceof NotAllowed && /not the requester/.test(e.rule));
    await assert.rejects(approvals.approve(held.id, ALICE_BOT), (e) => e instanceof NotAllowed && /not the requester/.test(e.rule), 'a token alice minted is alice');
    await assert.rejects(approvals.approve(held.id, DEV), (e) => e instanceof NotAllowed && /approver role/.test(e.rule));
    assert.equal((await approvals.view(held.id)).state, 'requested');

    const admin: Principal = { actor: 'carol', kind: 'grafana', role: 'admin' };
    const [x, y] = await Promise.all([approvals.approve(held.id, B), approvals.approve(held.id, admin)]);
    assert.equal(runs.length, 1, 'the change ran once');
    assert.deepEqual(runs[0].principal, A);
    const final = await approvals.view(held.id);
    assert.equal(final.state, 'executed');
    assert.deepEqual(final.result, { deployment: 'dep-1' });
    assert.ok([x.state, y.state].every((s) => s === 'approved' || s === 'executed'));
    const again = await approvals.approve(held.id, B);
    assert.deepEqual(again, final, 'approving again changes nothing');
    assert.equal(runs.length, 1);
    assert.equal((await approvals.consume(held.id, deploy(A))).ok, false, 'a used approval is not used again');

    const approvedBy = (await audit('approval.approve')).filter((e) => e.outcome === 'succeeded').map((e) => e.actor);
    assert.equal(approvedBy.length, 1);
    const executed = (await audit('approval.execute'))[0];
    assert.equal(executed.outcome, 'succeeded');
    assert.deepEqual(JSON.parse(executed.detail_json), { approval: held.id, kind: 'deploy', requester: 'alice', approver: approvedBy[0], deployment: 'dep-1' });
    const pending = (await audit('deployment.apply')).find((e) => JSON.parse(e.detail_json).approval === held.id);
    assert.equal(pending?.outcome, 'accepted');
    assert.deepEqual(published.filter((p) => p.startsWith(held.id)), [`${held.id}:requested`, `${held.id}:approved`, `${held.id}:executed`]);
  });

  it('an approval is for exactly the change it holds', async () => {
    const held = await approvals.open(deploy(A), { approvers: 'operator', policies: ['prod'] });
    const other = await approvals.consume(held.id, deploy(A, '2026.08'));
    assert.equal(other.ok, false);
    assert.equal((await approvals.consume(held.id, deploy(A))).ok, false, 'not approved yet');
    await approvals.reject(held.id, B, 'cleanup');
  });

  it('a rejected change never runs and cannot be approved', async () => {
    const held = await approvals.open(deploy(A), { approvers: 'operator', policies: ['prod'] });
    const rejected = await approvals.reject(held.id, B, 'not during the data freeze');
    assert.equal(rejected.state, 'rejected');
    assert.equal(rejected.decisionReason, 'not during the data freeze');
    await assert.rejects(approvals.approve(held.id, B), Conflict);
    assert.equal((await approvals.reject(held.id, B, 'again')).decisionReason, 'not during the data freeze', 'rejecting again changes nothing');
  });

  it('a change that fails to start leaves the approval failed, with why, audited', async () => {
    const held = await approvals.open(deploy(A), { approvers: 'operator', policies: ['prod'] });
    failNext = true;
    try {
      const r = await approvals.approve(held.id, B);
      assert.equal(r.state, 'failed');
      assert.match(r.error!, /no 2026\.07/);
    } finally {
      failNext = false;
    }
    const failed = (await audit('approval.execute')).find((e) => JSON.parse(e.detail_json).approval === held.id);
    assert.equal(failed?.outcome, 'failed');
  });

  it('requests nobody decides expire: by the sweeper, or when someone tries to approve too late', async () => {
    const swept = await approvals.open(deploy(A), { approvers: 'operator', policies: ['prod'] });
    const late = await approvals.open(deploy(A, '2026.08'), { approvers: 'operator', policies: ['prod'] });
    now += TTL - 1;
    assert.equal(await approvals.expireDue(), 0, 'not yet');
    now += 1;
    await assert.rejects(approvals.approve(late.id, B), (e) => e instanceof Conflict && /expired/.test(e.detail));
    assert.equal(await approvals.expireDue(), 1);
    assert.equal((await approvals.view(swept.id)).state, 'expired');
    assert.equal((await approvals.view(late.id)).state, 'expired');
    const expiries = (await audit('approval.expire')).map((e) => [e.actor, JSON.parse(e.detail_json).approval]);
    assert.deepEqual(expiries.map(([actor]) => actor), ['dcoc-control', 'dcoc-control']);
    assert.deepEqual(expiries.map(([, id]) => id).sort(), [swept.id, late.id].sort());
    await assert.rejects(approvals.approve(swept.id, B), Conflict);
    assert.equal(runs.length, 1);
  });

  it('an approved change a stopped control service never started runs once; one it may have started is failed, saying where to look', async () => {
    const crashed = (await approvals.open(deploy(A), { approvers: 'operator', policies: ['prod'] })).id;
    const claimed = (await approvals.open(deploy(A, '2026.08'), { approvers: 'operator', policies: ['prod'] })).id;
    // What a crash leaves: approved (with its audit entry), never finished; the second one claimed by its replay.
    const approvedAt = new Date(now).toISOString();
    for (const id of [crashed, claimed]) assert.ok(await store.policies.move(id, 'requested', { state: 'approved', decided_by: 'bob', decided_at: approvedAt }, { at: approvedAt, actor: 'bob', actor_kind: 'grafana', role: 'operator', action: 'approval.approve', commons_id: 'data-midrc-org', service: null, detail_json: '{}', outcome: 'succeeded', command_id: null }));
    assert.ok(await store.policies.consume(claimed, approvedAt));
    const ran = runs.length;
    assert.equal(await approvals.resumeInterrupted(), 0, 'a change being started now is left alone');
    now += 10 * 60_000 + 1;
    assert.equal(await approvals.resumeInterrupted(), 2);
    assert.equal(runs.length, ran + 1, 'the unclaimed one ran, once');
    assert.equal((await approvals.view(crashed)).state, 'executed');
    const failed = await approvals.view(claimed);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error!, /may or may not have started/);
    assert.equal(await approvals.resumeInterrupted(), 0);
    const executed = (await audit('approval.execute')).find((e) => JSON.parse(e.detail_json).approval === crashed);
    assert.equal(executed?.actor, 'dcoc-control');
    assert.equal(JSON.parse(executed!.detail_json).approver, 'bob');
  });
});
