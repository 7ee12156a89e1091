import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalView } from '../../contracts/policies';
import type { RolloutPlan, RolloutTargetView, RolloutView } from '../../contracts/rollouts';
import { testIds } from '../../src/testIds';
import { whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { renderApp } from './support/render';

const URL = '/a/gen3-dcoc-app/rollouts';
const ID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const target = (commons: string, wave: number, state: RolloutTargetView['state'], over: Partial<RolloutTargetView> = {}): RolloutTargetView => ({
  commons, wave, state, message: state, deployment: state === 'pending' ? null : `dep-${commons}`, deploymentState: state === 'pending' ? null : 'succeeded', percent: state === 'pending' ? 0 : 100,
  fromRevision: 1, toRevision: 2, rollbackDeployment: null, soakSince: null, attempts: state === 'pending' ? 0 : 1, updatedAt: '2026-12-04T20:00:00Z', ...over,
});
function rollout(over: Partial<RolloutView> = {}): RolloutView {
  return {
    id: ID, state: 'paused-on-failure', message: 'stopped on midrc (wave 2)', target: { group: 'production' }, change: { release: '2026.08' }, maxInFlight: 2, soakSeconds: 60, reason: 'quarterly release', actor: 'operator-user',
    failure: { commons: 'midrc', reason: 'midrc is down: fence down (Readiness probe failed)' },
    waves: [{ wave: 1, state: 'done', done: 1, total: 1 }, { wave: 2, state: 'failed', done: 1, total: 2 }, { wave: 3, state: 'pending', done: 0, total: 1 }],
    targets: [target('brh', 1, 'done'), target('heal', 2, 'done'), target('midrc', 2, 'failed', { message: 'midrc is down' }), target('vadc', 3, 'pending')],
    createdAt: '2026-12-04T19:00:00Z', updatedAt: '2026-12-04T20:00:00Z', ...over,
  };
}
const PLAN: RolloutPlan = {
  mode: 'plan', change: { release: '2026.08' }, maxInFlight: 5, soakSeconds: 60, alertGate: true,
  waves: [{ wave: 1, commons: ['brh'] }, { wave: 2, commons: ['midrc'] }],
  commons: [
    { commons: 'brh', wave: 1, baseRevision: 3, release: { from: '2026.07', to: '2026.08' }, diff: { text: '-  image: fence:2026.07\n+  image: fence:2026.08\n', changes: [{ path: 'fence.image.tag', op: 'change', from: '2026.07', to: '2026.08' }] }, services: ['fence'], warnings: [] },
    { commons: 'midrc', wave: 2, baseRevision: 5, release: { from: '2026.07', to: '2026.08' }, diff: { text: '-  tag: 2026.07\n+  tag: 2026.08\n', changes: [{ path: 'indexd.image.tag', op: 'change', from: '2026.07', to: '2026.08' }] }, services: ['indexd'], warnings: ['wts is not running yet'] },
  ],
};

let g: FakeGrafana;
beforeEach(() => {
  g = new FakeGrafana().install().on('GET', 'groups', { data: { items: [] } }).on('GET', 'rollouts', { data: { items: [rollout()] } }).on('GET', `rollouts/${ID}`, { data: rollout() });
});

describe('rollouts', () => {
  it('shows where a rollout stopped, each wave and commons, and resumes it', async () => {
    g.on('GET', 'whoami', { data: whoami('operator') }).on('POST', `rollouts/${ID}/resume`, { data: { rollout: rollout({ state: 'running', failure: null }) } });
    renderApp(URL);
    expect(await screen.findByTestId(testIds.rollouts.failure)).toHaveTextContent('Stopped on midrc');
    expect(screen.getByTestId(testIds.rollouts.failure)).toHaveTextContent('fence down');
    expect(screen.getByTestId(testIds.rollouts.wave(2))).toHaveTextContent('1/2 done (failed)');
    expect(screen.getByTestId(testIds.rollouts.target('midrc'))).toHaveAttribute('data-state', 'failed');
    expect(screen.getByTestId(testIds.rollouts.target('vadc'))).toHaveTextContent('—');
    expect(screen.queryByTestId(testIds.rollouts.action('pause'))).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.rollouts.action('abort'))).toBeInTheDocument();
    await userEvent.click(screen.getByTestId(testIds.rollouts.action('resume')));
    await waitFor(() => expect(g.callsTo('POST', `rollouts/${ID}/resume`)).toHaveLength(1));
    await waitFor(() => expect(screen.getByTestId(testIds.rollouts.state)).toHaveTextContent('running'));
    expect(screen.getByTestId(testIds.rollouts.action('pause'))).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.rollouts.failure)).not.toBeInTheDocument();
  });

  it('reloads the rollout on its live events, and not on others', async () => {
    g.on('GET', 'whoami', { data: whoami('viewer') });
    renderApp(URL);
    await screen.findByTestId(testIds.rollouts.detail);
    expect(screen.queryByTestId(testIds.rollouts.action('resume'))).not.toBeInTheDocument();
    await waitFor(() => expect(g.liveAddresses.length).toBeGreaterThan(0));
    const reads = g.callsTo('GET', `rollouts/${ID}`).length;
    g.on('GET', `rollouts/${ID}`, { data: rollout({ state: 'running', failure: null, targets: [target('brh', 1, 'done'), target('heal', 2, 'done'), target('midrc', 2, 'soaking'), target('vadc', 3, 'pending')] }) });
    g.emit({ id: 1, at: new Date().toISOString(), type: 'rollout.updated', rollout: 'someone-else', commons: null, state: 'running', message: 'x', target: null });
    g.emit({ id: 2, at: new Date().toISOString(), type: 'rollout.updated', rollout: ID, commons: 'midrc', state: 'running', message: 'wave 2 of 3', target: { commons: 'midrc', wave: 2, state: 'soaking', message: 'soaking' } });
    await waitFor(() => expect(screen.getByTestId(testIds.rollouts.target('midrc'))).toHaveAttribute('data-state', 'soaking'));
    expect(g.callsTo('GET', `rollouts/${ID}`)).toHaveLength(reads + 1);
  });

  it('plans first, shows every commons diff, and starts only with a reason', async () => {
    g.on('GET', 'whoami', { data: whoami('operator') })
      .on('POST', 'rollouts', (call) => ((call.body as { mode: string }).mode === 'plan' ? { data: PLAN } : { status: 202, data: { rollout: rollout({ state: 'running', failure: null }) } }));
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.rollouts.create));
    const form = screen.getByTestId(testIds.rollouts.form);
    await userEvent.click(within(form).getByLabelText('Commons'));
    await userEvent.type(screen.getByTestId(testIds.rollouts.commons), 'brh, midrc');
    await userEvent.type(screen.getByTestId(testIds.rollouts.release), '2026.08');
    await userEvent.click(screen.getByTestId(testIds.rollouts.plan));
    const plan = await screen.findByTestId(testIds.rollouts.planView);
    expect(g.callsTo('POST', 'rollouts')[0].body).toEqual({ target: { commons: ['brh', 'midrc'] }, change: { release: '2026.08' }, waves: { waves: 2, maxInFlight: 5, soakSeconds: 60 }, mode: 'plan' });
    expect(plan).toHaveTextContent('2 commons in 2 waves');
    expect(screen.getByTestId(testIds.rollouts.planWave(1))).toHaveTextContent('Wave 1 (canary): brh');
    expect(screen.getByTestId(testIds.rollouts.planCommons('midrc'))).toHaveTextContent('2026.07 → 2026.08');
    expect(screen.getByTestId(testIds.rollouts.planCommons('midrc'))).toHaveTextContent('+ tag: 2026.08');
    expect(screen.getByTestId(testIds.rollouts.planCommons('midrc'))).toHaveTextContent('wts is not running yet');
    expect(screen.getByTestId(testIds.rollouts.start)).toBeDisabled();
    await userEvent.type(screen.getByTestId(testIds.rollouts.reason), 'quarterly release');
    await userEvent.click(screen.getByTestId(testIds.rollouts.start));
    await waitFor(() => expect(g.callsTo('POST', 'rollouts')).toHaveLength(2));
    expect(g.callsTo('POST', 'rollouts')[1].body).toMatchObject({ mode: 'apply', reason: 'quarterly release', target: { commons: ['brh', 'midrc'] } });
  });

  it('a rollout a policy holds shows waiting for approval instead of a rollout', async () => {
    const held: ApprovalView = {
      id: 'a1b2c3d4-0000-4000-8000-000000000001', kind: 'rollout', commons: 'brh', state: 'requested', requester: { actor: 'operator-user', kind: 'grafana', role: 'operator' },
      reason: 'quarterly release', summary: 'rollout of release 2026.08 to 2 commons in 2 waves', release: '2026.08', request: {}, policies: ['production-changes'], approvers: 'operator',
      createdAt: '2026-12-04T20:00:00Z', expiresAt: '2026-12-05T20:00:00Z', decidedBy: null, decidedAt: null, decisionReason: null, result: null, error: null,
    };
    g.on('GET', 'whoami', { data: whoami('operator') }).on('POST', 'rollouts', (call) => ((call.body as { mode: string }).mode === 'plan' ? { data: PLAN } : { status: 202, data: { approval: held } }));
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.rollouts.create));
    await userEvent.click(within(screen.getByTestId(testIds.rollouts.form)).getByLabelText('Commons'));
    await userEvent.type(screen.getByTestId(testIds.rollouts.commons), 'brh, midrc');
    await userEvent.type(screen.getByTestId(testIds.rollouts.release), '2026.08');
    await userEvent.click(screen.getByTestId(testIds.rollouts.plan));
    await screen.findByTestId(testIds.rollouts.planView);
    await userEvent.type(screen.getByTestId(testIds.rollouts.reason), 'quarterly release');
    await userEvent.click(screen.getByTestId(testIds.rollouts.start));
    const notice = await screen.findByTestId(testIds.approvals.held);
    expect(notice).toHaveTextContent('Waiting for approval: rollout of release 2026.08 to 2 commons in 2 waves');
    expect(notice).toHaveTextContent('Policy production-changes needs a second person with role operator');
  });

  it('a link with ?new=1&group= opens the form on that group for an operator, and nothing for a viewer', async () => {
    g.on('GET', 'whoami', { data: whoami('viewer') });
    const viewer = renderApp(`${URL}?new=1&group=production`);
    await screen.findByTestId(testIds.rollouts.detail);
    await waitFor(() => expect(g.callsTo('GET', 'whoami')).toHaveLength(1));
    expect(screen.queryByTestId(testIds.rollouts.form)).not.toBeInTheDocument();
    viewer.unmount();
    g.on('GET', 'whoami', { data: whoami('operator') });
    renderApp(`${URL}?new=1&group=production`);
    expect(await screen.findByTestId(testIds.rollouts.group)).toHaveValue('production');
  });
});
