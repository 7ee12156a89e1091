import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { testIds } from '../../src/testIds';
import type { ApprovalView } from '../../contracts/policies';
import { detail, problem, service, summary, whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { renderApp } from './support/render';

const FLEET = [
  summary('brh', { name: 'Biomedical Research Hub', status: 'healthy', environment: 'brhprod' }),
  summary('midrc', { name: 'MIDRC', status: 'degraded', environment: 'midrcprod', services: { total: 18, healthy: 17, down: 0 } }),
  summary('heal', { name: 'HEAL Data Platform', status: 'down', environment: 'healprod', agent: { id: 'a', connected: false, lastSeen: null, version: null, deployMethod: null } }),
];

let g: FakeGrafana;
beforeEach(() => {
  g = new FakeGrafana().install().on('GET', 'whoami', { data: whoami('viewer') }).on('GET', '/api/alertmanager/grafana/api/v2/alerts', { data: [] });
});

describe('fleet page', () => {
  it('lists every commons with its status, release and services', async () => {
    g.on('GET', 'commons', { data: { items: FLEET } });
    renderApp('/a/gen3-dcoc-app/fleet');
    expect(await screen.findByTestId(testIds.fleet.row('midrc'))).toBeInTheDocument();
    expect(screen.getByTestId(testIds.fleet.status('brh'))).toHaveTextContent('healthy');
    expect(screen.getByTestId(testIds.fleet.status('midrc'))).toHaveTextContent('degraded');
    expect(screen.getByTestId(testIds.fleet.status('heal'))).toHaveTextContent('down');
    const midrc = within(screen.getByTestId(testIds.fleet.row('midrc')));
    expect(midrc.getByText('17/18 healthy')).toBeInTheDocument();
    expect(midrc.getByText('2026.07')).toBeInTheDocument();
    expect(within(screen.getByTestId(testIds.fleet.row('heal'))).getByText(/offline/)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.fleet.link('midrc'))).toHaveAttribute('href', '/a/gen3-dcoc-app/commons/midrc');
    // Worst first.
    const rows = screen.getAllByRole('row').slice(1).map((r) => r.getAttribute('data-testid'));
    expect(rows).toEqual([testIds.fleet.row('heal'), testIds.fleet.row('midrc'), testIds.fleet.row('brh')]);
    expect(screen.getByTestId(testIds.fleet.count)).toHaveTextContent('Showing 3 of 3 commons · 1 healthy · 1 degraded · 1 down');
  });

  it('filters by status and by search text', async () => {
    g.on('GET', 'commons', { data: { items: FLEET } });
    renderApp('/a/gen3-dcoc-app/fleet');
    await screen.findByTestId(testIds.fleet.row('brh'));
    await userEvent.click(within(screen.getByTestId(testIds.fleet.statusFilter)).getByText('Degraded'));
    expect(screen.queryByTestId(testIds.fleet.row('brh'))).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.fleet.row('midrc'))).toBeInTheDocument();
    await userEvent.click(within(screen.getByTestId(testIds.fleet.statusFilter)).getByText('All'));
    await userEvent.type(screen.getByTestId(testIds.fleet.search), 'heal');
    expect(screen.getByTestId(testIds.fleet.row('heal'))).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.fleet.row('midrc'))).not.toBeInTheDocument();
    await userEvent.clear(screen.getByTestId(testIds.fleet.search));
    await userEvent.type(screen.getByTestId(testIds.fleet.search), 'no-such-commons');
    expect(screen.getByTestId(testIds.state.empty)).toHaveTextContent('No commons matches these filters');
  });

  it('keeps an environment chosen and a search typed before the page re-renders', async () => {
    g.on('GET', 'commons', { data: { items: FLEET } });
    renderApp('/a/gen3-dcoc-app/fleet');
    await screen.findByTestId(testIds.fleet.row('brh'));
    await userEvent.click(screen.getByTestId(testIds.fleet.environmentFilter).querySelector('input')!);
    const option = await screen.findByRole('option', { name: /^midrcprod/ });
    act(() => {
      fireEvent.click(option);
      fireEvent.change(screen.getByTestId(testIds.fleet.search), { target: { value: 'mid' } });
    });
    expect(screen.getByTestId(testIds.fleet.search)).toHaveValue('mid');
    expect(screen.getByTestId(testIds.fleet.count)).toHaveTextContent('Showing 1 of 3 commons');
    expect(screen.getByTestId(testIds.fleet.row('midrc'))).toBeInTheDocument();
  });

  it('shows firing alerts from Grafana Alertmanager per commons', async () => {
    g.on('GET', 'commons', { data: { items: FLEET } }).on('GET', '/api/alertmanager/grafana/api/v2/alerts', {
      data: [
        { labels: { alertname: 'CommonsDown', commons: 'heal' }, status: { state: 'active' } },
        { labels: { alertname: 'AgentSilent', commons: 'heal' }, status: { state: 'active' } },
        { labels: { alertname: 'Other' }, status: { state: 'active' } },
      ],
    });
    renderApp('/a/gen3-dcoc-app/fleet');
    await waitFor(() => expect(screen.getByTestId(testIds.fleet.alerts('heal'))).toHaveTextContent('2 firing'));
    expect(screen.getByTestId(testIds.fleet.alerts('brh'))).toHaveTextContent('0');
    expect(g.callsTo('GET', '/api/alertmanager/grafana/api/v2/alerts')[0].params).toMatchObject({ active: 'true' });
  });

  it('renders only the visible rows of a thousand commons', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => summary(`c${String(i).padStart(4, '0')}`));
    g.on('GET', 'commons', { data: { items: many } });
    renderApp('/a/gen3-dcoc-app/fleet');
    await screen.findByTestId(testIds.fleet.row('c0000'));
    expect(screen.getByTestId(testIds.fleet.count)).toHaveTextContent('Showing 1000 of 1000 commons');
    const rendered = screen.getAllByRole('row').length - 1;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    expect(screen.getByTestId(testIds.fleet.table)).toHaveAttribute('aria-rowcount', '1000');
  });

  it('refreshes when a status event arrives over Grafana Live', async () => {
    let status: 'healthy' | 'down' = 'healthy';
    g.on('GET', 'commons', () => ({ data: { items: [summary('brh', { status })] } }));
    renderApp('/a/gen3-dcoc-app/fleet');
    expect(await screen.findByTestId(testIds.fleet.status('brh'))).toHaveTextContent('healthy');
    expect(g.liveAddresses[0]).toMatchObject({ scope: 'ds', stream: 'dcoc-ds', namespace: 'dcoc-ds', path: 'events' });
    status = 'down';
    g.emit({ id: 7, at: new Date().toISOString(), type: 'commons.status', commons: 'brh', status: 'down', previous: 'healthy' });
    await waitFor(() => expect(screen.getByTestId(testIds.fleet.status('brh'))).toHaveTextContent('down'));
  });

  it('says so when no commons has reported', async () => {
    g.on('GET', 'commons', { data: { items: [] } });
    renderApp('/a/gen3-dcoc-app/fleet');
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent('No commons has reported yet');
  });

  it('shows loading while the fleet is on its way', async () => {
    g.on('GET', 'commons', 'pending');
    renderApp('/a/gen3-dcoc-app/fleet');
    expect(await screen.findByTestId(testIds.state.loading)).toBeInTheDocument();
  });

  it('shows a server error with what happened and what to do', async () => {
    g.on('GET', 'commons', { status: 502, data: problem(502, 'Control service unreachable', 'connect ECONNREFUSED 127.0.0.1:8470') });
    renderApp('/a/gen3-dcoc-app/fleet');
    const alert = await screen.findByTestId(testIds.state.error, {}, { timeout: 10_000 });
    expect(alert).toHaveTextContent('Control service unreachable');
    expect(alert).toHaveTextContent('ECONNREFUSED');
    expect(alert).toHaveTextContent("check the DCOC app's Configuration page");
  });

  it('shows forbidden when the user holds no DCOC role', async () => {
    g.on('GET', 'commons', { status: 403, data: problem(403, 'Forbidden', 'the Grafana org role "None" of bob maps to no DCOC role') });
    renderApp('/a/gen3-dcoc-app/fleet');
    const forbidden = await screen.findByTestId(testIds.state.forbidden);
    expect(forbidden).toHaveTextContent('maps to no DCOC role');
    expect(g.callsTo('GET', 'commons')).toHaveLength(1);
  });

  it('refuses a malformed answer rather than showing wrong data', async () => {
    g.on('GET', 'commons', { data: { items: [{ id: 'x' }] } });
    renderApp('/a/gen3-dcoc-app/fleet');
    expect(await screen.findByTestId(testIds.state.error, {}, { timeout: 10_000 })).toHaveTextContent('Unexpected answer from the DCOC backend');
  });
});

