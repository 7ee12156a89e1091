// GitOps through the API: with a repository
// configured (a local bare repository here), every revision is committed at
// <cluster>/<hostname>/values/values.yaml with the operator as author and the
// reason in the message, and pushed; a push the repository rejects (a
// pre-receive hook) fails the deploy with git's reason, and nothing rolls out.
// How a revision edits a values file that is already there:
// gitops-roundtrip.test.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { AuditEntry, CommandView, CommonsDetail, DeploymentPlan, DeploymentView, RevisionDetail, RevisionSummary } from '../../contracts/api';
import { signAssertion } from '../../contracts/identity';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { PLUGIN_SECRET, TestFleet, eventually } from '../support/fleet';
import { simState, waitDeployment } from './support';

const HEAL = DEMO_COMMONS[2]; // small, 2026.04
const ID = 'healdata-org';
const CLUSTER = 'gen3-ci';
const PATH = `${CLUSTER}/healdata.org/values/values.yaml`;

describe('GitOps', () => {
  let fleet: TestFleet;
  let dir: string;
  let bare: string;
  let operator: string;
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', bare, ...args], { encoding: 'utf8' }).trim();
  const apply = (token: string, body: Record<string, unknown>) => fleet.api<{ deployment: DeploymentView }>(token, 'POST', '/api/v1/deployments', { commons: ID, mode: 'apply', ...body });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dcoc-gitops-'));
    bare = join(dir, 'gen3-gitops.git');
    execFileSync('git', ['init', '--quiet', '--bare', bare]);
    fleet = await TestFleet.start({ commons: [HEAL], controlEnv: { DCOC_GITOPS_REPO: bare, DCOC_GITOPS_CLUSTER: CLUSTER, DCOC_GITOPS_BRANCH: 'main' } });
    operator = await fleet.tokenFor('operator');
    await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
  });
  after(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a plan names the GitOps path and commits nothing', async () => {
    const r = await fleet.api<DeploymentPlan>(operator, 'POST', '/api/v1/deployments', { commons: ID, template: 'gen3-default', profile: 'small', release: '2026.07', mode: 'plan' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.gitops, { enabled: true, path: PATH });
    assert.match(r.body.diff.text, new RegExp(`^--- a/${PATH} \\(as observed\\)\\n\\+\\+\\+ b/${PATH}\\n`));
    assert.equal(git('for-each-ref'), '', 'no branch, no commit');
  });

  let first: { commit: string; values: Record<string, unknown> };

  it('apply commits the revision at <cluster>/<hostname>/values/values.yaml with author and reason, pushes, then rolls out', async () => {
    const r = await apply(operator, { template: 'gen3-default', profile: 'small', release: '2026.07', reason: 'HEAL to 2026.07 (ticket OPS-1234)' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.deployment.gitops.state, 'pending');
    const done = await waitDeployment(fleet, operator, r.body.deployment.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.equal(done.gitops.state, 'pushed');
    assert.equal(done.gitops.path, PATH);
    assert.equal(done.gitops.commit, git('rev-parse', 'main'));

    assert.equal(git('log', '-1', '--format=%an <%ae>', 'main'), 'token:test-operator <noreply@dcoc>');
    assert.equal(git('log', '-1', '--format=%cn', 'main'), 'DCOC control service');
    const message = git('log', '-1', '--format=%B', 'main');
    assert.match(message, /^healdata\.org: revision 1, Gen3 release 2026\.07 \(deploy\)\n\nHEAL to 2026\.07 \(ticket OPS-1234\)\n/);
    assert.match(message, new RegExp(`DCOC-Deployment: ${done.id}`));
    // A new commons: its values, and the Application chart gen3-gitops keeps beside them (gitops-roundtrip.test.ts has the layout).
    assert.deepEqual(git('ls-tree', '-r', '--name-only', 'main').split('\n'), [`${CLUSTER}/healdata.org/Chart.yaml`, `${CLUSTER}/healdata.org/templates/app.yaml`, `${CLUSTER}/healdata.org/values.yaml`, PATH]);
    const file = git('show', `main:${PATH}`);
    assert.match(file, /^# gen3-helm values of healdata\.org, created by DCOC with revision 1: Gen3 release 2026\.07 \(Hambergite\), template gen3-default, profile small\.\n/);
    const rev = (await fleet.api<RevisionDetail>(operator, 'GET', `/api/v1/commons/${ID}/revisions/1`)).body;
    assert.deepEqual(parseYaml(file), rev.values);
    assert.equal(rev.deployment.gitopsCommit, done.gitops.commit);
    first = { commit: done.gitops.commit!, values: rev.values };
    assert.equal((await simState(fleet, HEAL.hostname)).release, '2026.07');
  });

  it('a Grafana user is the commit author with their name and email', async () => {
    const assertion = await signAssertion({ login: 'jdoe', name: 'Jane Doe', email: 'jane@example.org', role: 'operator' }, PLUGIN_SECRET);
    const r = await apply(assertion, { overrides: { global: { maintenanceMode: 'on' } }, release: '2026.07', reason: 'maintenance window' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const done = await waitDeployment(fleet, operator, r.body.deployment.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.equal(done.actor, 'jdoe');
    assert.equal(git('log', '-1', '--format=%an <%ae>|%s', 'main'), 'Jane Doe <jane@example.org>|healdata.org: revision 2, Gen3 release 2026.07 (deploy)');
    assert.equal(git('rev-parse', 'main^'), first.commit);
    assert.deepEqual(done.services, [], 'a values-only change rolls nothing');
    first = { commit: done.gitops.commit!, values: (await fleet.api<RevisionDetail>(operator, 'GET', `/api/v1/commons/${ID}/revisions/2`)).body.values };
  });

  it('a rejected push fails the deploy with the reason, and nothing is rolled out', async () => {
    const hook = join(bare, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "change freeze: no deploys until 2026-12-01" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    const commandsBefore = (await fleet.admin<{ items: CommandView[] }>('GET', `/api/v1/commands?commons=${ID}`)).body.items.length;
    const r = await apply(operator, { release: '2026.08', reason: 'upgrade to 2026.08' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const failed = await waitDeployment(fleet, operator, r.body.deployment.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.gitops.state, 'failed');
    assert.equal(failed.gitops.commit, null);
    assert.match(failed.message, /^GitOps: push of [0-9a-f]{12} to .*gen3-gitops\.git \(branch main\) was refused: remote: change freeze: no deploys until 2026-12-01\n/);
    assert.match(failed.message, /pre-receive hook declined/);
    assert.equal(git('rev-parse', 'main'), first.commit, 'the remote is unchanged');
    assert.equal((await fleet.api(operator, 'GET', `/api/v1/commands/${failed.commandId}`)).status, 404, 'no deploy command was queued');
    assert.equal((await fleet.admin<{ items: CommandView[] }>('GET', `/api/v1/commands?commons=${ID}`)).body.items.length, commandsBefore);
    const sim = await simState(fleet, HEAL.hostname);
    assert.equal(sim.release, '2026.07');
    assert.ok(Object.values(sim.services).every((s) => !s.image.endsWith(':2026.08')));
    const revs = (await fleet.api<{ items: RevisionSummary[] }>(operator, 'GET', `/api/v1/commons/${ID}/revisions`)).body.items;
    assert.deepEqual(revs.map((x) => [x.revision, x.release, x.deployment.state]), [
      [3, '2026.08', 'failed'],
      [2, '2026.07', 'succeeded'],
      [1, '2026.07', 'succeeded'],
    ]);
    const audit = (await fleet.admin<{ items: AuditEntry[] }>('GET', `/api/v1/audit?commons=${ID}&action=deployment.apply`)).body.items;
    const failure = audit.find((e) => e.outcome === 'failed');
    assert.match(String(failure?.detail.reason), /pre-receive hook declined/);

    // Once the repository accepts again, the next revision is diffed against the last one that took effect (2), and
    // the refused commit does not ride along.
    rmSync(hook);
    const again = await apply(operator, { release: '2026.08', reason: 'upgrade to 2026.08, freeze over', baseRevision: 2 });
    assert.equal(again.status, 202, JSON.stringify(again.body));
    const done = await waitDeployment(fleet, operator, again.body.deployment.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.equal(done.revision, 4);
    assert.equal(git('rev-parse', 'main^'), first.commit);
    assert.match(git('log', '-1', '--format=%s', 'main'), /revision 4, Gen3 release 2026\.08/);
    const rev4 = (await fleet.api<RevisionDetail>(operator, 'GET', `/api/v1/commons/${ID}/revisions/4`)).body;
    assert.deepEqual(rev4.base, { source: 'revision', revision: 2 });
  });
});
