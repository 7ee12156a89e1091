// Every query type of the data source, against the
// demo fleet (`npm start`'s three simulated commons), answers status 200 with
// frames Grafana's Go decoder accepts, holding what the control service knows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandView } from '../../contracts/api';
import type { WireDataResponse } from '../../plugin/sdk/wire';
import { eventually } from '../support/fleet';
import type { QueryInput } from '../support/grafana-host';
import { dsContext, type DcocContextOptions } from './support/contexts';
import { pluginFleet, TS_HOST } from './support/plugin-fleet';
import { actionsForRole } from '../../contracts/rbac';
import { FakeGrafana } from './support/fake-grafana';
import { assertGoDecodable, column, frameMeta } from './support/frames';

const MIDRC = 'data-midrc-org';
let restart: CommandView;
// Something for the commands, audit and events queries to show.
const rig = pluginFleet(TS_HOST, ['datasource'], { ready: async ({ fleet }) => (restart = await fleet.restartAndWait(MIDRC, 'fence')) });

async function query(json: Record<string, unknown>, ctx: Partial<DcocContextOptions> = {}, extra: Partial<QueryInput> = {}): Promise<WireDataResponse> {
  const res = await rig.datasource.queryData({
    pluginContext: dsContext({ role: 'Editor', controlUrl: rig.fleet.control.url, ...ctx }),
    queries: [{ refId: 'A', json, queryType: String(json.queryType ?? ''), ...extra }],
  });
  return res.responses.A;
}

/** The one frame of a successful answer, checked as Grafana's Go decoder would. */
async function frameOf(json: Record<string, unknown>, ctx: Partial<DcocContextOptions> = {}) {
  const r = await query(json, ctx);
  assert.equal(r.error, '', `no error for ${JSON.stringify(json)}`);
  assert.equal(r.status, 200);
  assert.equal(r.format, 'ARROW');
  assert.equal(r.frames.length, 1);
  const table = assertGoDecodable(r.frames[0], String(json.queryType));
  assert.equal(table.schema.metadata.get('refId'), 'A');
  assert.equal(table.schema.metadata.get('name'), json.queryType);
  return table;
}