describe('fleet page: acting on a group', () => {
  const GROUP_FLEET = [...FLEET, summary('vadc', { name: 'VA Data Commons', environment: 'vadcprod' })];
  const PRODUCTION = { name: 'production', description: 'Production commons', selector: { matchLabels: { tier: 'production' }, matchExpressions: [] }, selectorText: 'tier=production', commons: ['brh', 'midrc', 'heal'], updatedBy: 'admin', updatedAt: '2026-12-01T00:00:00Z' };
  const HELD: ApprovalView = {
    id: '7a1b2c3d-4e5f-4a60-8b7c-9d0e1f2a3b4c', kind: 'restart', commons: 'midrc', state: 'requested', requester: { actor: 'operator-user', kind: 'grafana', role: 'operator' }, reason: 'rotate the fence keys',
    summary: 'restart fence on midrc', release: null, request: {}, policies: ['production-changes'], approvers: 'operator', createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    decidedBy: null, decidedAt: null, decisionReason: null, result: null, error: null,
  };
  const FLEET_URL = '/a/gen3-dcoc-app/fleet?group=production';
  const restartOf = (id: string) => `commons/${id}/services/fence/restart`;

  beforeEach(() => {
    g.on('GET', 'commons', { data: { items: GROUP_FLEET } }).on('GET', 'groups', { data: { items: [PRODUCTION] } });
    for (const id of ['brh', 'midrc', 'heal', 'vadc']) g.on('GET', `commons/${id}`, { data: detail(id, id === 'heal' ? [service('fence')] : [service('fence'), service('indexd')]) });
  });

  it('opens the Rollouts page with the new rollout targeting the group', async () => {
    g.on('GET', 'whoami', { data: whoami('operator') })
      .on('GET', 'rollouts', { data: { items: [] } })
      .on('POST', 'rollouts', { status: 422, data: problem(422, 'Invalid request', 'body.change.release: Required') });
    renderApp(FLEET_URL);
    // ?group= picks the group: its commons only, and the bar with its actions.
    await waitFor(() => expect(screen.getByTestId(testIds.fleet.count)).toHaveTextContent('Showing 3 of 4 commons'));
    expect(screen.queryByTestId(testIds.fleet.row('vadc'))).not.toBeInTheDocument();
    const link = await screen.findByTestId(testIds.fleet.groupRollout);
    expect(screen.getByTestId(testIds.fleet.groupMaintenance)).toHaveAttribute('href', '/a/gen3-dcoc-app/maintenance?new=1&group=production');
    expect(link).toHaveAttribute('href', '/a/gen3-dcoc-app/rollouts?new=1&group=production');
    await userEvent.click(link);
    const form = await screen.findByTestId(testIds.rollouts.form);
    expect(screen.getByTestId(testIds.rollouts.group)).toHaveValue('production');
    expect(screen.queryByTestId(testIds.rollouts.create)).not.toBeInTheDocument();
    await userEvent.click(within(form).getByTestId(testIds.rollouts.plan));
    await waitFor(() => expect(g.callsTo('POST', 'rollouts')).toHaveLength(1));
    expect(g.callsTo('POST', 'rollouts')[0].body).toMatchObject({ target: { group: 'production' } });
  });

  it('opens the Maintenance page with a new window on the group', async () => {
    g.on('GET', 'whoami', { data: whoami('operator') })
      .on('GET', 'windows', { data: { items: [] } })
      .on('GET', 'windows/preview', { data: { timeZone: 'UTC', items: [] } })
      .on('POST', 'windows', { status: 409, data: problem(409, 'Conflict', 'a window named Patching exists') });
    renderApp(FLEET_URL);
    await userEvent.click(await screen.findByTestId(testIds.fleet.groupMaintenance));
    await screen.findByTestId(testIds.maintenance.editor);
    await waitFor(() => expect(screen.getByTestId(testIds.maintenance.group).querySelector('input')).toHaveValue('production'));
    expect(screen.queryByTestId(testIds.maintenance.create)).not.toBeInTheDocument();
    await userEvent.type(screen.getByTestId(testIds.maintenance.name), 'Patching');
    await userEvent.type(screen.getByTestId(testIds.maintenance.reason), 'OS patches');
    await userEvent.click(screen.getByTestId(testIds.maintenance.save));
    await waitFor(() => expect(g.callsTo('POST', 'windows')).toHaveLength(1));
    expect(g.callsTo('POST', 'windows')[0].body).toMatchObject({ name: 'Patching', kind: 'maintenance', target: { group: 'production' } });
  });

  it('restarts a service on each commons of the group once, and shows one a policy holds as waiting for approval', async () => {
    g.on('GET', 'whoami', { data: whoami('operator') })
      .on('POST', restartOf('brh'), { status: 202, data: { command: { id: 'cmd-brh', state: 'queued', kind: 'restart' } } })
      .on('POST', restartOf('midrc'), { status: 202, data: { approval: HELD } })
      .on('POST', restartOf('heal'), { status: 503, data: problem(503, 'Agent not connected', 'the agent of heal last reported 3 hours ago') });
    renderApp(FLEET_URL);
    await userEvent.click(await screen.findByTestId(testIds.fleet.groupRestart));
    const modal = await screen.findByTestId(testIds.fleet.groupRestartModal);
    await userEvent.click(within(modal).getByTestId(testIds.fleet.groupRestartService).querySelector('input')!);
    await userEvent.click(await screen.findByRole('option', { name: /^fence/ }));
    await userEvent.type(within(modal).getByTestId(testIds.fleet.groupRestartReason), 'rotate the fence keys');
    const confirm = within(modal).getByTestId(testIds.fleet.groupRestartConfirm);
    expect(confirm).toHaveTextContent('Restart fence on 3 commons');
    await userEvent.click(confirm);
    await waitFor(() => expect(screen.getByTestId(testIds.fleet.groupRestartSummary)).toHaveTextContent('asked of 3 commons: 1 started, 1 waiting for approval, 1 refused'));
    for (const id of ['brh', 'midrc', 'heal']) {
      expect(g.callsTo('POST', restartOf(id))).toHaveLength(1);
      expect(g.callsTo('POST', restartOf(id))[0].body).toEqual({ reason: 'rotate the fence keys' });
    }
    expect(g.callsTo('POST', restartOf('vadc'))).toHaveLength(0);
    expect(screen.getByTestId(testIds.fleet.groupRestartResult('brh'))).toHaveTextContent('Restart started (command cmd-brh)');
    expect(screen.getByTestId(testIds.fleet.groupRestartResult('midrc'))).toHaveAttribute('data-state', 'held');
    expect(screen.getByTestId(testIds.fleet.groupRestartResult('midrc'))).toHaveTextContent('Waiting for approval: restart fence on midrc. Policy production-changes');
    expect(screen.getByTestId(testIds.fleet.groupRestartResult('heal'))).toHaveTextContent('Refused: Agent not connected: the agent of heal last reported 3 hours ago');
  });

  it('skips, without calling, the commons that do not run the service', async () => {
    g.on('GET', 'whoami', { data: whoami('operator') }).on('POST', restartOf('brh'), { status: 202, data: { command: { id: 'cmd-brh', state: 'queued', kind: 'restart' } } });
    for (const id of ['brh', 'midrc', 'heal']) g.on('POST', `commons/${id}/services/indexd/restart`, { status: 202, data: { command: { id: `cmd-${id}`, state: 'queued', kind: 'restart' } } });
    renderApp(FLEET_URL);
    await userEvent.click(await screen.findByTestId(testIds.fleet.groupRestart));
    const modal = await screen.findByTestId(testIds.fleet.groupRestartModal);
    await userEvent.click(within(modal).getByTestId(testIds.fleet.groupRestartService).querySelector('input')!);
    await userEvent.click(await screen.findByRole('option', { name: /^indexd/ }));
    await userEvent.type(within(modal).getByTestId(testIds.fleet.groupRestartReason), 'leak');
    expect(modal).toHaveTextContent('Restarts indexd on midrc, brh; skips heal (it does not run indexd)');
    await userEvent.click(within(modal).getByTestId(testIds.fleet.groupRestartConfirm));
    await waitFor(() => expect(screen.getByTestId(testIds.fleet.groupRestartSummary)).toHaveTextContent('2 started, 1 skipped'));
    expect(g.callsTo('POST', 'commons/heal/services/indexd/restart')).toHaveLength(0);
    expect(screen.getByTestId(testIds.fleet.groupRestartResult('heal'))).toHaveTextContent('Skipped: it does not run indexd');
  });

  it('offers a team-scoped operator the restart on its commons only, and neither rollouts nor windows', async () => {
    g.on('GET', 'whoami', { data: { user: { login: 'alice', name: 'Alice', email: '', orgRole: 'Viewer' }, role: null, roleSource: 'rbac', permissions: [], teams: ['ops-a'] } })
      .on('GET', 'access', { data: { role: null, teams: ['ops-a'], grants: [{ team: 'ops-a', group: 'team-a', role: 'operator', commons: ['midrc'] }] } })
      .on('POST', restartOf('midrc'), { status: 202, data: { command: { id: 'cmd-midrc', state: 'queued', kind: 'restart' } } });
    renderApp(FLEET_URL);
    await userEvent.click(await screen.findByTestId(testIds.fleet.groupRestart));
    expect(screen.queryByTestId(testIds.fleet.groupRollout)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.fleet.groupMaintenance)).not.toBeInTheDocument();
    const modal = await screen.findByTestId(testIds.fleet.groupRestartModal);
    await userEvent.click(within(modal).getByTestId(testIds.fleet.groupRestartService).querySelector('input')!);
    await userEvent.click(await screen.findByRole('option', { name: /^fence/ }));
    await userEvent.type(within(modal).getByTestId(testIds.fleet.groupRestartReason), 'stuck');
    await userEvent.click(within(modal).getByTestId(testIds.fleet.groupRestartConfirm));
    await waitFor(() => expect(screen.getByTestId(testIds.fleet.groupRestartSummary)).toHaveTextContent('1 started, 2 skipped'));
    expect(g.callsTo('POST', restartOf('midrc'))).toHaveLength(1);
    expect(g.callsTo('POST', restartOf('brh'))).toHaveLength(0);
    expect(screen.getByTestId(testIds.fleet.groupRestartResult('heal'))).toHaveTextContent('Skipped: your role does not allow restarts on this commons');
  });

  it('offers a viewer no action on the group', async () => {
    renderApp(FLEET_URL);
    expect(await screen.findByTestId(testIds.fleet.groupActions)).toHaveTextContent('tier=production');
    await waitFor(() => expect(g.callsTo('GET', 'whoami')).toHaveLength(1));
    await waitFor(() => expect(screen.getByTestId(testIds.fleet.count)).toHaveTextContent('Showing 3 of 4 commons'));
    expect(screen.queryByTestId(testIds.fleet.groupRollout)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.fleet.groupMaintenance)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.fleet.groupRestart)).not.toBeInTheDocument();
  });
});
