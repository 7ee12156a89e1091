import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { testIds } from '../../src/testIds';
import { command, deployment, detail, FENCE_DIFF, problem, progress, revision, revisionDetail, service, whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { findDialog, renderApp } from './support/render';

const MIDRC = detail('midrc', [service('fence'), service('indexd', { desiredReplicas: 4, readyReplicas: 3, status: 'degraded', reason: '1 pod not ready' })], { name: 'MIDRC' });
const URL = '/a/gen3-dcoc-app/commons/midrc';

let g: FakeGrafana;
function as(role: 'viewer' | 'developer' | 'operator' | 'admin') {
  g = new FakeGrafana()
    .install()
    .on('GET', 'whoami', { data: whoami(role) })
    .on('GET', 'commons/midrc', { data: MIDRC })
    .on('GET', 'commons/midrc/jobs', { data: { items: [{ name: 'fence-delete-expired-clients', schedule: '*/5 * * * *', suspended: false, lastScheduleTime: null, lastSuccessfulTime: null, lastRun: null }], reported: true, reportedAt: null } })
    .on('GET', 'commons/midrc/config/revisions', { data: { items: [{ revision: 3, author: 'ops', createdAt: new Date().toISOString(), state: 'applied', commandId: null, data: { a: 'b' } }] } })
    .on('GET', 'commands', { data: { items: [] } })
    .on('GET', 'commons/midrc/resources', { data: { available: true, detail: '', items: [] } })
    .on('GET', 'commons/midrc/kubernetes-events', { data: { items: [] } })
    .on('GET', 'commons/midrc/backups', { data: { items: [], lastSuccessAt: null, maxAgeSeconds: 129600, schedule: null } })
    .on('GET', 'commons/midrc/external-checks', { data: { items: [] } })
    .on('GET', 'commons/midrc/revisions', { data: { items: [revision(2, { release: '2026.08', reason: 'try 2026.08' }), revision(1, { release: '2026.07' })] } })
    .on('GET', 'commons/midrc/revisions/2', { data: revisionDetail(2, { diff: { text: FENCE_DIFF.replace(/2026\.07/g, '2026.08').replace(/2026\.06/g, '2026.07'), changes: [] } }) });
  return g;
}

beforeEach(() => as('operator'));

describe('commons page', () => {
  it('shows the services with status, replicas, image and health latency', async () => {
    renderApp(URL);
    const fence = await screen.findByTestId(testIds.commons.serviceRow('fence'));
    expect(within(fence).getByText('quay.io/cdis/fence:2026.07')).toBeInTheDocument();
    expect(within(fence).getByText(/12 ms/)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.commons.serviceStatus('indexd'))).toHaveTextContent('degraded');
    expect(screen.getByTestId(testIds.commons.serviceReplicas('indexd'))).toHaveTextContent('3 / 4');
    expect(screen.getByText('1 pod not ready')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.commons.panels)).toHaveTextContent('Services healthy1 / 2');
    expect(screen.getByTestId(testIds.commons.panels)).toHaveTextContent('Replicas ready5 / 6');
  });

  it('restarts a service after a confirmation naming the commons and the service', async () => {
    g.on('POST', 'commons/midrc/services/fence/restart', { status: 202, data: { command: { id: 'cmd-1', state: 'queued', kind: 'restart' } } });
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.commons.restart('fence')));
    const dialog = await findDialog();
    expect(dialog).toHaveTextContent('Restart fence in MIDRC (midrc)?');
    expect(g.callsTo('POST', 'commons/midrc/services/fence/restart')).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Restart fence' }));
    await waitFor(() => expect(g.callsTo('POST', 'commons/midrc/services/fence/restart')).toHaveLength(1));
    expect(await screen.findByTestId(testIds.commons.actionResult)).toHaveTextContent('Restart of fence started (command cmd-1)');
  });

  it('does nothing when the restart is cancelled', async () => {
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.commons.restart('fence')));
    await userEvent.click(within(await findDialog()).getByRole('button', { name: 'Cancel' }));
    expect(g.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('scales a service to the confirmed number of replicas', async () => {
    g.on('POST', 'commons/midrc/services/indexd/scale', { status: 202, data: { command: { id: 'cmd-2', state: 'queued', kind: 'scale' } } });
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.commons.scale('indexd')));
    const input = await screen.findByTestId(testIds.commons.scaleInput);
    await userEvent.clear(input);
    await userEvent.type(input, '6');
    await userEvent.click(screen.getByTestId(testIds.commons.confirmScale));
    await waitFor(() => expect(g.callsTo('POST', 'commons/midrc/services/indexd/scale')[0]?.body).toEqual({ replicas: 6 }));
  });

  it('refuses to offer a scale outside 0-100', async () => {
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.commons.scale('fence')));
    const input = await screen.findByTestId(testIds.commons.scaleInput);
    await userEvent.clear(input);
    await userEvent.type(input, '101');
    expect(screen.getByTestId(testIds.commons.confirmScale)).toBeDisabled();
  });

  it('shows a refused restart as an alert that says what to do', async () => {
    g.on('POST', 'commons/midrc/services/fence/restart', { status: 403, data: problem(403, 'Forbidden', 'role viewer lacks services:operate') });
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.commons.restart('fence')));
    await userEvent.click(within(await findDialog()).getByRole('button', { name: 'Restart fence' }));
    const alert = await screen.findByTestId(testIds.state.error);
    expect(alert).toHaveTextContent('Restart failed: Forbidden');
    expect(alert).toHaveTextContent('role viewer lacks services:operate');
    expect(alert).toHaveTextContent('Ask a Grafana administrator');
  });

  it('lists every kind of command the control service runs, a CronJob run and a deploy included', async () => {
    g.on('GET', 'commands', {
      data: {
        items: [
          command('cmd-job', { kind: 'run-job', service: 'fence-delete-expired-clients', target: { cronjob: 'fence-delete-expired-clients' }, state: 'succeeded' }),
          command('cmd-deploy', { kind: 'deploy', service: null, target: { revision: 2 }, state: 'running' }),
        ],
      },
    });
    renderApp(URL);
    expect(await screen.findByTestId(testIds.commons.commandRow('cmd-job'))).toHaveTextContent('run a Job from cronjob/fence-delete-expired-clients');
    expect(screen.getByTestId(testIds.commons.commandState('cmd-deploy'))).toHaveTextContent('running');
  });

  it('follows a command live: progress from Grafana Live, then success', async () => {
    g.on('GET', 'commands', { data: { items: [command('cmd-1', { commons: 'midrc', state: 'queued' })] } });
    renderApp(URL);
    expect(await screen.findByTestId(testIds.commons.commandState('cmd-1'))).toHaveTextContent('queued');
    await waitFor(() => expect(screen.getByTestId(testIds.commons.liveState)).toHaveAttribute('data-live', 'connected'));
    const fetchesBefore = g.callsTo('GET', 'commands').length;
    g.emit({ id: 1, at: new Date().toISOString(), type: 'command.updated', commons: 'midrc', command: 'cmd-1', kind: 'restart', service: 'fence', state: 'running', message: 'Waiting for deployment "fence-deployment" rollout to finish: 1 out of 2 new replicas have been updated...', percent: 50 });
    await waitFor(() => expect(screen.getByTestId(testIds.commons.commandProgress('cmd-1'))).toHaveTextContent('50%'));
    expect(screen.getByTestId(testIds.commons.commandProgress('cmd-1'))).toHaveTextContent('Waiting for deployment "fence-deployment" rollout to finish: 1 out of 2 new replicas have been updated...');
    expect(screen.getByTestId(testIds.commons.commandState('cmd-1'))).toHaveTextContent('running');
    // The progress came from Live, not from polling.
    expect(g.callsTo('GET', 'commands').length).toBe(fetchesBefore);
    g.emit({ id: 2, at: new Date().toISOString(), type: 'command.updated', commons: 'midrc', command: 'cmd-1', kind: 'restart', service: 'fence', state: 'succeeded', message: 'deployment "fence-deployment" successfully rolled out', percent: 100 });
    await waitFor(() => expect(screen.getByTestId(testIds.commons.commandState('cmd-1'))).toHaveTextContent('succeeded'));
    expect(screen.getByTestId(testIds.commons.events)).toHaveTextContent('restart fence: succeeded 100% deployment "fence-deployment" successfully rolled out');
    // Events of other commons are not this page's.
    g.emit({ id: 3, at: new Date().toISOString(), type: 'service.status', commons: 'brh', service: 'x', status: 'down', previous: 'healthy', reason: '' });
    expect(screen.getByTestId(testIds.commons.events)).not.toHaveTextContent('x: healthy → down');
  });

  it('offers a viewer no restart or scale and no command history', async () => {
    as('viewer');
    renderApp(URL);
    await screen.findByTestId(testIds.commons.serviceRow('fence'));
    expect(screen.queryByTestId(testIds.commons.restart('fence'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.commons.scale('fence'))).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /restart/i })).not.toBeInTheDocument();
    expect(screen.getAllByTestId(testIds.state.forbidden)[0]).toHaveTextContent('command history');
    expect(screen.queryByTestId(testIds.commons.config)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.commons.revisions)).not.toBeInTheDocument();
    expect(g.callsTo('GET', 'commands')).toHaveLength(0);
    expect(g.callsTo('GET', 'commons/midrc/revisions')).toHaveLength(0);
  });

  it('shows a developer the config with its revision history, but no actions', async () => {
    as('developer');
    renderApp(URL);
    expect(await screen.findByTestId(testIds.commons.configRevision)).toHaveTextContent('Revision 3');
    await waitFor(() => expect(screen.getByTestId(testIds.commons.config)).toHaveTextContent('revision 3 · applied · by ops'));
    expect(screen.queryByTestId(testIds.commons.restart('fence'))).not.toBeInTheDocument();
  });

  it('shows the release and the deployment revisions, each with the diff it made', async () => {
    as('developer');
    renderApp(URL);
    expect(await screen.findByTestId(testIds.commons.release)).toHaveTextContent('release 2026.07');
    expect(screen.getByTestId(testIds.commons.deployMethod)).toHaveTextContent('deploys with the simulation');
    const row = await screen.findByTestId(testIds.commons.revisionRow(2));
    expect(row).toHaveTextContent('2026.08');
    expect(row).toHaveTextContent('current');
    expect(row).toHaveTextContent('try 2026.08');
    expect(screen.getByTestId(testIds.commons.revisionState(2))).toHaveTextContent('succeeded');
    expect(screen.getByTestId(testIds.commons.revisionRow(1))).toHaveTextContent('gen3-explorer / production');
    await userEvent.click(screen.getByTestId(testIds.commons.revisionDiffToggle(2)));
    const diff = await screen.findByTestId(testIds.commons.revisionDiff(2));
    expect(diff.textContent).toContain('-    tag: "2026.07"\n+    tag: "2026.08"\n');
    // A developer may look, not roll back.
    expect(screen.queryByTestId(testIds.commons.rollback(1))).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.commons.deploy)).not.toBeInTheDocument();
  });

  it('rolls back to an earlier revision after asking why, then shows its progress', async () => {
    const DEP = '5e0c0000-0000-4000-8000-000000000003';
    g.on('POST', 'commons/midrc/rollback', { status: 202, data: { deployment: deployment(DEP, { kind: 'rollback', rollbackOf: 1, revision: 3, state: 'queued', percent: 0 }) } }).on('GET', `deployments/${DEP}`, {
      data: deployment(DEP, { kind: 'rollback', rollbackOf: 1, revision: 3, services: [progress('fence', { from: 'quay.io/cdis/fence:2026.08', to: 'quay.io/cdis/fence:2026.07', state: 'rolling', updated: 1 })] }),
    });
    renderApp(URL);
    expect(screen.queryByTestId(testIds.commons.rollback(2))).not.toBeInTheDocument();
    await userEvent.click(await screen.findByTestId(testIds.commons.rollback(1)));
    const dialog = await findDialog();
    expect(dialog).toHaveTextContent('Roll MIDRC back to revision 1?');
    expect(dialog).toHaveTextContent('Records revision 3 with the release (2026.07)');
    // The cursor starts in the reason box, so the modal's own focus move cannot take it away mid-typing.
    expect(within(dialog).getByTestId(testIds.commons.rollbackReason)).toHaveFocus();
    const confirm = within(dialog).getByTestId(testIds.commons.confirmRollback);
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByTestId(testIds.commons.rollbackReason), '2026.08 breaks the portal');
    await userEvent.click(confirm);
    await waitFor(() => expect(g.callsTo('POST', 'commons/midrc/rollback')[0]?.body).toEqual({ toRevision: 1, reason: '2026.08 breaks the portal', baseRevision: 2 }));
    const progressView = await screen.findByTestId(testIds.commons.rollbackProgress);
    expect(await within(progressView).findByTestId(testIds.deploy.serviceBar('fence'))).toHaveAttribute('aria-valuenow', '50');
    expect(progressView).toHaveTextContent('Rollback of midrc to revision 1');
    expect(screen.getByTestId(testIds.commons.deploy)).toHaveAttribute('href', '/a/gen3-dcoc-app/deploy?commons=midrc');
  });

  it('does not roll back without a reason, and shows a refused rollback naming the field', async () => {
    g.on('POST', 'commons/midrc/rollback', { status: 409, data: { ...problem(409, 'Stale plan', 'midrc is at revision 3, not 2'), errors: [{ field: 'body.baseRevision', message: 'current revision is 3' }] } });
    renderApp(URL);
    await userEvent.click(await screen.findByTestId(testIds.commons.rollback(1)));
    const dialog = await findDialog();
    await userEvent.type(within(dialog).getByTestId(testIds.commons.rollbackReason), '   ');
    expect(within(dialog).getByTestId(testIds.commons.confirmRollback)).toBeDisabled();
    await userEvent.type(within(dialog).getByTestId(testIds.commons.rollbackReason), 'why');
    await userEvent.click(within(dialog).getByTestId(testIds.commons.confirmRollback));
    const alert = await screen.findByTestId(testIds.state.error);
    expect(alert).toHaveTextContent('Rollback failed: Stale plan');
    expect(alert).toHaveTextContent('body.baseRevision: current revision is 3');
  });

  it('follows a deployment of this commons over Grafana Live in its revision list', async () => {
    g.on('GET', 'commons/midrc/revisions', { data: { items: [revision(3, { deployment: { id: 'dep-3', state: 'running', gitopsCommit: null } }), revision(2)] } }).on('GET', 'deployments/dep-3', {
      data: deployment('dep-3', { services: [progress('fence')] }),
    });
    renderApp(URL);
    expect(await screen.findByTestId(testIds.commons.revisionState(3))).toHaveTextContent('running');
    await screen.findByTestId(testIds.deploy.serviceBar('fence'));
    await waitFor(() => expect(screen.getByTestId(testIds.commons.liveState)).toHaveAttribute('data-live', 'connected'));
    g.emit({ id: 5, at: new Date().toISOString(), type: 'deployment.updated', commons: 'midrc', deployment: 'dep-3', revision: 3, state: 'running', message: 'rolling', percent: 50, services: [progress('fence', { state: 'rolling', updated: 1 })] });
    await waitFor(() => expect(screen.getByTestId(testIds.deploy.serviceBar('fence'))).toHaveAttribute('aria-valuenow', '50'));
    expect(screen.getByTestId(testIds.commons.events)).toHaveTextContent('deployment revision 3: running 50% rolling');
  });

  it('shows loading, then not found with what to do', async () => {
    g.on('GET', 'commons/midrc', 'pending');
    const view = renderApp(URL);
    expect(await screen.findByTestId(testIds.state.loading)).toBeInTheDocument();
    view.unmount();
    g.on('GET', 'commons/gone', { status: 404, data: problem(404, 'Not found', 'commons gone') });
    renderApp('/a/gen3-dcoc-app/commons/gone');
    const alert = await screen.findByTestId(testIds.state.error);
    expect(alert).toHaveTextContent('commons gone');
    expect(alert).toHaveTextContent('go back to the fleet');
  });

  it('shows forbidden when the role may not see the commons', async () => {
    g.on('GET', 'commons/midrc', { status: 403, data: problem(403, 'Forbidden', 'no DCOC role') });
    renderApp(URL);
    expect(await screen.findByTestId(testIds.state.forbidden)).toHaveTextContent('no DCOC role');
  });

  it('says so when the commons reports no services yet', async () => {
    g.on('GET', 'commons/midrc', { data: detail('midrc', []) });
    renderApp(URL);
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent('No services reported yet');
  });
});
