import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { testIds } from '../../src/testIds';
import { auditEntry, problem, whoami } from './support/fixtures';
import { FakeGrafana, type RecordedCall } from './support/grafana';
import { renderApp } from './support/render';

const URL = '/a/gen3-dcoc-app/audit';
let g: FakeGrafana;
beforeEach(() => {
  g = new FakeGrafana().install().on('GET', 'whoami', { data: whoami('operator') });
});

describe('audit page', () => {
  it('shows who did what, when, to what, with the result', async () => {
    g.on('GET', 'audit', { data: { items: [auditEntry(2, { outcome: 'denied', actor: 'viewer-user', role: 'viewer' }), auditEntry(1)] } });
    renderApp(URL);
    const denied = await screen.findByTestId(testIds.audit.row(2));
    expect(denied).toHaveTextContent('viewer-user');
    expect(denied).toHaveTextContent('service.restart');
    expect(denied).toHaveTextContent('midrc / fence');
    expect(denied).toHaveTextContent('denied');
    expect(screen.getByTestId(testIds.audit.row(1))).toHaveTextContent('accepted');
  });

  it("shows what came of an accepted command: the command's state now", async () => {
    g.on('GET', 'audit', {
      data: {
        items: [
          auditEntry(3, { action: 'service.scale', commandId: 'cmd-3', result: 'failed' }),
          auditEntry(4, { action: 'service.restart', commandId: 'cmd-4', result: 'running' }),
          auditEntry(5, { action: 'agent.revoke', commandId: null, outcome: 'succeeded', result: 'succeeded' }),
        ],
      },
    });
    renderApp(URL);
    const failed = await screen.findByTestId(testIds.audit.row(3));
    expect(failed).toHaveTextContent(/accepted\s*→\s*failed/);
    expect(screen.getByTestId(testIds.audit.row(4))).toHaveTextContent(/accepted\s*→\s*running/);
    const revoke = screen.getByTestId(testIds.audit.row(5));
    expect(revoke).toHaveTextContent('succeeded');
    expect(revoke).not.toHaveTextContent('→');
  });

  it('filters on the server by actor, action and commons', async () => {
    g.on('GET', 'audit', (c: RecordedCall) => ({ data: { items: c.params.actor === 'editor-user' ? [auditEntry(5)] : [auditEntry(6, { actor: 'someone' })] } }));
    renderApp(URL);
    await screen.findByTestId(testIds.audit.row(6));
    await userEvent.type(screen.getByTestId(testIds.audit.actorFilter), 'editor-user');
    await userEvent.type(screen.getByTestId(testIds.audit.commonsFilter), 'midrc');
    await waitFor(() => expect(screen.getByTestId(testIds.audit.row(5))).toBeInTheDocument());
    await waitFor(() => expect(g.callsTo('GET', 'audit').at(-1)?.params).toMatchObject({ actor: 'editor-user', commons: 'midrc', limit: 200 }));
  });

  it('says so when nothing matches', async () => {
    g.on('GET', 'audit', { data: { items: [] } });
    renderApp(URL);
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent('Nothing has been done through DCOC yet');
  });

  it('shows forbidden for a role without the audit permission', async () => {
    g.on('GET', 'audit', { status: 403, data: problem(403, 'Forbidden', 'role viewer lacks audit:read') });
    renderApp(URL);
    expect(await screen.findByTestId(testIds.state.forbidden)).toHaveTextContent('audit:read');
  });

  it('shows loading and errors', async () => {
    g.on('GET', 'audit', 'pending');
    const view = renderApp(URL);
    expect(await screen.findByTestId(testIds.state.loading)).toBeInTheDocument();
    view.unmount();
    g.on('GET', 'audit', { status: 400, data: { ...problem(400, 'Invalid request', 'bad query'), errors: [{ field: 'query.since', message: 'not a date' }] } });
    renderApp(URL);
    const alert = await screen.findByTestId(testIds.state.error);
    expect(alert).toHaveTextContent('query.since: not a date');
  });
});
