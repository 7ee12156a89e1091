import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalView, PolicyView } from '../../contracts/policies';
import { testIds } from '../../src/testIds';
import { plan, problem, whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { findDialog, renderApp } from './support/render';

const URL = '/a/gen3-dcoc-app/approvals';
const ID = '6f1c2a4e-0b7d-4c11-9f3e-2a5b8c9d0e1f';
const OWN = '7a2d3b5f-1c8e-4d22-8a4f-3b6c9d0e1f2a';

function approval(id: string, over: Partial<ApprovalView> = {}): ApprovalView {
  return {
    id,
    kind: 'deploy',
    commons: 'data-midrc-org',
    state: 'requested',
    requester: { actor: 'alice', kind: 'grafana', role: 'operator' },
    reason: 'move MIDRC to 2026.07',
    summary: 'deploy release 2026.07 to data-midrc-org as revision 4: 12 service(s) change',
    release: '2026.07',
    request: {},
    policies: ['production-changes'],
    approvers: 'operator',
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    expiresAt: new Date(Date.now() + 20 * 3600_000).toISOString(),
    decidedBy: null,
    decidedAt: null,
    decisionReason: null,
    result: null,
    error: null,
    ...over,
  };
}

const POLICY: PolicyView = {
  name: 'production-changes',
  group: 'production',
  description: 'Production',
  rules: { requireReason: true, approval: { kinds: ['deploy', 'config'], approvers: 'operator', count: 1 }, minRole: {}, allowedReleases: ['2026.06', '2026.07'] },
  updatedBy: 'admin-user',
  updatedAt: new Date().toISOString(),
};

let g: FakeGrafana;
let items: ApprovalView[];
function as(role: 'developer' | 'operator' | 'admin') {
  items = [approval(ID), approval(OWN, { requester: { actor: `${role}-user`, kind: 'grafana', role: 'operator' }, summary: 'restart fence on data-midrc-org' })];
  g = new FakeGrafana()
    .install()
    .on('GET', 'whoami', { data: whoami(role) })
    .on('GET', 'approvals', () => ({ data: { items } }))
    .on('GET', 'policies', { data: { items: [POLICY] } });
}
beforeEach(() => as('operator'));

describe('approvals page', () => {
  it('lists the changes waiting for approval: what, who, why, which policy, when it expires', async () => {
    renderApp(URL);
    const row = await screen.findByTestId(testIds.approvals.row(ID));
    expect(row).toHaveTextContent('deploy release 2026.07 to data-midrc-org as revision 4: 12 service(s) change');
    expect(row).toHaveTextContent('alice');
    expect(row).toHaveTextContent('why: move MIDRC to 2026.07');
    expect(row).toHaveTextContent('production-changes');
    expect(screen.getByTestId(testIds.approvals.state(ID))).toHaveTextContent(/requested.*expires in 20 hours/);
    expect(g.callsTo('GET', 'approvals')[0].params).toEqual({ state: 'requested', limit: 200 });
  });

  it("approves someone else's change and says what it started; one's own cannot be approved, only withdrawn", async () => {
    g.on('POST', `approvals/${ID}/approve`, { data: approval(ID, { state: 'executed', decidedBy: 'operator-user', result: { deployment: 'dep-42' } }) });
    renderApp(URL);
    const own = await screen.findByTestId(testIds.approvals.approve(OWN));
    // Disabled with a tooltip saying why (Grafana marks such a button aria-disabled); a click does nothing.
    expect(own).toHaveAttribute('aria-disabled', 'true');
    await userEvent.click(own);
    expect(g.callsTo('POST', `approvals/${OWN}/approve`)).toHaveLength(0);
    expect(screen.getByTestId(testIds.approvals.reject(OWN))).toHaveTextContent('Withdraw');
    await userEvent.click(screen.getByTestId(testIds.approvals.approve(ID)));
    expect(await screen.findByTestId(testIds.approvals.decided)).toHaveTextContent('started deployment dep-42');
    expect(g.callsTo('POST', `approvals/${ID}/approve`)).toHaveLength(1);
    await waitFor(() => expect(g.callsTo('GET', 'approvals').length).toBeGreaterThan(1));
  });

  it('plans the held deploy from the exact request it holds, for the approver to review (a plan changes nothing)', async () => {
    const request = { commons: 'data-midrc-org', template: 'gen3-explorer', profile: 'production', release: '2026.07', reason: 'move MIDRC to 2026.07', mode: 'apply' };
    items = [approval(ID, { request })];
    g.on('POST', 'deployments', { data: plan() });
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.approvals.reviewPlan(ID)));
    const review = await screen.findByTestId(testIds.approvals.plan);
    await within(review).findByTestId(testIds.deploy.diff);
    expect(g.callsTo('POST', 'deployments').map((c) => c.body)).toEqual([{ commons: 'data-midrc-org', template: 'gen3-explorer', profile: 'production', release: '2026.07', reason: 'move MIDRC to 2026.07', mode: 'plan' }]);
    expect(g.callsTo('POST', `approvals/${ID}/approve`)).toHaveLength(0);
  });

  it('rejects only with a reason, sent with the decision', async () => {
    g.on('POST', `approvals/${ID}/reject`, { data: approval(ID, { state: 'rejected', decidedBy: 'operator-user', decisionReason: 'not during the freeze' }) });
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.approvals.reject(ID)));
    const dialog = await findDialog();
    expect(within(dialog).getByTestId(testIds.approvals.confirmReject)).toBeDisabled();
    await userEvent.type(within(dialog).getByTestId(testIds.approvals.rejectReason), 'not during the freeze');
    await userEvent.click(within(dialog).getByTestId(testIds.approvals.confirmReject));
    await waitFor(() => expect(g.callsTo('POST', `approvals/${ID}/reject`)).toHaveLength(1));
    expect(g.callsTo('POST', `approvals/${ID}/reject`)[0].body).toEqual({ reason: 'not during the freeze' });
    expect(await screen.findByTestId(testIds.approvals.decided)).toHaveTextContent('rejected: not during the freeze');
  });

  it("shows the server's refusal of a decision", async () => {
    g.on('POST', `approvals/${ID}/approve`, { status: 403, data: problem(403, 'Not allowed to decide', 'refused by approval: not the requester: alice asked for this change') });
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.approvals.approve(ID)));
    expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent('Deciding failed: Not allowed to decide');
  });

  it('refreshes when an approval event arrives over Grafana Live', async () => {
    renderApp(URL);
    await screen.findByTestId(testIds.approvals.row(ID));
    items = [approval(ID, { state: 'executed', decidedBy: 'bob', result: { deployment: 'dep-7' } })];
    g.emit({ id: 9, at: new Date().toISOString(), type: 'approval.updated', commons: 'data-midrc-org', approval: ID, kind: 'deploy', state: 'executed', requester: 'alice', summary: 'deploy' });
    await waitFor(() => expect(screen.getByTestId(testIds.approvals.state(ID))).toHaveTextContent('executed'));
    expect(screen.getByTestId(testIds.approvals.state(ID))).toHaveTextContent('by bob started deployment dep-7');
    expect(screen.queryByTestId(testIds.approvals.row(OWN))).not.toBeInTheDocument();
  });

  it('offers a developer no decision, and no policy editing', async () => {
    as('developer');
    renderApp(URL);
    await screen.findByTestId(testIds.approvals.row(ID));
    expect(screen.queryByTestId(testIds.approvals.approve(ID))).not.toBeInTheDocument();
    expect(await screen.findByTestId(testIds.approvals.policyRow('production-changes'))).toHaveTextContent('deploy, config wait for approval by operator or higher; a reason is required; releases 2026.06, 2026.07');
    expect(screen.queryByTestId(testIds.approvals.newPolicy)).not.toBeInTheDocument();
  });

  it('lets an admin write a policy, checked before it is sent', async () => {
    as('admin');
    g.on('PUT', 'policies/staging', { status: 201, data: { ...POLICY, name: 'staging', group: 'staging' } });
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.approvals.newPolicy));
    const dialog = await findDialog();
    await userEvent.type(within(dialog).getByTestId(testIds.approvals.policyName), 'staging');
    const json = within(dialog).getByTestId(testIds.approvals.policyJson);
    await userEvent.clear(json);
    await userEvent.click(json);
    await userEvent.paste(JSON.stringify({ group: 'staging', rules: { approval: { kinds: ['deploy'], approvers: 'root' } } }));
    expect(dialog).toHaveTextContent('rules.approval.approvers');
    expect(within(dialog).getByTestId(testIds.approvals.savePolicy)).toBeDisabled();
    await userEvent.clear(json);
    await userEvent.click(json);
    await userEvent.paste(JSON.stringify({ group: 'staging', rules: { approval: { kinds: ['deploy'], approvers: 'admin' } } }));
    await userEvent.click(within(dialog).getByTestId(testIds.approvals.savePolicy));
    await waitFor(() => expect(g.callsTo('PUT', 'policies/staging')).toHaveLength(1));
    expect(g.callsTo('PUT', 'policies/staging')[0].body).toEqual({
      group: 'staging',
      description: '',
      rules: { requireReason: false, approval: { kinds: ['deploy'], approvers: 'admin', count: 1 }, minRole: {}, allowedReleases: null },
    });
  });

  it('says so when nothing waits', async () => {
    items = [];
    renderApp(URL);
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent('Nothing is waiting for approval');
  });
});
