// Deployments through the API against simulated commons: plan changes nothing, apply rolls every service with
// per-service progress on /api/v1/events, rollback is a new revision, bad
// input is refused naming the field; plus a new commons whose rollout waits
// for its agent, cancel, conflicts and permissions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type {
  AuditEntry,
  CommandView,
  CommonsDetail,
  CommonsSummary,
  DeploymentPlan,
  DeploymentView,
  Problem,
  ReleaseView,
  RevisionDetail,
  RevisionSummary,
  ServiceProgress,
} from '../../contracts/api';
import { type CommonsSpec, DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { simState, subscribe, waitDeployment } from './support';

const MIDRC = DEMO_COMMONS[1]; // medium, 2026.06: the gen3-explorer services
const ID = 'data-midrc-org';
const NEW: CommonsSpec = { hostname: 'data.newcommons.org', environment: 'newprod', name: 'New Commons', release: '2026.06', size: 'small' };
const NEW_ID = 'data-newcommons-org';

const tagOf = (image: string) => image.slice(image.lastIndexOf(':') + 1);
const chartOf = (service: string) => (service === 'presigned-url-fence' ? 'fence' : service);

describe('deployments', () => {
  let fleet: TestFleet;
  let operator: string;
  let developer: string;
  let viewer: string;
  let releases: Map<string, ReleaseView>;

  const post = <T>(path: string, body: unknown, token = operator) => fleet.api<T>(token, 'POST', path, body);
  const get = <T>(path: string, token = operator) => fleet.api<T>(token, 'GET', path);
  const accepted = async () => (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=1000')).body.items.filter((e) => e.outcome === 'accepted');
  const commandCount = async () => (await fleet.admin<{ items: CommandView[] }>('GET', '/api/v1/commands?limit=1000')).body.items.length;

  before(async () => {
    fleet = await TestFleet.start({ commons: [MIDRC] });
    [operator, developer, viewer] = await Promise.all([fleet.tokenFor('operator'), fleet.tokenFor('developer'), fleet.tokenFor('viewer')]);
    await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
    releases = new Map((await get<{ items: ReleaseView[] }>('/api/v1/releases')).body.items.map((r) => [r.version, r]));
  });
  after(() => fleet.stop());

  it('lists the built-in releases, templates and profiles', async () => {
    assert.deepEqual([...releases.keys()].sort(), ['2025.09', '2025.10', '2025.11', '2025.12', '2026.01', '2026.02', '2026.03', '2026.04', '2026.05', '2026.06', '2026.07', '2026.08']);
    assert.equal(releases.get('2026.07')!.name, 'Hambergite');
    assert.equal(releases.get('2025.09')!.name, 'Danburite');
    assert.equal(releases.get('2026.07')!.images.revproxy, 'quay.io/cdis/nginx:2026.07');
    assert.equal(releases.get('2026.07')!.images.ambassador, 'quay.io/datawire/ambassador:1.4.2');
    const templates = (await get<{ items: { name: string }[] }>('/api/v1/templates', developer)).body.items.map((t) => t.name);
    assert.deepEqual(templates, ['gen3-default', 'gen3-explorer', 'gen3-full']);
    const profiles = (await get<{ items: { name: string; services: Record<string, { autoscaling: { min: number; max: number } | null }> }[] }>('/api/v1/profiles', developer)).body.items;
    assert.deepEqual(profiles.map((p) => p.name), ['dev', 'production', 'small']);
    assert.deepEqual(profiles.find((p) => p.name === 'production')!.services.fence.autoscaling, { min: 5, max: 15, averageCPUValue: '500m' });
    assert.equal((await get('/api/v1/releases', viewer)).status, 403);
  });

  it('a plan for a new commons returns the rendered values and a diff, and changes nothing', async () => {
    const before0 = { audit: (await accepted()).length, commands: await commandCount(), commons: (await get<{ items: CommonsSummary[] }>('/api/v1/commons')).body.items.map((c) => c.id) };
    const r = await post<DeploymentPlan>('/api/v1/deployments', {
      newCommons: { hostname: NEW.hostname, environment: NEW.environment, name: NEW.name },
      template: 'gen3-default',
      profile: 'dev',
      release: '2026.07',
      mode: 'plan',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const plan = r.body;
    assert.equal(plan.mode, 'plan');
    assert.deepEqual(plan.commons, { id: NEW_ID, hostname: NEW.hostname, environment: NEW.environment, exists: false, agentConnected: false });
    assert.deepEqual(plan.base, { source: 'none', revision: null });
    assert.equal(plan.nextRevision, 1);
    const v = plan.values as Record<string, Record<string, unknown>>;
    assert.equal(v.global.hostname, NEW.hostname);
    assert.equal(v.global.environment, NEW.environment);
    assert.equal(v.global.dev, true);
    assert.deepEqual(v.fence, { enabled: true, replicaCount: 1, image: { repository: 'quay.io/cdis/fence', tag: '2026.07' }, autoscaling: { enabled: false } });
    assert.deepEqual(v.revproxy.image, { repository: 'quay.io/cdis/nginx', tag: '2026.07' });
    assert.deepEqual(v.guppy, { enabled: false });
    assert.deepEqual(parseYaml(plan.valuesYaml), plan.values);
    assert.match(plan.diff.text, /^--- \/dev\/null\n\+\+\+ b\/data\.newcommons\.org\/values\/values\.yaml\n@@ -0,0 \+1,\d+ @@\n/);
    assert.ok(plan.diff.text.includes('+  hostname: data.newcommons.org\n'));
    assert.ok(plan.diff.changes.length > 40 && plan.diff.changes.every((c) => c.op === 'add'));
    assert.ok(plan.diff.changes.some((c) => c.path === 'fence.image.tag' && c.to === '2026.07'));
    assert.ok(plan.services.some((s) => s.name === 'presigned-url-fence' && s.to === 'quay.io/cdis/fence:2026.07' && s.from === null && s.changes));
    assert.ok(plan.warnings.some((w) => /new commons with no agent/.test(w)), plan.warnings.join('\n'));
    assert.ok(!plan.warnings.some((w) => /global\.postgres\.master\.host/.test(w)), 'dev: in-cluster databases need no host');
    assert.deepEqual(plan.gitops, { enabled: false, path: null });

    // Nothing changed: no commons, revision, deployment, command or accepted audit entry.
    assert.deepEqual((await get<{ items: CommonsSummary[] }>('/api/v1/commons')).body.items.map((c) => c.id), before0.commons);
    assert.equal((await get(`/api/v1/commons/${NEW_ID}`)).status, 404);
    assert.equal((await get(`/api/v1/commons/${NEW_ID}/revisions`)).status, 404);
    assert.deepEqual((await get<{ items: DeploymentView[] }>('/api/v1/deployments')).body.items, []);
    assert.equal(await commandCount(), before0.commands);
    assert.equal((await accepted()).length, before0.audit);
  });

  it('a plan for a running commons diffs against what its agent reports, and changes nothing either', async () => {
    const plan = (await post<DeploymentPlan>('/api/v1/deployments', { commons: ID, template: 'gen3-explorer', profile: 'production', release: '2026.07', mode: 'plan' })).body;
    assert.deepEqual(plan.base, { source: 'observed', revision: null });
    assert.ok(plan.diff.changes.some((c) => c.path === 'fence.image.tag' && c.op === 'change' && c.from === '2026.06' && c.to === '2026.07'));
    assert.ok(plan.diff.text.includes('-    tag: "2026.06"\n+    tag: "2026.07"\n'), plan.diff.text);
    const fence = plan.services.find((s) => s.name === 'fence')!;
    assert.deepEqual([fence.from, fence.to, fence.changes], ['quay.io/cdis/fence:2026.06', 'quay.io/cdis/fence:2026.07', true]);
    assert.equal(plan.services.find((s) => s.name === 'ambassador')!.changes, false);
    assert.equal((await get<{ items: RevisionSummary[] }>(`/api/v1/commons/${ID}/revisions`)).body.items.length, 0);
    const sim = await simState(fleet, MIDRC.hostname);
    assert.equal(sim.services.fence.image, 'quay.io/cdis/fence:2026.06');
  });

  it('invalid input is refused with the field at fault, and nothing is recorded', async () => {
    const before0 = { audit: (await accepted()).length, commands: await commandCount() };
    const refused = async (body: Record<string, unknown>, field: string, message?: RegExp) => {
      const r = await post<Problem>('/api/v1/deployments', { mode: 'plan', release: '2026.07', ...body });
      assert.equal(r.status, 422, JSON.stringify(r.body));
      const e = r.body.errors?.find((x) => x.field === field);
      assert.ok(e, `errors name ${field}: ${JSON.stringify(r.body.errors)}`);
      if (message) assert.match(e.message, message);
    };
    const existing = { commons: ID, template: 'gen3-explorer', profile: 'production' };
    // Unknown service.
    await refused({ ...existing, overrides: { notaservice: { replicaCount: 2 } } }, 'body.overrides.notaservice', /unknown service notaservice/);
    // Release missing an image for an enabled service (an imported release without guppy): not refused, gen3-helm's own image runs.
    const partial = { versions: Object.fromEntries(Object.entries(releases.get('2026.07')!.images).filter(([k]) => k !== 'guppy').map(([k, img]) => [k, img.replace(':2026.07', ':2026.10')])) };
    const imp = await post<{ release: ReleaseView }>('/api/v1/releases', { version: '2026.10', format: 'manifest', content: JSON.stringify(partial) });
    assert.equal(imp.status, 201, JSON.stringify(imp.body));
    const noGuppy = await post<DeploymentPlan>('/api/v1/deployments', { mode: 'plan', ...existing, release: '2026.10' });
    assert.equal(noGuppy.status, 200, JSON.stringify(noGuppy.body));
    assert.equal((noGuppy.body.values.guppy as { image?: unknown }).image, undefined);
    // Hostname not a DNS name.
    await refused({ newCommons: { hostname: 'Not_A..Host', environment: 'x' }, template: 'gen3-default', profile: 'dev' }, 'body.newCommons.hostname', /DNS name/);
    // Replica counts above the profile's bound, from overrides and from the HPA range.
    await refused({ ...existing, overrides: { fence: { replicaCount: 16 } } }, 'body.overrides.fence.replicaCount', /above profile production's bound of 15/);
    await refused({ ...existing, overrides: { indexd: { autoscaling: { maxReplicas: 30 } } } }, 'body.overrides.indexd.autoscaling.maxReplicas', /bound of 20/);
    await refused({ ...existing, profile: 'dev', overrides: { sheepdog: { replicaCount: 3 } } }, 'body.overrides.sheepdog.replicaCount', /bound of 2/);
    // And the rest of the request.
    await refused({ ...existing, template: 'gen3-huge' }, 'body.template', /known: gen3-default/);
    await refused({ ...existing, profile: 'xl' }, 'body.profile');
    await refused({ ...existing, release: '2031.01' }, 'body.release', /unknown release/);
    await refused({ ...existing, release: '26.7' }, 'body.release');
    await refused({ template: 'gen3-default', profile: 'dev' }, 'body.commons');
    await refused({ ...existing, mode: 'apply' }, 'body.reason');
    await refused({ ...existing, overrides: { global: { hostname: 'evil.example.org' } } }, 'body.overrides.global.hostname');
    await refused({ ...existing, dryRun: true }, 'body.dryRun');
    // Credentials: values are kept in revisions, shown in diffs and committed to GitOps.
    const withSecret = { ...existing, mode: 'apply', reason: 'db', overrides: { global: { postgres: { master: { host: 'aurora.example.org', password: 'hunter2' } } } } };
    await refused(withSecret, 'body.overrides.global.postgres.master.password', /credentials do not belong in values/);
    assert.doesNotMatch(JSON.stringify((await post<Problem>('/api/v1/deployments', withSecret)).body), /hunter2/);
    await refused({ commons: ID, profile: 'production' }, 'body.template', /data-midrc-org has no revision to take the template from/);
    assert.equal((await post<Problem>('/api/v1/deployments', { commons: 'no-such-commons', release: '2026.07', mode: 'plan' })).status, 404);
    // Several faults at once are all named.
    const many = await post<Problem>('/api/v1/deployments', { ...existing, mode: 'plan', release: '2026.07', overrides: { fence: { replicaCount: 99 }, sheepdog: { image: { tag: 'has space' } } } });
    assert.deepEqual(many.body.errors?.map((e) => e.field).sort(), ['body.overrides.fence.replicaCount', 'body.overrides.sheepdog.image']);
    assert.equal((await get<{ items: RevisionSummary[] }>(`/api/v1/commons/${ID}/revisions`)).body.items.length, 0);
    assert.equal(await commandCount(), before0.commands);
    // The release import is the one accepted change.
    assert.deepEqual((await accepted()).slice(0, (await accepted()).length - before0.audit).map((e) => e.action), ['release.import']);
  });

  it('reading needs developer, planning and applying need operator; refusals are audited', async () => {
    const body = { commons: ID, template: 'gen3-explorer', profile: 'production', release: '2026.07', mode: 'apply', reason: 'upgrade' };
    const denied = await post<Problem>('/api/v1/deployments', body, developer);
    assert.equal(denied.status, 403);
    assert.match(denied.body.detail, /deployments:write needs operator/);
    assert.equal((await post('/api/v1/deployments', { ...body, mode: 'plan' }, viewer)).status, 403);
    assert.equal((await get('/api/v1/deployments', developer)).status, 200);
    assert.equal((await get('/api/v1/deployments', viewer)).status, 403);
    const audit = (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=1000')).body.items;
    assert.ok(audit.some((e) => e.outcome === 'denied' && e.action === 'deployment.apply' && e.actor === 'token:test-developer' && e.commons === ID));
  });

  let rev1: RevisionDetail;

  it('apply to a simulated commons: per-service progress events, succeeded, the new release on every service', async () => {
    assert.equal((await get<CommonsDetail>(`/api/v1/commons/${ID}`)).body.agent.deployMethod, 'simulated');
    const sse = await subscribe(fleet, developer, `?commons=${ID}`);
    try {
      const r = await post<{ deployment: DeploymentView }>('/api/v1/deployments', {
        commons: ID,
        template: 'gen3-explorer',
        profile: 'production',
        release: '2026.07',
        mode: 'apply',
        reason: 'monthly upgrade to 2026.07',
        baseRevision: null,
      });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      const id = r.body.deployment.id;
      assert.equal(r.body.deployment.revision, 1);
      assert.equal(r.body.deployment.gitops.state, 'disabled');
      const done = await waitDeployment(fleet, operator, id);
      assert.equal(done.state, 'succeeded', done.message);
      assert.equal(done.percent, 100);
      const release = releases.get('2026.07')!;
      // Every service the release names an image for (ambassador's is pinned, so unchanged); metadata, audit and
      // requestor are in no monthly release manifest (cdis-manifest releases/2025/09/manifest.json): no target for them.
      const running = (await get<CommonsDetail>(`/api/v1/commons/${ID}`)).body.services;
      const changed = running.filter((s) => chartOf(s.name) !== 'ambassador' && release.images[chartOf(s.name)]).map((s) => s.name);
      assert.deepEqual(running.filter((s) => !release.images[chartOf(s.name)]).map((s) => s.name).sort(), ['audit', 'metadata', 'requestor']);
      assert.deepEqual(done.services.map((s) => s.name).sort(), changed.sort());
      for (const s of done.services) {
        assert.equal(s.state, 'done', `${s.name}: ${s.message}`);
        assert.equal(s.from, `${release.images[chartOf(s.name)].replace(':2026.07', ':2026.06')}`);
        assert.equal(s.to, release.images[chartOf(s.name)]);
        assert.equal(s.updated, s.desired);
      }
      assert.ok(done.progress!.some((p) => p.state === 'running' && /rolling:/.test(p.message)), done.progress!.map((p) => p.message).join(' | '));

      // The events: per-service progress while rolling, then the final state, all for this deployment.
      const mine = await eventually(() => {
        const e = sse.events.filter((x) => x.type === 'deployment.updated' && x.data.deployment === id);
        return e.some((x) => x.data.state === 'succeeded') && e;
      }, { what: 'the succeeded event' });
      const servicesOf = (x: { data: Record<string, unknown> }) => x.data.services as ServiceProgress[];
      assert.ok(mine.some((x) => x.data.state === 'running' && servicesOf(x).some((s) => s.state === 'rolling' && s.updated < s.desired)), 'events show services mid-rollout');
      for (const name of changed) {
        const states = mine.map((x) => servicesOf(x).find((s) => s.name === name)?.state).filter(Boolean);
        assert.ok(states.includes('rolling') && states[states.length - 1] === 'done', `${name}: ${states.join(' → ')}`);
      }
      assert.ok(sse.events.some((x) => x.type === 'command.updated' && x.data.kind === 'deploy'));

      // The commons reports the new release, and each service the release names runs its image; the others keep theirs.
      const c = await eventually(async () => {
        const d = (await get<CommonsDetail>(`/api/v1/commons/${ID}`)).body;
        return d.version === '2026.07' && d.services.every((s) => (release.images[chartOf(s.name)] ? s.image === release.images[chartOf(s.name)] : s.version === '2026.06') && s.readyReplicas === s.desiredReplicas) && d;
      }, { what: 'the commons on 2026.07' });
      for (const s of c.services) assert.equal(s.version, release.images[chartOf(s.name)] ? tagOf(release.images[chartOf(s.name)]) : '2026.06', s.name);
      assert.equal(c.services.find((s) => s.name === 'sheepdog')!.desiredReplicas, 4, 'production sizes sheepdog at 4');
      const sim = await simState(fleet, MIDRC.hostname);
      assert.equal(sim.release, '2026.07');
      assert.equal(sim.services.ambassador.rollouts, 0, 'unchanged services are not touched');
      assert.equal(sim.services.metadata.rollouts, 0, 'a service the release has no image for is not touched');

      rev1 = (await get<RevisionDetail>(`/api/v1/commons/${ID}/revisions/1`, developer)).body;
      assert.equal(rev1.author, 'token:test-operator');
      assert.equal(rev1.reason, 'monthly upgrade to 2026.07');
      assert.deepEqual(rev1.base, { source: 'observed', revision: null });
      assert.equal(rev1.deployment.state, 'succeeded');
      assert.ok(rev1.diff.text.includes('+    tag: "2026.07"'));
      const audit = (await fleet.admin<{ items: AuditEntry[] }>('GET', `/api/v1/audit?commons=${ID}&action=deployment.apply`)).body.items.filter((e) => e.outcome === 'accepted');
      assert.equal(audit.length, 1);
      assert.equal(audit[0].detail.deployment, id);
    } finally {
      sse.close();
    }
  });

  it('rollback restores the previous revision values and release, as a new revision', async () => {
    // Revision 2: 2026.08; template, profile and overrides come from revision 1.
    const up = await post<{ deployment: DeploymentView }>('/api/v1/deployments', { commons: ID, release: '2026.08', mode: 'apply', reason: 'try 2026.08', baseRevision: 1 });
    assert.equal(up.status, 202, JSON.stringify(up.body));
    assert.equal((await waitDeployment(fleet, operator, up.body.deployment.id)).state, 'succeeded');
    const rev2 = (await get<RevisionDetail>(`/api/v1/commons/${ID}/revisions/2`)).body;
    assert.equal(rev2.release, '2026.08');
    assert.deepEqual([rev2.template, rev2.profile], ['gen3-explorer', 'production']);
    assert.deepEqual(rev2.diff.changes.map((c) => `${c.path}:${String(c.from)}→${String(c.to)}`).filter((x) => x.startsWith('fence')), ['fence.image.tag:2026.07→2026.08']);
    assert.equal((await get<CommonsDetail>(`/api/v1/commons/${ID}`)).body.version, '2026.08');

    const stale = await post<Problem>(`/api/v1/commons/${ID}/rollback`, { toRevision: 1, reason: 'stale', baseRevision: 1 });
    assert.equal(stale.status, 409);
    const rb = await post<{ deployment: DeploymentView }>(`/api/v1/commons/${ID}/rollback`, { toRevision: 1, reason: '2026.08 breaks the portal', baseRevision: 2 });
    assert.equal(rb.status, 202, JSON.stringify(rb.body));
    assert.deepEqual([rb.body.deployment.revision, rb.body.deployment.kind, rb.body.deployment.rollbackOf], [3, 'rollback', 1]);
    const done = await waitDeployment(fleet, operator, rb.body.deployment.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.ok(done.services.every((s) => s.from?.endsWith(':2026.08') && s.to.endsWith(':2026.07') && s.state === 'done'));

    const rev3 = (await get<RevisionDetail>(`/api/v1/commons/${ID}/revisions/3`)).body;
    assert.deepEqual(rev3.values, rev1.values);
    assert.deepEqual([rev3.release, rev3.kind, rev3.rollbackOf, rev3.base.revision], ['2026.07', 'rollback', 1, 2]);
    assert.ok(rev3.diff.changes.some((c) => c.path === 'fence.image.tag' && c.from === '2026.08' && c.to === '2026.07'));
    assert.ok(rev3.diff.text.includes('-    tag: "2026.08"\n+    tag: "2026.07"'));
    const list = (await get<{ items: RevisionSummary[] }>(`/api/v1/commons/${ID}/revisions`)).body.items;
    assert.deepEqual(list.map((r) => [r.revision, r.release, r.kind, r.deployment.state]), [
      [3, '2026.07', 'rollback', 'succeeded'],
      [2, '2026.08', 'deploy', 'succeeded'],
      [1, '2026.07', 'deploy', 'succeeded'],
    ]);
    const c = await eventually(async () => {
      const d = (await get<CommonsDetail>(`/api/v1/commons/${ID}`)).body;
      return d.version === '2026.07' && d.services.every((s) => !releases.get('2026.07')!.images[chartOf(s.name)] || s.image === releases.get('2026.07')!.images[chartOf(s.name)]) && d;
    }, { what: 'the commons back on 2026.07' });
    assert.equal(c.version, '2026.07');
    assert.equal((await post<Problem>(`/api/v1/commons/${ID}/rollback`, { toRevision: 9, reason: 'x' })).body.errors?.[0].field, 'body.toRevision');
  });

  it('a control service killed mid-rollout comes back to the same deployment, which finishes', async () => {
    const r = await post<{ deployment: DeploymentView }>('/api/v1/deployments', { commons: ID, release: '2026.08', mode: 'apply', reason: 'upgrade across a crash' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    await waitDeployment(fleet, operator, r.body.deployment.id, ['running']);
    fleet.control.child.kill('SIGKILL');
    await fleet.control.exited;
    await fleet.restartControl();
    const done = await waitDeployment(fleet, operator, r.body.deployment.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.equal(done.revision, 4);
    await eventually(async () => (await get<CommonsDetail>(`/api/v1/commons/${ID}`)).body.version === '2026.08', { what: 'the commons on 2026.08' });
  });

  it('a new commons: apply records revision 1 and waits for its agent, which then rolls it out; cancel and conflicts', async () => {
    const body = { newCommons: { hostname: NEW.hostname, environment: NEW.environment, name: NEW.name }, template: 'gen3-default', profile: 'dev', release: '2026.07', mode: 'apply', reason: 'stand up the new commons' };
    const first = await post<{ deployment: DeploymentView }>('/api/v1/deployments', body);
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const waiting = await waitDeployment(fleet, operator, first.body.deployment.id, ['waiting-for-agent']);
    assert.match(waiting.message, /waiting for an agent of data\.newcommons\.org: no agent has connected for it yet/);
    // gen3-default's 14 services less metadata and audit, which release 2026.07 has no image for (the chart's default runs; nothing to follow).
    assert.ok(waiting.services.length === 12 && waiting.services.every((s) => s.state === 'pending' && s.from === null), JSON.stringify(waiting.services));
    const listed = (await get<{ items: CommonsSummary[] }>('/api/v1/commons')).body.items.find((c) => c.id === NEW_ID)!;
    assert.deepEqual([listed.status, listed.agent.id, listed.agent.connected, listed.agent.deployMethod], ['unknown', null, false, null]);
    // One open deployment per commons; a second one for the same hostname is a conflict too.
    assert.equal((await post<Problem>('/api/v1/deployments', { ...body, newCommons: undefined, commons: NEW_ID })).status, 409);
    assert.equal((await post<Problem>('/api/v1/deployments', body)).status, 409);
    // Cancel it; the commons is free again.
    const cancelled = await post<{ deployment: DeploymentView }>(`/api/v1/deployments/${first.body.deployment.id}/cancel`, undefined);
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.deployment.state, 'cancelled');
    assert.equal((await post<Problem>(`/api/v1/deployments/${first.body.deployment.id}/cancel`, undefined)).status, 409);

    const second = await post<{ deployment: DeploymentView }>('/api/v1/deployments', { commons: NEW_ID, release: '2026.07', mode: 'apply', reason: 'again, agent on its way' });
    assert.equal(second.status, 202, JSON.stringify(second.body));
    assert.equal(second.body.deployment.revision, 2);
    await waitDeployment(fleet, operator, second.body.deployment.id, ['waiting-for-agent']);
    await fleet.addAgent(NEW);
    const done = await waitDeployment(fleet, operator, second.body.deployment.id);
    assert.equal(done.state, 'succeeded', done.message);
    const c = await eventually(async () => {
      const d = (await get<CommonsDetail>(`/api/v1/commons/${NEW_ID}`)).body;
      // metadata and audit have no image in the release, so no target: the simulated agent (images and replicas) leaves them as they are.
      const targeted = d.services.filter((s) => !['metadata', 'audit'].includes(s.name));
      return d.version === '2026.07' && d.services.length === 14 && targeted.every((s) => s.desiredReplicas === 1 && s.readyReplicas === 1) && d;
    }, { what: 'the new commons on 2026.07 with one replica each (dev) where the release names an image' });
    assert.equal(c.name, NEW.name);
    const sim = await simState(fleet, NEW.hostname);
    assert.equal(sim.services.fence.rollouts, 1, 'the cancelled deploy never reached the commons');
    const ds = (await get<{ items: DeploymentView[] }>(`/api/v1/deployments?commons=${NEW_ID}`, developer)).body.items;
    assert.deepEqual(ds.map((d) => [d.revision, d.state]), [
      [2, 'succeeded'],
      [1, 'cancelled'],
    ]);
  });
});
