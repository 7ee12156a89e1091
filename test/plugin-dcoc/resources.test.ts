// The app's resources through CallResource, as Grafana
// sends them. A Viewer lists the fleet and gets 403 on restart; an Editor's
// restart returns 202 and completes; the audit log names the Grafana login;
// no user gets 401. Also: the role from Grafana RBAC (permission search with
// the service-account token), the configured org role mapping, and errors
// that say what to fix.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEntry, CommandView, CommonsDetail, CommonsSummary, DeploymentPlan, DeploymentView, Problem, ProfileView, ReleaseView, RevisionSummary, TemplateView } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { freePort } from '../support/free-port';
import { PLUGIN_SECRET, TestFleet, eventually } from '../support/fleet';
import { startPlugin, type GrafanaHost, type OrgRole, type ResourceResult } from '../support/grafana-host';
import { dcocExecutables } from './support/build';
import { appContext, json, type DcocContextOptions } from './support/contexts';
import { FakeGrafana } from './support/fake-grafana';

const MIDRC = DEMO_COMMONS[1];
const ID = 'data-midrc-org';
const OPERATOR_ACTIONS = ['gen3-dcoc-app.commons:read', 'gen3-dcoc-app.details:read', 'gen3-dcoc-app.services:operate', 'gen3-dcoc-app.deployments:write', 'gen3-dcoc-app.audit:read'];

let fleet: TestFleet;
let host: GrafanaHost;
let grafana: FakeGrafana;

before(async () => {
  const [exes, f, g] = await Promise.all([dcocExecutables(), TestFleet.start({ commons: [MIDRC] }), FakeGrafana.start()]);
  fleet = f;
  grafana = g;
  host = await startPlugin({ executable: exes.app });
  await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', {
    what: 'a healthy commons',
    timeoutMs: 60_000,
  });
});

after(async () => {
  if (host) await host.shutdown();
  await fleet?.stop();
  await grafana?.close();
});

interface Call {
  path: string;
  method?: string;
  body?: unknown;
  role?: OrgRole;
  ctx?: Partial<DcocContextOptions>;
  headers?: Record<string, string[]>;
}

function call(c: Call): Promise<ResourceResult> {
  const [path, query] = c.path.split('?');
  return host.callResource({
    pluginContext: appContext({ role: c.role ?? 'Viewer', controlUrl: fleet.control.url, ...c.ctx }),
    path,
    url: query ? `${path}?${query}` : path,
    method: c.method ?? 'GET',
    headers: { ...(c.body !== undefined ? { 'Content-Type': ['application/json'] } : {}), ...c.headers },
    body: c.body === undefined ? undefined : JSON.stringify(c.body),
  });
}

const contentType = (r: ResourceResult) => (r.headers['Content-Type'] ?? r.headers['content-type'] ?? [])[0] ?? '';

async function commandDone(id: string, role: OrgRole = 'Editor'): Promise<CommandView> {
  return eventually(
    async () => {
      const r = await call({ path: `commands/${id}`, role });
      const c = json<CommandView>(r.body);
      return ['succeeded', 'failed', 'expired', 'cancelled'].includes(c.state) && c;
    },
    { what: `command ${id} to finish`, timeoutMs: 60_000 },
  );
}

