import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { testIds } from '../../src/testIds';
import { problem, summary, whoami } from './support/fixtures';
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