describe('every query type answers 200 with frames the Go decoder accepts', () => {
  it('fleet: a table with one row per commons', async () => {
    const t = await frameOf({ queryType: 'fleet' });
    assert.equal(frameMeta(t).type, 'table');
    assert.deepEqual(column(t, 'commons'), rig.commons.map((c) => c.id));
    assert.deepEqual(column(t, 'environment'), rig.commons.map((c) => c.environment));
    assert.deepEqual(column(t, 'status'), ['healthy', 'healthy', 'healthy']);
    assert.deepEqual(column(t, 'agent_connected'), [true, true, true]);
    for (const seen of column(t, 'agent_last_seen')) assert.ok(Math.abs(Date.now() - (seen as number)) < 60_000);
    assert.deepEqual(column(t, 'services_total'), rig.commons.map((c) => c.services.total));
  });

  it('services: one row per service, filtered by commons and by service', async () => {
    const all = await frameOf({ queryType: 'services' });
    assert.equal(all.numRows, rig.commons.reduce((n, c) => n + c.services.total, 0));
    const midrc = await frameOf({ queryType: 'services', commons: MIDRC });
    assert.ok(midrc.numRows > 5);
    assert.ok(column(midrc, 'commons').every((c) => c === MIDRC));
    const fence = await frameOf({ queryType: 'services', commons: MIDRC, service: 'fence' });
    assert.deepEqual(column(fence, 'service'), ['fence']);
    assert.equal(column(fence, 'restarted_at')[0], Date.parse(String(restart.target.restartedAt)));
    assert.deepEqual(column(fence, 'ready_replicas'), column(fence, 'desired_replicas'));
    assert.equal(column(fence, 'health_http_status')[0], 200);
  });

  it('agents: one row per enrolled agent, with its heartbeat', async () => {
    const t = await frameOf({ queryType: 'agents' });
    assert.deepEqual([...column(t, 'commons')].sort(), rig.commons.map((c) => c.id).sort());
    assert.deepEqual(column(t, 'connected'), [true, true, true]);
    assert.deepEqual(column(t, 'revoked'), [false, false, false]);
  });

  it('commands: the history in the time range, with the restart', async () => {
    const t = await frameOf({ queryType: 'commands', commons: MIDRC });
    const i = column(t, 'command').indexOf(restart.id);
    assert.ok(i >= 0, 'the restart is listed');
    assert.equal(column(t, 'state')[i], 'succeeded');
    assert.equal(column(t, 'kind')[i], 'restart');
    assert.equal(column(t, 'actor')[i], 'token:test-operator');
    assert.equal(column(t, 'created_at')[i], Date.parse(restart.createdAt));
  });

  it('events: a log frame with the recent status changes and command progress', async () => {
    const t = await frameOf({ queryType: 'events' });
    assert.deepEqual(frameMeta(t), { type: 'log-lines', typeVersion: [0, 0], preferredVisualisationType: 'logs' });
    assert.deepEqual(t.fields.map((f) => f.name), ['timestamp', 'body', 'severity', 'id', 'labels']);
    const labels = column(t, 'labels') as Record<string, string>[];
    const bodies = column(t, 'body') as string[];
    for (const c of rig.commons) assert.ok(labels.some((l) => l.type === 'agent.connected' && l.commons === c.id), `${c.id} connected`);
    const progress = labels.map((l, i) => ({ l, body: bodies[i] })).filter(({ l }) => l.command === restart.id);
    assert.ok(progress.length >= 3, 'the restart reported its progress');
    assert.ok(progress.some(({ l, body }) => l.state === 'succeeded' && /restart fence on data-midrc-org: succeeded/.test(body)));
    const times = column(t, 'timestamp') as number[];
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    const one = await frameOf({ queryType: 'events', commons: MIDRC, service: 'fence' });
    assert.ok((column(one, 'labels') as Record<string, string>[]).every((l) => l.commons === MIDRC && l.service === 'fence'));
  });

  it('audit: a log frame naming who did what (operators only)', async () => {
    const t = await frameOf({ queryType: 'audit' });
    assert.equal(frameMeta(t).type, 'log-lines');
    const labels = column(t, 'labels') as Record<string, string>[];
    const i = labels.findIndex((l) => l.action === 'service.restart' && l.command === restart.id);
    assert.ok(i >= 0);
    assert.equal(labels[i].actor, 'token:test-operator');
    assert.equal(labels[i].outcome, 'accepted');
    assert.match(String(column(t, 'body')[i]), /^token:test-operator \[operator\] service\.restart data-midrc-org\/fence: accepted, now succeeded$/);

    const viewer = await query({ queryType: 'audit' }, { role: 'Viewer' });
    assert.equal(viewer.status, 403);
    assert.match(viewer.error, /role viewer; audit:read needs operator/);
    assert.equal(viewer.frames.length, 0);
  });

  it('health: a numeric-long frame, one row per commons, usable by alert rules', async () => {
    const t = await frameOf({ queryType: 'health' });
    assert.deepEqual(frameMeta(t), { type: 'numeric-long', typeVersion: [0, 1] });
    assert.deepEqual(
      t.fields.map((f) => [f.name, f.type.toString()]),
      [['commons', 'Utf8'], ['environment', 'Utf8'], ['services_down', 'Float64'], ['agent_silence_seconds', 'Float64'], ['commands_failed', 'Float64']],
    );
    assert.equal(t.numRows, 3);
    const commons = column(t, 'commons');
    for (const c of rig.commons) {
      const row = commons.indexOf(c.id);
      assert.ok(row >= 0, `a row for ${c.id}`);
      assert.equal(column(t, 'environment')[row], c.environment);
      assert.equal(column(t, 'services_down')[row], 0);
      const silence = column(t, 'agent_silence_seconds')[row] as number;
      assert.ok(silence >= 0 && silence < 10, `silence ${silence}`);
      assert.equal(column(t, 'commands_failed')[row], 0);
    }
  });

  it('health: one metric per query, as an alert rule asks, with distinct labels (commons, environment) per row', async () => {
    const t = await frameOf({ queryType: 'health', metric: 'services_down' });
    assert.deepEqual(t.fields.map((f) => f.name), ['commons', 'environment', 'services_down']);
    const labels = column(t, 'commons').map((c, i) => `${String(c)} ${String(column(t, 'environment')[i])}`);
    assert.equal(new Set(labels).size, 3, 'alert instances are told apart by their labels');
  });

  it('health: a service going down shows in services_down', async () => {
    const brh = rig.commons.find((c) => c.environment === 'brhprod')!;
    await rig.fleet.simFault(rig.fleet.agents.find((a) => a.spec.environment === 'brhprod')!.spec.hostname, 'fence', 'down');
    const down = await eventually(
      async () => {
        const t = await frameOf({ queryType: 'health', metric: 'services_down', commons: brh.id });
        assert.deepEqual(column(t, 'commons'), [brh.id]);
        const v = column(t, 'services_down')[0] as number;
        return v >= 1 && v;
      },
      { what: 'services_down to count fence', timeoutMs: 30_000 },
    );
    assert.equal(down, 1);
  });

  it('health for Grafana itself (no user, as alert rules run): the service identity reads command failures too', async () => {
    const t = await frameOf({ queryType: 'health', metric: 'commands_failed' }, { user: null });
    assert.deepEqual(column(t, 'commands_failed'), [0, 0, 0]);
    assert.equal(frameMeta(t).notices, undefined);
  });

  it('health for a Viewer: commands_failed is unknown (null) with a notice, not a made-up zero', async () => {
    const t = await frameOf({ queryType: 'health', metric: 'commands_failed' }, { role: 'Viewer' });
    assert.deepEqual(column(t, 'commands_failed'), [null, null, null]);
    const notices = frameMeta(t).notices as { severity: string; text: string }[];
    assert.match(notices[0].text, /commands_failed is empty for 3 of 3 commons: their command history needs events:read/);
  });
});