describe('the app resources, as Grafana calls them', () => {
  it('a Viewer lists the fleet and one commons', async () => {
    const list = await call({ path: 'commons', role: 'Viewer' });
    assert.equal(list.status, 200);
    assert.match(contentType(list), /^application\/json/);
    assert.deepEqual(json<{ items: CommonsSummary[] }>(list.body).items.map((c) => c.id), [ID]);
    const one = await call({ path: `commons/${ID}`, role: 'Viewer' });
    assert.equal(one.status, 200);
    assert.ok(json<CommonsDetail>(one.body).services.some((s) => s.name === 'fence'));
  });

  it('a Viewer gets 403 on restart, with the reason as problem+json', async () => {
    const r = await call({ path: `commons/${ID}/services/fence/restart`, method: 'POST', role: 'Viewer' });
    assert.equal(r.status, 403);
    assert.match(contentType(r), /^application\/problem\+json/);
    assert.match(json<Problem>(r.body).detail, /^viewer-user has role viewer; services:operate needs operator/);
  });

  it("an Editor's restart returns 202 and the command completes", async () => {
    const r = await call({ path: `commons/${ID}/services/fence/restart`, method: 'POST', role: 'Editor' });
    assert.equal(r.status, 202);
    const { command } = json<{ command: { id: string; state: string } }>(r.body);
    const done = await commandDone(command.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.equal(done.actor, 'editor-user');
    assert.ok(done.progress.length >= 3, 'progress was reported');
    const sim = await fleet.simState(MIDRC.hostname);
    assert.equal(sim.services.fence.restartedAt, done.target.restartedAt);
  });

  it('an Editor scales with a JSON body; a bad body comes back as the control service said', async () => {
    const r = await call({ path: `commons/${ID}/services/indexd/scale`, method: 'POST', role: 'Editor', body: { replicas: 3 } });
    assert.equal(r.status, 202);
    assert.equal((await commandDone(json<{ command: { id: string } }>(r.body).command.id)).state, 'succeeded');
    const bad = await call({ path: `commons/${ID}/services/indexd/scale`, method: 'POST', role: 'Editor', body: { replicas: '3' } });
    assert.equal(bad.status, 422);
    assert.deepEqual(json<Problem>(bad.body).errors?.map((e) => e.field), ['body.replicas']);
  });

  it('the audit log shows the Grafana logins, with role and outcome', async () => {
    const r = await call({ path: 'audit?limit=50', role: 'Admin' });
    assert.equal(r.status, 200);
    const items = json<{ items: (AuditEntry & { result: string })[] }>(r.body).items;
    const restart = items.find((e) => e.action === 'service.restart' && e.outcome === 'accepted');
    assert.equal(restart?.actor, 'editor-user');
    assert.equal(restart?.actorKind, 'grafana');
    assert.equal(restart?.role, 'operator');
    assert.equal(restart?.result, 'succeeded');
    const denied = items.find((e) => e.action === 'service.restart' && e.outcome === 'denied');
    assert.equal(denied?.actor, 'viewer-user');
    assert.equal(denied?.role, 'viewer');
  });

  it('a call with no user gets 401 and reaches nothing', async () => {
    for (const path of ['commons', 'whoami', 'no-such-route']) {
      const r = await call({ path, ctx: { user: null } });
      assert.equal(r.status, 401, path);
      assert.match(json<Problem>(r.body).detail, /no Grafana user/);
    }
    const r = await call({ path: `commons/${ID}/services/fence/restart`, method: 'POST', ctx: { user: null } });
    assert.equal(r.status, 401);
  });

  it('whoami gives the resolved role and what it allows, for the pages to hide controls', async () => {
    const expected: Record<string, string> = { Viewer: 'viewer', Editor: 'operator', Admin: 'admin' };
    for (const role of ['Viewer', 'Editor', 'Admin'] as const) {
      const w = json<{ user: { login: string; orgRole: string }; role: string; roleSource: string; permissions: string[] }>(
        (await call({ path: 'whoami', role })).body,
      );
      assert.equal(w.role, expected[role]);
      assert.equal(w.roleSource, 'org-role');
      assert.deepEqual(w.user, { login: `${role.toLowerCase()}-user`, name: `${role} User`, email: `${role.toLowerCase()}-user@example.org`, orgRole: role });
      assert.equal(w.permissions.includes('services:operate'), role !== 'Viewer');
      assert.equal(w.permissions.includes('agents:manage'), role === 'Admin');
    }
    const none = await call({ path: 'whoami', role: 'None' });
    assert.equal(none.status, 403);
  });

  it("the app's roleMapping overrides the defaults, and the control service enforces the result", async () => {
    const ctx = { jsonData: { roleMapping: { Editor: 'developer' } } };
    assert.equal(json<{ role: string }>((await call({ path: 'whoami', role: 'Editor', ctx })).body).role, 'developer');
    const r = await call({ path: `commons/${ID}/services/fence/restart`, method: 'POST', role: 'Editor', ctx });
    assert.equal(r.status, 403);
    assert.match(json<Problem>(r.body).detail, /role developer/);
    const viewerNone = await call({ path: 'commons', role: 'Viewer', ctx: { jsonData: { roleMapping: { Viewer: 'none' } } } });
    assert.equal(viewerNone.status, 403);
  });

  it('passes query strings, and answers the other routes the pages use', async () => {
    const cmds = await call({ path: `commands?commons=${ID}&limit=1`, role: 'Editor' });
    assert.equal(cmds.status, 200);
    assert.equal(json<{ items: CommandView[] }>(cmds.body).items.length, 1);
    const revisions = await call({ path: `commons/${ID}/config/revisions`, role: 'Editor' });
    assert.equal(revisions.status, 200);
    assert.equal((await call({ path: 'agents', role: 'Viewer' })).status, 200);
    const token = await call({ path: 'enrollment-tokens', method: 'POST', role: 'Admin', body: { description: 'from the app' } });
    assert.equal(token.status, 201);
    assert.match(json<{ token: string }>(token.body).token, /\S{20,}/);
    const gone = await call({ path: 'agents/00000000-0000-4000-8000-000000000000', method: 'DELETE', role: 'Admin' });
    assert.equal(gone.status, 404);
    assert.match(contentType(gone), /^application\/problem\+json/);
    assert.equal((await call({ path: 'enrollment-tokens', method: 'POST', role: 'Editor', body: {} })).status, 403);
  });

  it('a config change through PUT commons/{id}/config', async () => {
    const detail = json<CommonsDetail>((await call({ path: `commons/${ID}`, role: 'Editor' })).body);
    const r = await call({
      path: `commons/${ID}/config`,
      method: 'PUT',
      role: 'Editor',
      body: { data: { ...detail.config.data, 'dcoc-test': 'yes' }, baseRevision: detail.config.revision, reason: 'test through the plugin' },
    });
    assert.equal(r.status, 202);
    assert.equal((await commandDone(json<{ command: { id: string } }>(r.body).command.id)).state, 'succeeded');
    const stale = await call({ path: `commons/${ID}/config`, method: 'PUT', role: 'Editor', body: { data: detail.config.data, baseRevision: detail.config.revision, reason: 'stale' } });
    assert.equal(stale.status, 409);
  });

  it('forwards the deployment routes: releases, templates, profiles, plan, lists with their query, revisions, rollback, cancel', async () => {
    const releases = await call({ path: 'releases', role: 'Editor' });
    assert.equal(releases.status, 200);
    assert.ok(json<{ items: ReleaseView[] }>(releases.body).items.some((r) => r.version === '2026.07'));
    const release = await call({ path: 'releases/2026.07', role: 'Editor' });
    assert.equal(release.status, 200);
    assert.equal(json<ReleaseView>(release.body).images.fence, 'quay.io/cdis/fence:2026.07');
    assert.equal((await call({ path: 'releases', role: 'Viewer' })).status, 403, 'releases need the developer role');
    const templates = json<{ items: TemplateView[] }>((await call({ path: 'templates', role: 'Editor' })).body).items;
    assert.deepEqual(templates.map((t) => t.name), ['gen3-default', 'gen3-explorer', 'gen3-full']);
    const profiles = json<{ items: ProfileView[] }>((await call({ path: 'profiles', role: 'Editor' })).body).items;
    assert.deepEqual(profiles.map((p) => p.name), ['dev', 'production', 'small']);

    const body = { commons: ID, template: 'gen3-explorer', profile: 'production', release: '2026.07', mode: 'plan' };
    const plan = await call({ path: 'deployments', method: 'POST', role: 'Editor', body });
    assert.equal(plan.status, 200, plan.body.toString());
    const p = json<DeploymentPlan>(plan.body);
    assert.equal(p.commons.id, ID);
    assert.ok(p.diff.text.includes('-    tag: "2026.06"\n+    tag: "2026.07"\n'), p.diff.text);
    const bad = await call({ path: 'deployments', method: 'POST', role: 'Editor', body: { ...body, release: '26.7' } });
    assert.equal(bad.status, 422);
    assert.match(contentType(bad), /^application\/problem\+json/);
    assert.deepEqual(json<Problem>(bad.body).errors?.map((e) => e.field), ['body.release']);
    const viewerPlan = await call({ path: 'deployments', method: 'POST', role: 'Viewer', body });
    assert.equal(viewerPlan.status, 403);
    assert.match(json<Problem>(viewerPlan.body).detail, /deployments:write needs operator/);

    const list = await call({ path: `deployments?commons=${ID}&limit=5`, role: 'Editor' });
    assert.equal(list.status, 200);
    assert.deepEqual(json<{ items: DeploymentView[] }>(list.body).items, []);
    const badQuery = await call({ path: 'deployments?limit=0', role: 'Editor' });
    assert.equal(badQuery.status, 422, 'the query string reaches the control service');
    assert.deepEqual(json<Problem>(badQuery.body).errors?.map((e) => e.field), ['query.limit']);
    const missing = '00000000-0000-4000-8000-000000000000';
    assert.equal((await call({ path: `deployments/${missing}`, role: 'Editor' })).status, 404);
    assert.equal((await call({ path: `deployments/${missing}/cancel`, method: 'POST', role: 'Editor' })).status, 404);

    const revisions = await call({ path: `commons/${ID}/revisions`, role: 'Editor' });
    assert.equal(revisions.status, 200);
    assert.deepEqual(json<{ items: RevisionSummary[] }>(revisions.body).items, []);
    assert.equal((await call({ path: `commons/${ID}/revisions/1`, role: 'Editor' })).status, 404);
    const rollback = await call({ path: `commons/${ID}/rollback`, method: 'POST', role: 'Editor', body: { toRevision: 1, reason: 'from the app' } });
    assert.equal(rollback.status, 422);
    assert.deepEqual(json<Problem>(rollback.body).errors?.map((e) => e.field), ['body.toRevision']);
    assert.equal((await call({ path: `commons/${ID}/rollback`, method: 'POST', role: 'Viewer', body: { toRevision: 1, reason: 'x' } })).status, 403);
  });

  it('forwards running a CronJob and removing a commons', async () => {
    // A CronJob gen3-helm renders with its default values (42cc46bc, helm/fence/templates/fence-delete-expired-clients-cron.yaml).
    const jobs = await call({ path: `commons/${ID}/jobs`, role: 'Viewer' });
    assert.equal(jobs.status, 200);
    assert.ok(json<{ items: { name: string }[] }>(jobs.body).items.some((j) => j.name === 'fence-delete-expired-clients'));
    const run = await call({ path: `commons/${ID}/jobs/fence-delete-expired-clients/run`, method: 'POST', role: 'Editor' });
    assert.equal(run.status, 202);
    const { command } = json<{ command: { id: string; kind: string } }>(run.body);
    assert.equal(command.kind, 'run-job');
    assert.equal((await commandDone(command.id)).state, 'succeeded');
    assert.equal((await call({ path: `commons/${ID}/jobs/fence-delete-expired-clients/run`, method: 'POST', role: 'Viewer' })).status, 403);
    assert.equal((await call({ path: `commons/${ID}`, method: 'DELETE', role: 'Editor' })).status, 403, 'removing a commons needs admin');
    const still = await call({ path: `commons/${ID}`, method: 'DELETE', role: 'Admin' });
    assert.equal(still.status, 409, 'a commons whose agent is not revoked stays');
    assert.match(json<Problem>(still.body).detail, /revoke it first/);
  });

  it('only known paths and methods are forwarded (no open proxy)', async () => {
    for (const path of ['tokens', 'commons/../tokens', `commons/${ID}/services`, 'events', 'metrics', '../healthz']) {
      const r = await call({ path, role: 'Admin' });
      assert.equal(r.status, 404, path);
    }
    const wrong = await call({ path: 'commons', method: 'DELETE', role: 'Admin' });
    assert.equal(wrong.status, 405);
    assert.deepEqual(wrong.headers.Allow, ['GET']);
    const put = await call({ path: 'deployments', method: 'PUT', role: 'Admin', body: {} });
    assert.equal(put.status, 405);
    assert.deepEqual(put.headers.Allow, ['GET, POST']);
  });
});

describe('errors that say what to fix', () => {
  it('the control service down: 502 naming the URL and the cause', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await call({ path: 'commons', ctx: { controlUrl: url } });
    assert.equal(r.status, 502);
    assert.equal(json<Problem>(r.body).detail, `cannot reach the control service at ${url}: ECONNREFUSED; check controlUrl and that dcoc-control is running`);
  });

  it('a wrong secret: 502 (not 401, which Grafana would take for an expired session) saying which secrets must match', async () => {
    const r = await call({ path: 'commons', ctx: { secret: 'not-the-secret-0123456789abcdef' } });
    assert.equal(r.status, 502);
    assert.match(
      json<Problem>(r.body).detail,
      /^the control service refused the shared secret; set the same secret in DCOC_PLUGIN_SECRET and the DCOC app's controlSecret \(control service: assertion signature does not verify\)$/,
    );
  });

  it('an unconfigured app: 503 saying which setting is missing', async () => {
    const r = await call({ path: 'commons', ctx: { controlUrl: '' } });
    assert.equal(r.status, 503);
    assert.match(json<Problem>(r.body).detail, /control service URL is not set: set controlUrl/);
  });
});

