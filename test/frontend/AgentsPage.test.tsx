import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { testIds } from '../../src/testIds';
import { agent, problem, whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { findDialog, renderApp } from './support/render';

const URL = '/a/gen3-dcoc-app/agents';
const TOKEN = { id: 't1', token: 'dcoc-enroll_secret123', expiresAt: new Date(Date.now() + 3600_000).toISOString(), caCertificate: '-----BEGIN CERTIFICATE-----', installCommand: "DCOC_ENROLL_TOKEN='dcoc-enroll_secret123' dcoc-agent --control x:8471", helmCommand: 'helm upgrade --install dcoc-agent deploy/helm/dcoc-agent' };

let g: FakeGrafana;
function as(role: 'viewer' | 'admin') {
  g = new FakeGrafana()
    .install()
    .on('GET', 'whoami', { data: whoami(role) })
    .on('GET', 'agents', { data: { items: [agent('a1'), agent('a2', { commons: 'brh', connected: false, version: '0.0.9' }), agent('a3', { revoked: true, connected: false })] } })
    .on('POST', 'enrollment-tokens', { status: 201, data: TOKEN });
}
beforeEach(() => as('admin'));

describe('agents page', () => {
  it('lists agents with connection state, version and certificate expiry', async () => {
    renderApp(URL);
    const a1 = await screen.findByTestId(testIds.agents.row('a1'));
    expect(a1).toHaveTextContent('connected');
    expect(a1).toHaveTextContent('in 20 h');
    expect(screen.getByTestId(testIds.agents.row('a2'))).toHaveTextContent('disconnected');
    expect(screen.getByTestId(testIds.agents.row('a2'))).toHaveTextContent('0.0.9');
    expect(screen.getByTestId(testIds.agents.row('a3'))).toHaveTextContent('revoked');
    expect(screen.queryByTestId(testIds.agents.revoke('a3'))).not.toBeInTheDocument();
  });

  it('enrolls: the token and install command are shown once, and gone when the dialog closes', async () => {
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.agents.enroll));
    await userEvent.type(screen.getByPlaceholderText(/data.midrc.org/), 'new commons');
    await userEvent.click(await screen.findByTestId(testIds.agents.enrollSubmit));
    expect(await screen.findByTestId(testIds.agents.token)).toHaveValue(TOKEN.token);
    expect(screen.getByTestId(testIds.agents.installCommand)).toHaveTextContent(TOKEN.installCommand);
    expect(screen.getByRole('dialog')).toHaveTextContent('shown only once');
    expect(g.callsTo('POST', 'enrollment-tokens')[0].body).toEqual({ ttlSeconds: 3600, description: 'new commons' });
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    await userEvent.click(screen.getByTestId(testIds.agents.enroll));
    expect(screen.queryByTestId(testIds.agents.token)).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(TOKEN.token);
    expect(JSON.stringify({ ...window.localStorage })).not.toContain(TOKEN.token);
  });

  it('revokes an agent after confirmation', async () => {
    g.on('DELETE', 'agents/a1', { status: 204, data: '' });
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.agents.revoke('a1')));
    await userEvent.click(within(await findDialog()).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(g.callsTo('DELETE', 'agents/a1')).toHaveLength(1));
  });

  it('shows enrollment errors in the dialog', async () => {
    g.on('POST', 'enrollment-tokens', { status: 403, data: problem(403, 'Forbidden', 'role operator lacks agents:manage') });
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.agents.enroll));
    await userEvent.click(await screen.findByTestId(testIds.agents.enrollSubmit));
    expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent('Enrollment failed: Forbidden');
  });

  it('offers a viewer neither enroll nor revoke', async () => {
    as('viewer');
    renderApp(URL);
    await screen.findByTestId(testIds.agents.row('a1'));
    expect(screen.queryByTestId(testIds.agents.enroll)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.agents.revoke('a1'))).not.toBeInTheDocument();
  });

  it('says so when no agent has enrolled', async () => {
    g.on('GET', 'agents', { data: { items: [] } });
    renderApp(URL);
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent('No agent has enrolled yet');
  });

  it('shows loading, error and forbidden states', async () => {
    g.on('GET', 'agents', 'pending');
    let view = renderApp(URL);
    expect(await screen.findByTestId(testIds.state.loading)).toBeInTheDocument();
    view.unmount();
    as('admin');
    g.on('GET', 'agents', { status: 403, data: problem(403, 'Forbidden', 'no role') });
    view = renderApp(URL);
    expect(await screen.findByTestId(testIds.state.forbidden)).toHaveTextContent('no role');
    view.unmount();
    as('admin');
    g.on('GET', 'agents', { status: 500, data: problem(500, 'Internal error', 'boom') });
    renderApp(URL);
    expect(await screen.findByTestId(testIds.state.error, {}, { timeout: 10_000 })).toHaveTextContent('boom');
  });
});
