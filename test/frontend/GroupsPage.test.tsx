import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { testIds } from '../../src/testIds';
import { summary, whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { renderApp } from './support/render';

const FLEET = [
  summary('brh', { name: 'Biomedical Research Hub', environment: 'brhprod', labels: { commons: 'brh', environment: 'brhprod', tier: 'production', region: 'us-east-1' } }),
  summary('midrc', { name: 'MIDRC', environment: 'midrcprod', labels: { commons: 'midrc', environment: 'midrcprod', tier: 'staging' } }),
  summary('heal', { name: 'HEAL Data Platform', environment: 'healprod', labels: { commons: 'heal', environment: 'healprod' } }),
];
const PRODUCTION = { name: 'production', description: 'Production commons', selector: { matchLabels: { tier: 'production' }, matchExpressions: [] }, selectorText: 'tier=production', commons: ['brh'], updatedBy: 'admin', updatedAt: '2026-12-01T00:00:00Z' };

let g: FakeGrafana;
beforeEach(() => {
  g = new FakeGrafana().install().on('GET', 'commons', { data: { items: FLEET } }).on('GET', 'groups', { data: { items: [PRODUCTION] } }).on('GET', '/api/alertmanager/grafana/api/v2/alerts', { data: [] });
});

describe('groups', () => {
  it('the fleet shows labels, searches them and filters by a saved group', async () => {
    g.on('GET', 'whoami', { data: whoami('viewer') });
    renderApp('/a/gen3-dcoc-app/fleet');
    expect(await screen.findByTestId(testIds.fleet.labels('brh'))).toHaveTextContent('tier=production');
    expect(screen.getByTestId(testIds.fleet.labels('brh'))).not.toHaveTextContent('environment=');
    await userEvent.type(screen.getByTestId(testIds.fleet.search), 'tier=staging');
    expect(screen.getByTestId(testIds.fleet.count)).toHaveTextContent('Showing 1 of 3 commons');
    await userEvent.clear(screen.getByTestId(testIds.fleet.search));
    await userEvent.click(screen.getByTestId(testIds.fleet.groupFilter).querySelector('input')!);
    await userEvent.click(await screen.findByRole('option', { name: /^production/ }));
    await waitFor(() => expect(screen.getByTestId(testIds.fleet.count)).toHaveTextContent('Showing 1 of 3 commons'));
    expect(screen.getByTestId(testIds.fleet.row('brh'))).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.fleet.row('midrc'))).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.fleet.groupActions)).toHaveTextContent('tier=production');
  });

  it('an operator reads groups and is offered no change', async () => {
    g.on('GET', 'whoami', { data: whoami('operator') });
    renderApp('/a/gen3-dcoc-app/groups');
    const row = await screen.findByTestId(testIds.groups.row('production'));
    expect(row).toHaveTextContent('tier=production');
    expect(row).toHaveTextContent('1 (brh)');
    expect(screen.queryByTestId(testIds.groups.create)).not.toBeInTheDocument();
    expect(within(row).queryByText('Edit')).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.groups.labelsEditor)).not.toBeInTheDocument();
  });

  it('an admin writes a selector as kubectl does, sees what it picks, and saves it', async () => {
    g.on('GET', 'whoami', { data: whoami('admin') }).on('PUT', 'groups/east', { status: 201, data: { ...PRODUCTION, name: 'east' } });
    renderApp('/a/gen3-dcoc-app/groups');
    await userEvent.click(await screen.findByTestId(testIds.groups.create));
    await userEvent.type(screen.getByTestId(testIds.groups.name), 'east');
    await userEvent.type(screen.getByTestId(testIds.groups.selector), 'tier in (production,staging');
    expect(screen.getByTestId(testIds.groups.preview)).toHaveTextContent('Fix the selector');
    expect(screen.getByTestId(testIds.groups.save)).toBeDisabled();
    await userEvent.type(screen.getByTestId(testIds.groups.selector), '),!region');
    expect(screen.getByTestId(testIds.groups.preview)).toHaveTextContent('Picks 1 commons now: midrc');
    await userEvent.click(screen.getByTestId(testIds.groups.save));
    await waitFor(() => expect(g.callsTo('PUT', 'groups/east')).toHaveLength(1));
    expect(g.callsTo('PUT', 'groups/east')[0].body).toEqual({
      description: '',
      selector: { matchLabels: {}, matchExpressions: [{ key: 'tier', operator: 'In', values: ['production', 'staging'] }, { key: 'region', operator: 'DoesNotExist', values: [] }] },
    });
  });
});