describe('query errors', () => {
  it('an unknown query type or a bad field is a 400 for that query alone', async () => {
    const res = await rig.datasource.queryData({
      pluginContext: dsContext({ role: 'Viewer', controlUrl: rig.fleet.control.url }),
      queries: [
        { refId: 'A', json: { queryType: 'nope' }, queryType: 'nope' },
        { refId: 'B', json: { queryType: 'fleet', commons: 'Not A Label' }, queryType: 'fleet' },
        { refId: 'C', json: { queryType: 'fleet' }, queryType: 'fleet' },
      ],
    });
    assert.equal(res.responses.A.status, 400);
    assert.match(res.responses.A.error, /queryType must be one of fleet, services, agents, health, events, audit, commands/);
    assert.equal(res.responses.B.status, 400);
    assert.match(res.responses.B.error, /invalid commons/);
    assert.equal(res.responses.C.status, 200);
  });

  it('a data source without a secret says what to set', async () => {
    const res = await rig.datasource.queryData({
      pluginContext: dsContext({ role: 'Viewer', controlUrl: rig.fleet.control.url, secret: '' }),
      queries: [{ refId: 'A', json: { queryType: 'fleet' }, queryType: 'fleet' }],
    });
    assert.match(res.responses.A.error, /controlSecret is not set/);
  });
});

// With its own service account (plugin.json `iam`), the data source resolves roles from Grafana RBAC as the app does.
describe('the role from Grafana RBAC in the data source', () => {
  it('an org Viewer granted the DCOC operator role reads the audit log; without the grant, 403', async () => {
    const grafana = await FakeGrafana.start();
    try {
      grafana.permissions.set('user:42', [...actionsForRole('operator')]);
      grafana.permissions.set('user:43', ['gen3-dcoc-app.commons:read']);
      const ask = (subject: string) =>
        rig.datasource
          .queryData({
            pluginContext: dsContext({ role: 'Viewer', controlUrl: rig.fleet.control.url, grafanaConfig: grafana.grafanaConfig() }),
            queries: [{ refId: 'A', json: { queryType: 'audit' }, queryType: 'audit' }],
            headers: { 'http_X-Grafana-Id': grafana.idToken(subject) },
          })
          .then((r) => r.responses.A);
      const granted = await ask('user:42');
      assert.equal(granted.status, 200, granted.error);
      const viewer = await ask('user:43');
      assert.equal(viewer.status, 403);
      assert.match(viewer.error, /has role viewer; audit:read needs operator/);
      assert.ok(grafana.searches.every((s) => s.authorization === `Bearer ${grafana.serviceAccountToken}`), 'asked with the data source\'s service account');
    } finally {
      await grafana.close();
    }
  });
});