describe('the role from Grafana RBAC (permission search with the service account)', () => {
  const rbac = (subject: string, opts: { forge?: boolean } = {}) => ({
    ctx: { grafanaConfig: grafana.grafanaConfig() },
    headers: { 'X-Grafana-Id': [grafana.idToken(subject, opts)] },
  });

  it('an org Viewer granted the DCOC operator role restarts; Grafana was asked with the SA token for that user', async () => {
    grafana.permissions.set('user:42', OPERATOR_ACTIONS);
    const before = grafana.searches.length;
    const who = json<{ role: string; roleSource: string; actions: string[] }>((await call({ path: 'whoami', role: 'Viewer', ...rbac('user:42') })).body);
    assert.equal(who.role, 'operator');
    assert.equal(who.roleSource, 'rbac');
    assert.deepEqual(who.actions, [...OPERATOR_ACTIONS].sort());
    const search = grafana.searches[before];
    assert.equal(search.authorization, `Bearer ${grafana.serviceAccountToken}`);
    assert.deepEqual(search.query, { namespacedId: 'user:42', actionPrefix: 'gen3-dcoc-app.' });

    const r = await call({ path: `commons/${ID}/services/fence/restart`, method: 'POST', role: 'Viewer', ...rbac('user:42') });
    assert.equal(r.status, 202);
    assert.equal((await commandDone(json<{ command: { id: string } }>(r.body).command.id)).actor, 'viewer-user');
    assert.equal(grafana.searches.length, before + 1, 'the answer was cached for the second call');
  });

  it('an org Admin holding only commons:read is a DCOC viewer and gets 403 on restart', async () => {
    grafana.permissions.set('user:7', ['gen3-dcoc-app.commons:read', 'gen3-dcoc-app.agents:manage']);
    const who = json<{ role: string }>((await call({ path: 'whoami', role: 'Admin', ...rbac('user:7') })).body);
    assert.equal(who.role, 'viewer', 'agents:manage without the actions below it does not make an admin');
    const r = await call({ path: `commons/${ID}/services/fence/restart`, method: 'POST', role: 'Admin', ...rbac('user:7') });
    assert.equal(r.status, 403);
    assert.match(json<Problem>(r.body).detail, /admin-user has role viewer/);
  });

  it('a user without any DCOC action is refused by the app itself', async () => {
    const r = await call({ path: 'commons', role: 'Admin', ...rbac('user:99') });
    assert.equal(r.status, 403);
    assert.match(json<Problem>(r.body).detail, /holds no DCOC role in Grafana/);
  });

  it('an ID token Grafana did not sign is refused with 401, before any search', async () => {
    const before = grafana.searches.length;
    const r = await call({ path: 'whoami', role: 'Admin', ...rbac('user:42', { forge: true }) });
    assert.equal(r.status, 401);
    assert.match(json<Problem>(r.body).detail, /signature does not verify/);
    assert.equal(grafana.searches.length, before);
  });

  // Installed from the zip without provisioning, the app's service account stays
  // disabled until the app is enabled, and Grafana refuses its token. Before the fix every page got 502.
  it('a service account token Grafana refuses (app not enabled yet): the org-role mapping applies, saying why', async () => {
    const refused = { grafanaConfig: { ...grafana.grafanaConfig(), GF_PLUGIN_APP_CLIENT_SECRET: 'glsa_disabled' } };
    const r = await call({ path: 'whoami', role: 'Editor', ctx: refused, headers: { 'X-Grafana-Id': [grafana.idToken('user:42')] } });
    assert.equal(r.status, 200, r.body.toString());
    const who = json<{ role: string; roleSource: string; rbacUnavailable?: string }>(r.body);
    assert.deepEqual([who.role, who.roleSource], ['operator', 'org-role']);
    assert.match(who.rbacUnavailable ?? '', /Grafana refused the app's service account token \(401\).*save the app's configuration page/);
    const page = await call({ path: 'commons', role: 'Viewer', ctx: refused, headers: { 'X-Grafana-Id': [grafana.idToken('user:42')] } });
    assert.equal(page.status, 200, 'pages work with the org role');
  });

  it('without an ID token (ID forwarding off) the org role applies', async () => {
    const who = json<{ role: string; roleSource: string }>((await call({ path: 'whoami', role: 'Editor', ctx: { grafanaConfig: grafana.grafanaConfig() } })).body);
    assert.deepEqual([who.role, who.roleSource], ['operator', 'org-role']);
  });
});

describe('secrets stay secret', () => {
  it('the plugin log never holds the shared secret, assertions, or Grafana tokens', () => {
    const log = host.stderr;
    assert.ok(log.length > 0);
    for (const secret of [PLUGIN_SECRET, grafana.serviceAccountToken, 'Bearer ', 'eyJ']) assert.ok(!log.includes(secret), `log contains ${secret.slice(0, 8)}…`);
  });
});
