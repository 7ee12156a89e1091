import { setDataSourceSrv, type DataSourceSrv } from '@grafana/runtime';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { testIds } from '../../src/testIds';
import { deployment, plan, problem, profile, progress, release, revision, summary, template, whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { findDialog, renderApp } from './support/render';

const URL = '/a/gen3-dcoc-app/deploy';
const DEP = '7d6c2f1e-0000-4000-8000-000000000001';

let g: FakeGrafana;
function as(role: 'viewer' | 'developer' | 'operator' | 'admin') {
  g = new FakeGrafana()
    .install()
    .on('GET', 'whoami', { data: whoami(role) })
    .on('GET', 'commons', { data: { items: [summary('midrc', { name: 'MIDRC', version: '2026.06' }), summary('brh', { name: 'BRH' })] } })
    .on('GET', 'releases', { data: { items: [release('2026.08', 'Iolite'), release('2026.07', 'Hambergite'), release('2026.06', 'Goshenite')] } })
    .on('GET', 'templates', { data: { items: [template('gen3-default'), template('gen3-explorer')] } })
    .on('GET', 'profiles', { data: { items: [profile('dev'), profile('production')] } })
    .on('GET', 'commons/midrc/revisions', { data: { items: [] } })
    .on('GET', 'deployments', { data: { items: [] } });
  return g;
}
beforeEach(() => as('operator'));

async function choose(testId: string, option: RegExp) {
  await userEvent.click(screen.getByTestId(testId).querySelector('input')!);
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

/** Fills the wizard for MIDRC: release 2026.07, template gen3-explorer, profile production. */
async function fillMidrc() {
  await screen.findByTestId(testIds.deploy.form);
  await choose(testIds.deploy.commons, /^MIDRC/);
  await choose(testIds.deploy.template, /^gen3-explorer/);
  await choose(testIds.deploy.profile, /^production/);
  await choose(testIds.deploy.release, /^2026\.07/);
}

const postsTo = (route: string) => g.callsTo('POST', route).map((c) => c.body as Record<string, unknown>);

describe('deploy wizard', () => {
  it('plans: the diff, the service changes, warnings and the GitOps path show before anything is applied', async () => {
    g.on('POST', 'deployments', { data: plan() });
    renderApp(URL);
    await fillMidrc();
    expect(screen.queryByTestId(testIds.deploy.diff)).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId(testIds.deploy.plan));

    const diff = await screen.findByTestId(testIds.deploy.diff);
    expect(diff.textContent).toContain('-    tag: "2026.06"\n+    tag: "2026.07"\n');
    expect(postsTo('deployments')).toEqual([{ commons: 'midrc', template: 'gen3-explorer', profile: 'production', release: '2026.07', mode: 'plan' }]);
    expect(screen.getByTestId(testIds.deploy.planSummary)).toHaveTextContent('Applying makes revision 5 of midrc');
    expect(screen.getByTestId(testIds.deploy.planSummary)).toHaveTextContent('Compared with revision 4');
    expect(screen.getByTestId(testIds.deploy.planService('fence'))).toHaveTextContent('fence2026.06 → 2026.07');
    expect(screen.getByTestId(testIds.deploy.planService('ambassador'))).toHaveTextContent('unchanged');
    expect(screen.getByTestId(testIds.deploy.warnings)).toHaveTextContent('indexd has 1 pod not ready now');
    expect(screen.getByTestId(testIds.deploy.gitops)).toHaveTextContent('committed to data.midrc.org/values/values.yaml');
    expect(screen.getByTestId(testIds.deploy.values)).toHaveTextContent('repository: quay.io/cdis/fence');
    // Nothing applied, and applying needs a reason first.
    expect(screen.getByTestId(testIds.deploy.apply)).toBeDisabled();
    expect(screen.getByTestId(testIds.deploy.applyNote)).toHaveTextContent('Give a reason');
    expect(postsTo('deployments').filter((b) => b.mode === 'apply')).toHaveLength(0);
  });

  it('applies with the reason and the plan base revision, then shows a progress bar per changing service', async () => {
    let posted = 0;
    g.on('POST', 'deployments', (call) => {
      posted++;
      return (call.body as { mode: string }).mode === 'plan' ? { data: plan() } : { status: 202, data: { deployment: deployment(DEP, { state: 'queued', percent: 0 }) } };
    });
    g.on('GET', `deployments/${DEP}`, {
      data: deployment(DEP, {
        services: [
          progress('fence', { state: 'rolling', updated: 1, ready: 1, desired: 2, message: '1/2 updated, 1 ready' }),
          progress('indexd'),
          progress('sheepdog', { state: 'done', updated: 4, ready: 4, desired: 4, message: '4/4 ready on quay.io/cdis/sheepdog:2026.07' }),
        ],
      }),
    });
    renderApp(URL);
    await fillMidrc();
    await userEvent.type(screen.getByTestId(testIds.deploy.reason), 'monthly upgrade');
    await userEvent.click(screen.getByTestId(testIds.deploy.plan));
    await screen.findByTestId(testIds.deploy.diff);
    await userEvent.click(screen.getByTestId(testIds.deploy.apply));
    await waitFor(() => expect(posted).toBe(2));
    expect(postsTo('deployments')[1]).toEqual({
      commons: 'midrc',
      template: 'gen3-explorer',
      profile: 'production',
      release: '2026.07',
      reason: 'monthly upgrade',
      mode: 'apply',
      baseRevision: 4,
    });

    const progressView = await screen.findByTestId(testIds.deploy.progress);
    await waitFor(() => expect(screen.getByTestId(testIds.deploy.serviceBar('fence'))).toHaveAttribute('aria-valuenow', '50'));
    expect(screen.getByTestId(testIds.deploy.serviceBar('indexd'))).toHaveAttribute('aria-valuenow', '0');
    expect(screen.getByTestId(testIds.deploy.serviceBar('sheepdog'))).toHaveAttribute('aria-valuenow', '100');
    expect(within(progressView).getAllByRole('progressbar', { name: /rollout$/ })).toHaveLength(3);
    expect(screen.getByTestId(testIds.deploy.serviceState('fence'))).toHaveTextContent('rolling');
    expect(screen.getByTestId(testIds.deploy.serviceState('indexd'))).toHaveTextContent('pending');
    expect(screen.getByTestId(testIds.deploy.service('fence'))).toHaveTextContent('1 / 2');
    expect(screen.getByTestId(testIds.deploy.service('fence'))).toHaveTextContent('fence 2026.06 → 2026.07');
    expect(screen.getByTestId(testIds.deploy.state)).toHaveTextContent('running');
    expect(screen.getByTestId(testIds.deploy.cancel)).toBeInTheDocument();
    expect(progressView).toHaveTextContent('commit 0123456789ab');
    expect(screen.queryByTestId(testIds.deploy.commonsLink)).not.toBeInTheDocument();
  });

  it('shows "waiting for approval" instead of progress when a policy holds the deploy (202 with an approval)', async () => {
    const held = {
      id: '0b6f7a1c-2d3e-4f50-8a6b-7c8d9e0f1a2b',
      kind: 'deploy',
      commons: 'midrc',
      state: 'requested',
      requester: { actor: 'operator-user', kind: 'grafana', role: 'operator' },
      reason: 'monthly upgrade',
      summary: 'deploy release 2026.07 to midrc as revision 5: 3 service(s) change',
      release: '2026.07',
      request: {},
      policies: ['production-changes'],
      approvers: 'operator',
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      decidedBy: null,
      decidedAt: null,
      decisionReason: null,
      result: null,
      error: null,
    };
    g.on('POST', 'deployments', (call) => ((call.body as { mode: string }).mode === 'plan' ? { data: plan() } : { status: 202, data: { approval: held } }));
    renderApp(URL);
    await fillMidrc();
    await userEvent.type(screen.getByTestId(testIds.deploy.reason), 'monthly upgrade');
    await userEvent.click(screen.getByTestId(testIds.deploy.plan));
    await screen.findByTestId(testIds.deploy.diff);
    await userEvent.click(screen.getByTestId(testIds.deploy.apply));
    const waiting = await screen.findByTestId(testIds.approvals.held);
    expect(waiting).toHaveTextContent('Waiting for approval');
    expect(waiting).toHaveTextContent('deploy release 2026.07 to midrc as revision 5: 3 service(s) change');
    expect(waiting).toHaveTextContent('Policy production-changes needs a second person with role operator or higher');
    expect(within(waiting).getByRole('link', { name: 'Open approvals' })).toHaveAttribute('href', '/a/gen3-dcoc-app/approvals');
    expect(screen.queryByTestId(testIds.deploy.progress)).not.toBeInTheDocument();
    // Applying again would only open a second approval.
    expect(screen.getByTestId(testIds.deploy.apply)).toBeDisabled();
  });

  it('follows deployment.updated events over Grafana Live, and links to the commons when done', async () => {
    g.on('GET', `deployments/${DEP}`, { data: deployment(DEP, { services: [progress('fence'), progress('indexd')] }) });
    renderApp(`${URL}?deployment=${DEP}`);
    await screen.findByTestId(testIds.deploy.serviceBar('fence'));
    await waitFor(() => expect(g.liveAddresses.some((a) => a.path === 'events/midrc')).toBe(true));
    const reads = g.callsTo('GET', `deployments/${DEP}`).length;
    g.emit({
      id: 1,
      at: new Date().toISOString(),
      type: 'deployment.updated',
      commons: 'midrc',
      deployment: DEP,
      revision: 5,
      state: 'running',
      message: '1 of 2 services rolled out; rolling: indexd 1/2 updated, 1 ready',
      percent: 75,
      services: [progress('fence', { state: 'done', updated: 2, ready: 2 }), progress('indexd', { state: 'rolling', updated: 1, ready: 1 })],
    });
    await waitFor(() => expect(screen.getByTestId(testIds.deploy.serviceBar('indexd'))).toHaveAttribute('aria-valuenow', '50'));
    expect(screen.getByTestId(testIds.deploy.serviceBar('fence'))).toHaveAttribute('aria-valuenow', '100');
    expect(screen.getByTestId(testIds.deploy.percent)).toHaveTextContent('75%');
    expect(screen.getByTestId(testIds.deploy.message)).toHaveTextContent('rolling: indexd 1/2 updated');
    // Another deployment's events are not this one's.
    g.emit({ id: 3, at: new Date().toISOString(), type: 'deployment.updated', commons: 'midrc', deployment: 'other', revision: 9, state: 'failed', message: 'x', percent: 0, services: [] });
    g.emit({
      id: 2,
      at: new Date().toISOString(),
      type: 'deployment.updated',
      commons: 'midrc',
      deployment: DEP,
      revision: 5,
      state: 'succeeded',
      message: 'revision 5 (release 2026.07) in place',
      percent: 100,
      services: [progress('fence', { state: 'done', updated: 2, ready: 2 }), progress('indexd', { state: 'done', updated: 2, ready: 2 })],
    });
    expect(await screen.findByTestId(testIds.deploy.result)).toHaveTextContent('Revision 5 is in place: midrc runs release 2026.07');
    expect(screen.getByTestId(testIds.deploy.commonsLink)).toHaveAttribute('href', '/a/gen3-dcoc-app/commons/midrc');
    expect(screen.queryByTestId(testIds.deploy.cancel)).not.toBeInTheDocument();
    // The progress came from Live, not from polling.
    expect(g.callsTo('GET', `deployments/${DEP}`).length).toBe(reads);
  });

  it('polls GET deployments/{id} when Grafana Live is unavailable', async () => {
    setDataSourceSrv({ getList: () => [], getInstanceSettings: () => undefined } as unknown as DataSourceSrv);
    let reads = 0;
    g.on('GET', `deployments/${DEP}`, () => {
      reads++;
      return { data: reads < 2 ? deployment(DEP) : deployment(DEP, { state: 'succeeded', percent: 100, services: [progress('fence', { state: 'done', updated: 2 })] }) };
    });
    renderApp(`${URL}?deployment=${DEP}`);
    expect(await screen.findByText(/Live updates unavailable: refreshing every 1.5 s/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId(testIds.deploy.state)).toHaveTextContent('succeeded'), { timeout: 8_000 });
    expect(screen.getByTestId(testIds.deploy.serviceBar('fence'))).toHaveAttribute('aria-valuenow', '100');
  });

  it('cancels a running deployment after a confirmation', async () => {
    g.on('GET', `deployments/${DEP}`, { data: deployment(DEP) }).on('POST', `deployments/${DEP}/cancel`, { data: { deployment: deployment(DEP, { state: 'cancelled', message: 'cancelled by operator-user' }) } });
    renderApp(`${URL}?deployment=${DEP}`);
    await userEvent.click(await screen.findByTestId(testIds.deploy.cancel));
    const dialog = await findDialog();
    expect(dialog).toHaveTextContent('Stop rolling out revision 5 to midrc?');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel deployment' }));
    await waitFor(() => expect(g.callsTo('POST', `deployments/${DEP}/cancel`)).toHaveLength(1));
    expect(await screen.findByTestId(testIds.deploy.result)).toHaveTextContent('The deployment was cancelled');
  });

  it('keeps every change made before the page re-renders: a release chosen and a reason typed in one go both reach the plan', async () => {
    // A Combobox reports its choice in an effect after the click; typing
    // that lands first must not be undone by it (seen in CI as a disabled
    // Apply button after the reason was filled).
    g.on('POST', 'deployments', { data: plan() });
    renderApp(URL);
    await screen.findByTestId(testIds.deploy.form);
    await choose(testIds.deploy.commons, /^MIDRC/);
    await choose(testIds.deploy.template, /^gen3-explorer/);
    await choose(testIds.deploy.profile, /^production/);
    await userEvent.click(screen.getByTestId(testIds.deploy.release).querySelector('input')!);
    const option = await screen.findByRole('option', { name: /^2026\.07/ });
    act(() => {
      fireEvent.click(option);
      fireEvent.change(screen.getByTestId(testIds.deploy.reason), { target: { value: 'monthly upgrade' } });
      fireEvent.change(screen.getByTestId(testIds.deploy.overrides), { target: { value: 'fence: {replicaCount: 3}' } });
    });
    expect(screen.getByTestId(testIds.deploy.reason)).toHaveValue('monthly upgrade');
    expect(screen.getByTestId(testIds.deploy.overrides)).toHaveValue('fence: {replicaCount: 3}');
    await userEvent.click(screen.getByTestId(testIds.deploy.plan));
    await screen.findByTestId(testIds.deploy.diff);
    expect(postsTo('deployments')).toEqual([
      { commons: 'midrc', template: 'gen3-explorer', profile: 'production', release: '2026.07', overrides: { fence: { replicaCount: 3 } }, reason: 'monthly upgrade', mode: 'plan' },
    ]);
    expect(screen.getByTestId(testIds.deploy.apply)).toBeEnabled();
  });

  it('takes template and profile from the commons latest revision unless changed', async () => {
    g.on('GET', 'commons/midrc/revisions', { data: { items: [revision(4, { template: 'gen3-default', profile: 'dev' }), revision(3)] } }).on('POST', 'deployments', { data: plan() });
    renderApp(URL);
    await screen.findByTestId(testIds.deploy.form);
    await choose(testIds.deploy.commons, /^MIDRC/);
    await choose(testIds.deploy.release, /^2026\.08/);
    expect(await screen.findByText('As revision 4: gen3-default')).toBeInTheDocument();
    await userEvent.click(screen.getByTestId(testIds.deploy.plan));
    await screen.findByTestId(testIds.deploy.diff);
    expect(postsTo('deployments')[0]).toEqual({ commons: 'midrc', template: 'gen3-default', profile: 'dev', release: '2026.08', mode: 'plan' });
  });

  it('plans a new commons from hostname, environment and name, with overrides given as YAML', async () => {
    g.on('POST', 'deployments', { data: plan({ commons: { id: 'data-new-org', hostname: 'data.new.org', environment: 'newprod', exists: false, agentConnected: false } }) });
    renderApp(URL);
    await screen.findByTestId(testIds.deploy.form);
    await userEvent.click(within(screen.getByTestId(testIds.deploy.target)).getByLabelText('New commons'));
    await userEvent.type(screen.getByTestId(testIds.deploy.hostname), 'data.new.org');
    await userEvent.type(screen.getByTestId(testIds.deploy.environment), 'newprod');
    await userEvent.type(screen.getByTestId(testIds.deploy.name), 'New Commons');
    await choose(testIds.deploy.template, /^gen3-default/);
    await choose(testIds.deploy.profile, /^dev/);
    await choose(testIds.deploy.release, /^2026\.07/);
    await userEvent.type(screen.getByTestId(testIds.deploy.overrides), 'fence:{enter}  replicaCount: 3');
    await userEvent.click(screen.getByTestId(testIds.deploy.plan));
    expect(await screen.findByTestId(testIds.deploy.planSummary)).toHaveTextContent('a new commons');
    expect(postsTo('deployments')[0]).toEqual({
      newCommons: { hostname: 'data.new.org', environment: 'newprod', name: 'New Commons' },
      template: 'gen3-default',
      profile: 'dev',
      release: '2026.07',
      overrides: { fence: { replicaCount: 3 } },
      mode: 'plan',
    });
  });

  it('says what is missing, and refuses overrides that are not a YAML or JSON mapping, without asking the server', async () => {
    renderApp(URL);
    await screen.findByTestId(testIds.deploy.form);
    await userEvent.click(screen.getByTestId(testIds.deploy.plan));
    expect(await screen.findByText('Choose the commons to deploy to')).toBeInTheDocument();
    expect(screen.getByText('Choose the release')).toBeInTheDocument();
    await fillMidrc();
    await userEvent.type(screen.getByTestId(testIds.deploy.overrides), '- just a list');
    expect(screen.getByText(/Overrides must be a mapping of gen3-helm values/)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.deploy.plan)).toBeDisabled();
    await userEvent.clear(screen.getByTestId(testIds.deploy.overrides));
    await userEvent.type(screen.getByTestId(testIds.deploy.overrides), '{{ "fence": ');
    expect(screen.getByText(/Not valid YAML or JSON/)).toBeInTheDocument();
    expect(g.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('shows a refused plan (problem+json) as an alert naming the field, and on that field', async () => {
    g.on('POST', 'deployments', {
      status: 422,
      data: {
        ...problem(422, 'Invalid request', 'the deployment request has 1 problem'),
        errors: [{ field: 'body.overrides.fence.replicaCount', message: "16 is above profile production's bound of 15" }],
      },
    });
    renderApp(URL);
    await fillMidrc();
    await userEvent.type(screen.getByTestId(testIds.deploy.overrides), '{{"fence": {{"replicaCount": 16}}');
    await userEvent.click(screen.getByTestId(testIds.deploy.plan));
    const alert = await screen.findByTestId(testIds.state.error);
    expect(alert).toHaveTextContent('Planning failed: Invalid request');
    expect(alert).toHaveTextContent("body.overrides.fence.replicaCount: 16 is above profile production's bound of 15");
    expect(alert).toHaveTextContent('Correct the highlighted values and try again.');
    expect(screen.getByText("fence.replicaCount: 16 is above profile production's bound of 15")).toBeInTheDocument();
    expect(postsTo('deployments')[0]).toMatchObject({ overrides: { fence: { replicaCount: 16 } } });
    expect(screen.queryByTestId(testIds.deploy.apply)).not.toBeInTheDocument();
  });

  it('marks a plan stale when the choices change, and offers to plan again after a 409 on apply', async () => {
    g.on('POST', 'deployments', (call) =>
      (call.body as { mode: string }).mode === 'plan'
        ? { data: plan() }
        : { status: 409, data: { ...problem(409, 'Stale plan', 'midrc is at revision 5, not 4; plan again and review the new diff'), errors: [{ field: 'body.baseRevision', message: 'current revision is 5' }] } },
    );
    renderApp(URL);
    await fillMidrc();
    await userEvent.type(screen.getByTestId(testIds.deploy.reason), 'upgrade');
    await userEvent.click(screen.getByTestId(testIds.deploy.plan));
    await screen.findByTestId(testIds.deploy.diff);
    expect(screen.getByTestId(testIds.deploy.apply)).toBeEnabled();
    await choose(testIds.deploy.release, /^2026\.08/);
    expect(screen.getByTestId(testIds.deploy.planStale)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.deploy.apply)).toBeDisabled();
    await choose(testIds.deploy.release, /^2026\.07/);
    expect(screen.queryByTestId(testIds.deploy.planStale)).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId(testIds.deploy.apply));
    const alert = await screen.findByTestId(testIds.state.error);
    expect(alert).toHaveTextContent('Applying failed: Stale plan');
    expect(alert).toHaveTextContent('body.baseRevision: current revision is 5');
    await userEvent.click(screen.getByRole('button', { name: /Plan again against the current revision/ }));
    await waitFor(() => expect(postsTo('deployments').filter((b) => b.mode === 'plan')).toHaveLength(2));
  });

  it('offers a viewer no Plan or Apply: the page is read only', async () => {
    as('viewer');
    renderApp(URL);
    expect(await screen.findByTestId(testIds.deploy.readOnly)).toHaveTextContent('needs the DCOC operator role');
    expect(screen.queryByTestId(testIds.deploy.form)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.deploy.plan)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.deploy.apply)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /plan|apply/i })).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.state.forbidden)).toHaveTextContent('deployments');
    expect(g.calls.filter((c) => c.url.endsWith('/releases') || c.url.endsWith('/deployments'))).toHaveLength(0);
  });

  it('lets a developer follow deployments without Plan, Apply or Cancel', async () => {
    as('developer');
    g.on('GET', 'deployments', { data: { items: [deployment(DEP, { state: 'succeeded', percent: 100 })] } }).on('GET', `deployments/${DEP}`, { data: deployment(DEP) });
    const view = renderApp(URL);
    expect(await screen.findByTestId(testIds.deploy.recentRow(DEP))).toHaveTextContent('succeeded');
    expect(screen.getByTestId(testIds.deploy.readOnly)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.deploy.plan)).not.toBeInTheDocument();
    view.unmount();
    renderApp(`${URL}?deployment=${DEP}`);
    expect(await screen.findByTestId(testIds.deploy.serviceBar('fence'))).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.deploy.cancel)).not.toBeInTheDocument();
  });

  it('shows loading, then an empty fleet and no deployments', async () => {
    g.on('GET', 'releases', 'pending');
    const view = renderApp(URL);
    await waitFor(() => expect(screen.getAllByTestId(testIds.state.loading).map((e) => e.textContent).join(' ')).toContain('Loading the releases'));
    view.unmount();
    as('operator').on('GET', 'commons', { data: { items: [] } });
    renderApp(URL);
    await screen.findByTestId(testIds.deploy.form);
    const empties = await screen.findAllByTestId(testIds.state.empty);
    expect(empties[0]).toHaveTextContent('No commons to deploy to yet');
    await waitFor(() => expect(screen.getAllByTestId(testIds.state.empty).map((e) => e.textContent).join(' ')).toContain('No deployments yet'));
  });

  it('shows a failed load with what to do', async () => {
    g.on('GET', 'templates', { status: 502, data: problem(502, 'Control service unreachable', 'connect ECONNREFUSED 127.0.0.1:8470') });
    renderApp(URL);
    const alert = await screen.findByTestId(testIds.state.error, {}, { timeout: 10_000 });
    expect(alert).toHaveTextContent('Loading the templates failed');
    expect(alert).toHaveTextContent("check the DCOC app's Configuration page");
  });

  it('sends unknown app paths to the fleet page', async () => {
    new FakeGrafana().install().on('GET', 'whoami', { data: whoami('viewer') }).on('GET', 'commons', 'pending');
    renderApp('/a/gen3-dcoc-app/nowhere');
    expect(await screen.findByTestId(testIds.fleet.page)).toBeInTheDocument();
  });
});
