import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { testIds } from '../../src/testIds';
import { detail, service, whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { renderApp } from './support/render';

// A Grafana user with no DCOC role of their own, in team ops-a, which holds operator on group team-a (midrc only).
const SCOPED = { user: { login: 'alice', name: 'Alice', email: '', orgRole: 'Viewer' }, role: null, roleSource: 'rbac', permissions: [], teams: ['ops-a'] };
const ACCESS = { role: null, teams: ['ops-a'], grants: [{ team: 'ops-a', group: 'team-a', role: 'operator', commons: ['midrc'] }] };
const GRANT = { team: 'ops-a', group: 'team-a', role: 'operator', commons: ['midrc'], updatedBy: 'admin', updatedAt: '2026-12-01T00:00:00Z' };

let g: FakeGrafana;
beforeEach(() => {
  g = new FakeGrafana().install();
  for (const id of ['midrc', 'brh']) {
    g.on('GET', `commons/${id}`, { data: detail(id, [service('fence')], { name: id.toUpperCase() }) })
      .on('GET', `commons/${id}/jobs`, { data: { items: [], reported: true, reportedAt: null } })
      .on('GET', `commons/${id}/config/revisions`, { data: { items: [] } })
      .on('GET', `commons/${id}/resources`, { data: { available: true, detail: '', items: [] } })
      .on('GET', `commons/${id}/kubernetes-events`, { data: { items: [] } })
      .on('GET', `commons/${id}/external-checks`, { data: { items: [] } })
      .on('GET', `commons/${id}/revisions`, { data: { items: [] } });
  }
  g.on('GET', 'commands', { data: { items: [] } });
});

describe('scoped roles in the app', () => {
  it('a team operator is offered restart on the granted commons only', async () => {
    g.on('GET', 'whoami', { data: SCOPED }).on('GET', 'access', { data: ACCESS });
    const mine = renderApp('/a/gen3-dcoc-app/commons/midrc');
    expect(await screen.findByTestId(testIds.commons.restart('fence'))).toBeInTheDocument();
    mine.unmount();
    renderApp('/a/gen3-dcoc-app/commons/brh');
    await screen.findByTestId(testIds.commons.serviceRow('fence'));
    expect(screen.queryByTestId(testIds.commons.restart('fence'))).not.toBeInTheDocument();
  });

  it('a user in no team never asks for grants', async () => {
    g.on('GET', 'whoami', { data: whoami('viewer') });
    renderApp('/a/gen3-dcoc-app/commons/midrc');
    await screen.findByTestId(testIds.commons.serviceRow('fence'));
    expect(screen.queryByTestId(testIds.commons.restart('fence'))).not.toBeInTheDocument();
    expect(g.callsTo('GET', 'access')).toHaveLength(0);
  });

  it('the access page shows the caller’s own access: no role, the team, the grant and its commons', async () => {
    g.on('GET', 'whoami', { data: SCOPED }).on('GET', 'access', { data: ACCESS });
    renderApp('/a/gen3-dcoc-app/access');
    expect(await screen.findByTestId(testIds.access.globalRole)).toHaveTextContent('No DCOC role of your own');
    expect(await screen.findByTestId(testIds.access.myGrant('ops-a', 'team-a'))).toHaveTextContent('operator');
    expect(screen.getByTestId(testIds.access.myGrant('ops-a', 'team-a'))).toHaveTextContent('midrc');
    expect(screen.queryByTestId(testIds.access.save)).not.toBeInTheDocument();
    expect(g.callsTo('GET', 'team-grants')).toHaveLength(0);
  });

  it('an admin lists, adds and removes team grants', async () => {
    g.on('GET', 'whoami', { data: whoami('admin') })
      .on('GET', 'team-grants', { data: { items: [GRANT] } })
      .on('PUT', 'team-grants/7/prod', { status: 201, data: { ...GRANT, team: '7', group: 'prod', role: 'viewer', commons: [] } })
      .on('DELETE', 'team-grants/ops-a/team-a', { status: 204, data: undefined });
    renderApp('/a/gen3-dcoc-app/access');
    expect(await screen.findByTestId(testIds.access.grant('ops-a', 'team-a'))).toHaveTextContent('midrc');
    await userEvent.type(screen.getByTestId(testIds.access.team), '7');
    await userEvent.type(screen.getByTestId(testIds.access.group), 'prod');
    await userEvent.click(within(screen.getByTestId(testIds.access.role)).getByRole('radio', { name: 'viewer' }));
    await userEvent.click(screen.getByTestId(testIds.access.save));
    await waitFor(() => expect(g.callsTo('PUT', 'team-grants/7/prod')).toHaveLength(1));
    expect(g.callsTo('PUT', 'team-grants/7/prod')[0].body).toEqual({ role: 'viewer' });
    const row = screen.getByTestId(testIds.access.grant('ops-a', 'team-a'));
    await userEvent.click(within(row).getByRole('button', { name: 'Remove' }));
    await userEvent.click(await within(row).findByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(g.callsTo('DELETE', 'team-grants/ops-a/team-a')).toHaveLength(1));
  });
});
