// Response conformance: the real control service, with a simulated commons,
// driven through the routes that answer with a body; each body is checked
// deep-strictly (unknown keys anywhere fail) against its route's response
// schema in contracts/routes.ts, and each event on /events against the event
// schemas. A field the control service sends that its schema lacks fails here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CommandAccepted, CommonsDetail, CommonsJobs, DeploymentAccepted, DeploymentPlan, ReleaseView, RevisionSummary } from '../../contracts/api';
import type { ChangeReport } from '../../contracts/compliance';
import { SequencedEvent } from '../../contracts/events';
import { API_ROUTES, type ApiRoute, ROUTES, responseSchema, templatePath } from '../../contracts/routes';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { subscribe, waitDeployment } from '../deploy/support';
import { TestFleet, eventually } from '../support/fleet';
import { strictIssues } from '../support/strict-schema';

const MIDRC = DEMO_COMMONS[1];
const ID = 'data-midrc-org';

describe('every body the control service sends fits its route response schema', () => {
  let fleet: TestFleet;
  let viewer: string;
  const checked = new Set<string>();

  /** Calls a route as the admin (or `token`) and checks the answer deep-strictly against the table. */
  async function call<T>(route: ApiRoute, path: string, opts: { body?: unknown; token?: string; expect?: number } = {}): Promise<T> {
    const r = await fleet.api<T>(opts.token ?? (await adminToken()), route.method.toUpperCase(), `/api/v1${path}`, opts.body);
    const expected = opts.expect ?? Number(Object.keys(route.responses)[0]);
    assert.equal(r.status, expected, `${route.method} ${path}: ${JSON.stringify(r.body)}`);
    const schema = responseSchema(route, r.status);
    assert.ok(schema, `${route.method} ${path} answered ${r.status}, a status its route does not describe`);
    assert.equal(strictIssues(schema, r.body), '', `${route.method} ${path} sent what ${route.operationId}'s ${r.status} schema does not describe`);
    checked.add(route.operationId);
    return r.body;
  }
  let admin: string | undefined;
  const adminToken = async () => (admin ??= await fleet.tokenFor('admin'));

  before(async () => {
    fleet = await TestFleet.start({ commons: [MIDRC] });
    viewer = await fleet.tokenFor('viewer');
    await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
  });
  after(() => fleet.stop());

  it('fleet, commons, jobs, config, agents, whoami and the document', async () => {
    await call(ROUTES.listCommons, '/commons');
    await call(ROUTES.getFleetSummary, '/fleet/summary?services=true');
    await call(ROUTES.getFleetSummary, `/fleet/summary?commons=${ID}&from=2026-01-01T00:00:00Z`, { token: viewer });
    const detail = await call<CommonsDetail>(ROUTES.getCommons, `/commons/${ID}`);
    assert.ok(detail.services.length > 0);
    // Without details:read the config data is left out, still as the schema says.
    await call(ROUTES.getCommons, `/commons/${ID}`, { token: viewer });
    const jobs = await call<CommonsJobs>(ROUTES.listJobs, `/commons/${ID}/jobs`);
    assert.ok(jobs.items.length > 0, 'the simulated commons reports CronJobs');
    await call(ROUTES.runJob, `/commons/${ID}/jobs/${jobs.items[0].name}/run`);
    await call(ROUTES.listAgents, '/agents');
    await call(ROUTES.createEnrollmentToken, '/enrollment-tokens', { body: {} });
    await call(ROUTES.whoami, '/whoami');
    await call(ROUTES.openApiDocument, '/openapi.json');
    await call(ROUTES.createApiToken, '/tokens', { body: { name: 'conformance', role: 'viewer' } });
    await call(ROUTES.listApiTokens, '/tokens');
    const config = await call<CommandAccepted & { revision: number }>(ROUTES.updateConfig, `/commons/${ID}/config`, {
      body: { data: { ...detail.config.data, maintenance_mode: 'on' }, baseRevision: detail.config.revision, reason: 'conformance' },
    });
    await eventually(async () => (await fleet.admin<{ state: string }>('GET', `/api/v1/commands/${config.command.id}`)).body.state === 'succeeded', { what: 'the config change' });
    await call(ROUTES.listConfigRevisions, `/commons/${ID}/config/revisions`);
    // External checks are off in the test fleet (an empty list); test/observability/external-checks.test.ts checks full items strictly.
    await call(ROUTES.listExternalChecks, `/commons/${ID}/external-checks`, { token: viewer });
  });

  it("logs of a service and of a Job, the namespace's Kubernetes events and resources", async () => {
    await call(ROUTES.getServiceLogs, `/commons/${ID}/services/fence/logs?tail=20`);
    const jobs = await call<CommonsJobs>(ROUTES.listJobs, `/commons/${ID}/jobs`);
    const run = jobs.items.flatMap((c) => c.recentRuns).find(Boolean);
    assert.ok(run, 'the simulated commons has Job runs');
    await call(ROUTES.getJobLogs, `/commons/${ID}/job-runs/${run.name}/logs`);
    await call(ROUTES.listKubernetesEvents, `/commons/${ID}/kubernetes-events`);
    await call(ROUTES.getResources, `/commons/${ID}/resources`);
  });

  it("commands with their events, and the audit log with each command's result", async () => {
    const stream = await subscribe(fleet, await adminToken(), `?commons=${ID}`);
    try {
      const restart = await call<CommandAccepted>(ROUTES.restartService, `/commons/${ID}/services/fence/restart`);
      await call(ROUTES.scaleService, `/commons/${ID}/services/indexd/scale`, { body: { replicas: 3 } });
      await eventually(async () => (await fleet.admin<{ state: string }>('GET', `/api/v1/commands/${restart.command.id}`)).body.state === 'succeeded', { what: 'the restart' });
      await call(ROUTES.getCommand, `/commands/${restart.command.id}`);
      await call(ROUTES.listCommands, '/commands');
      const audit = await call<{ items: AuditEntry[] }>(ROUTES.listAudit, '/audit');
      const row = audit.items.find((e) => e.commandId === restart.command.id);
      assert.equal(row?.result, 'succeeded', "the restart's audit entry carries the command's result");
      await eventually(() => stream.events.some((e) => e.type === 'command.updated' && e.data.state === 'succeeded'), { what: 'command events' });
    } finally {
      stream.close();
    }
    assert.ok(stream.events.length > 0);
    for (const e of stream.events) assert.equal(strictIssues(SequencedEvent, e.data), '', `event ${e.type} ${JSON.stringify(e.data)}`);
  });

  it('releases, templates, profiles, a plan, an applied deployment and its revision', async () => {
    const releases = await call<{ items: ReleaseView[] }>(ROUTES.listReleases, '/releases');
    await call(ROUTES.getRelease, '/releases/2026.07');
    const partial = { versions: Object.fromEntries(Object.entries(releases.items.find((r) => r.version === '2026.07')!.images).map(([k, img]) => [k, img.replace(':2026.07', ':2026.10')])) };
    await call(ROUTES.importRelease, '/releases', { body: { version: '2026.10', format: 'manifest', content: JSON.stringify(partial) } });
    await call(ROUTES.listTemplates, '/templates');
    await call(ROUTES.listProfiles, '/profiles');
    const request = { commons: ID, template: 'gen3-explorer', profile: 'production', release: '2026.07' };
    const plan = await call<DeploymentPlan>(ROUTES.createDeployment, '/deployments', { body: { ...request, mode: 'plan' }, expect: 200 });
    const applied = await call<DeploymentAccepted>(ROUTES.createDeployment, '/deployments', { body: { ...request, mode: 'apply', reason: 'conformance', baseRevision: plan.base.revision }, expect: 202 });
    await waitDeployment(fleet, await adminToken(), applied.deployment.id);
    await call(ROUTES.getDeployment, `/deployments/${applied.deployment.id}`);
    await call(ROUTES.listDeployments, '/deployments');
    const revisions = await call<{ items: RevisionSummary[] }>(ROUTES.listRevisions, `/commons/${ID}/revisions`);
    await call(ROUTES.getRevision, `/commons/${ID}/revisions/${revisions.items[0].revision}`);
  });

  it('labels and groups', async () => {
    await call(ROUTES.putCommonsLabels, `/commons/${ID}/labels`, { body: { labels: { tier: 'production' } } });
    await call(ROUTES.getCommonsLabels, `/commons/${ID}/labels`, { token: viewer });
    await call(ROUTES.putGroup, '/groups/production', { body: { selector: { matchLabels: { tier: 'production' } } }, expect: 201 });
    await call(ROUTES.putGroup, '/groups/production', { body: { description: 'again', selector: { matchLabels: { tier: 'production' } } }, expect: 200 });
    await call(ROUTES.getGroup, '/groups/production', { token: viewer });
    await call(ROUTES.listGroups, '/groups', { token: viewer });
  });

  it('policies on the group production, a change held for approval, its approval and a rejection', async () => {
    await call(ROUTES.putPolicy, '/policies/hold-restarts', { body: { group: 'production', rules: { approval: { kinds: ['restart'] }, minRole: { scale: 'operator' } } }, expect: 201 });
    await call(ROUTES.getPolicy, '/policies/hold-restarts');
    await call(ROUTES.listPolicies, '/policies');
    const stream = await subscribe(fleet, await adminToken(), `?commons=${ID}`);
    try {
      const second = await fleet.tokenFor('operator');
      const held = await call<{ approval: { id: string } }>(ROUTES.restartService, `/commons/${ID}/services/fence/restart`, { body: { reason: 'conformance' } });
      await call(ROUTES.getApproval, `/approvals/${held.approval.id}`);
      await call(ROUTES.listApprovals, '/approvals?state=requested');
      const approved = await call<{ state: string }>(ROUTES.approveApproval, `/approvals/${held.approval.id}/approve`, { token: second });
      assert.equal(approved.state, 'executed');
      const other = await call<{ approval: { id: string } }>(ROUTES.restartService, `/commons/${ID}/services/indexd/restart`);
      await call(ROUTES.rejectApproval, `/approvals/${other.approval.id}/reject`, { body: { reason: 'conformance' }, token: second });
      await eventually(() => stream.events.filter((e) => e.type === 'approval.updated').length >= 5, { what: 'approval events' });
    } finally {
      stream.close();
    }
    for (const e of stream.events) assert.equal(strictIssues(SequencedEvent, e.data), '', `event ${e.type} ${JSON.stringify(e.data)}`);
    assert.equal((await fleet.admin('DELETE', '/api/v1/policies/hold-restarts')).status, 204);
  });

  it('maintenance and deny windows, with a run and the schedule preview', async () => {
    // On a commons this fleet does not have: nothing here is frozen or restarted by them.
    const target = { commons: ['elsewhere'] };
    const now = Date.now();
    await call(ROUTES.previewSchedule, `/windows/preview?cron=${encodeURIComponent('30 2 * * sun')}&timeZone=America%2FChicago&count=3`, { token: viewer });
    const m = await call<{ id: string }>(ROUTES.createWindow, '/windows', {
      body: { name: 'conformance', kind: 'maintenance', target, schedule: { start: new Date(now).toISOString(), end: new Date(now + 3_600_000).toISOString() }, reason: 'conformance', actions: [{ kind: 'restart', services: ['fence'] }] },
      expect: 201,
    });
    await eventually(async () => (await fleet.admin<{ runs: unknown[] }>('GET', `/api/v1/windows/${m.id}`)).body.runs.length === 1, { what: 'the window started' });
    await call(ROUTES.getWindow, `/windows/${m.id}`, { token: viewer });
    await call(ROUTES.replaceWindow, `/windows/${m.id}`, { body: { name: 'conformance', kind: 'maintenance', target, schedule: { cron: '0 3 * * *', durationMinutes: 60 }, timeZone: 'Europe/Berlin', reason: 'conformance' } });
    await call(ROUTES.createWindow, '/windows', { body: { name: 'freeze', kind: 'deny', target, schedule: { cron: '0 0 * * *', durationMinutes: 1440 }, reason: 'conformance' }, expect: 201 });
    await call(ROUTES.listWindows, '/windows', { token: viewer });
    assert.equal((await fleet.admin('DELETE', `/api/v1/windows/${m.id}`)).status, 204);
  });

  it('rollouts', async () => {
    const body = { target: { group: 'production' }, change: { release: '2026.08' }, waves: { soakSeconds: 0 } };
    await call(ROUTES.createRollout, '/rollouts', { body: { ...body, mode: 'plan' }, expect: 200 });
    const started = await call<{ rollout: { id: string } }>(ROUTES.createRollout, '/rollouts', { body: { ...body, mode: 'apply', reason: 'conformance' }, expect: 202 });
    const id = started.rollout.id;
    await eventually(async () => (await fleet.admin<{ state: string }>('GET', `/api/v1/rollouts/${id}`)).body.state === 'completed', { what: 'the rollout to complete', timeoutMs: 60_000 });
    await call(ROUTES.getRollout, `/rollouts/${id}`);
    await call(ROUTES.listRollouts, '/rollouts');
    await call(ROUTES.actOnRollout, `/rollouts/${id}/rollback`, { body: { reason: 'conformance' } });
  });

  it("a commons' monthly change report, after the deploy, config change and restart above", async () => {
    const report = await call<ChangeReport>(ROUTES.getChangeReport, `/commons/${ID}/change-report?month=${new Date().toISOString().slice(0, 7)}`);
    assert.ok(report.deploys.length > 0 && report.configChanges.length > 0 && report.operations.length > 0, JSON.stringify(report));
  });

  it('team grants and the caller\'s access', async () => {
    await call(ROUTES.putTeamGrant, '/team-grants/ops-a/production', { body: { role: 'operator' }, expect: 201 });
    await call(ROUTES.putTeamGrant, '/team-grants/ops-a/production', { body: { role: 'developer' }, expect: 200 });
    await call(ROUTES.listTeamGrants, '/team-grants');
    await call(ROUTES.getAccess, '/access', { token: viewer });
  });

  it('database backups: a schedule, one on demand that the simulated agent completes, the list and a restore', async () => {
    await call(ROUTES.putBackupSchedule, `/commons/${ID}/backup-schedule`, { body: { cron: '0 2 * * *', timeZone: 'America/Chicago' } });
    const started = await call<{ command: { id: string }; backup: { id: string; status: string } }>(ROUTES.createBackup, `/commons/${ID}/backups`, { body: { databases: ['fence', 'indexd'], reason: 'conformance' } });
    assert.equal(started.backup.status, 'queued');
    await eventually(async () => (await fleet.admin<{ state: string }>('GET', `/api/v1/commands/${started.command.id}`)).body.state === 'succeeded', { what: 'the backup' });
    const list = await call<{ items: { id: string; status: string; totalBytes: number | null }[]; lastSuccessAt: string | null; maxAgeSeconds: number }>(ROUTES.listBackups, `/commons/${ID}/backups`, { token: viewer });
    assert.equal(list.items[0].status, 'succeeded');
    assert.ok((list.items[0].totalBytes ?? 0) > 0, 'sizes from the command result');
    assert.ok(list.lastSuccessAt);
    assert.equal(list.maxAgeSeconds, 36 * 3600, 'daily: 1.5 days');
    await call(ROUTES.restoreBackup, `/commons/${ID}/backups/${started.backup.id}/restore`, { body: { service: 'fence', secret: 'fence-restore-dbcreds', reason: 'conformance restore drill' } });
    assert.equal((await fleet.admin('DELETE', `/api/v1/commons/${ID}/backup-schedule`)).status, 204);
  });

  it('covered every route that answers with a JSON body, except those it names', () => {
    // Not driven here: cancels need a command or deployment caught unfinished, a rollback a second revision, /events is a stream (its events are checked above).
    const skipped = new Set(['cancelCommand', 'cancelDeployment', 'rollback', 'streamEvents']);
    const withBody = API_ROUTES.filter((r) => Object.values(r.responses).some(Boolean) && !skipped.has(r.operationId)).map((r) => `${r.operationId} (${r.method} ${templatePath(r.path)})`);
    assert.deepEqual(withBody.filter((r) => !checked.has(r.split(' ')[0])), []);
  });
});
