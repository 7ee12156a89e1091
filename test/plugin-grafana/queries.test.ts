// QueryData for every query type of the data source, sent and decoded by
// Grafana's own client (go-plugin + grafana-plugin-sdk-go's FromProto and
// Arrow decoder), checked field by field against what the control service's
// API says: names, SDK types, nanosecond times, values, labels and config.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentView, AuditEntry, CommandView, CommonsDetail, CommonsSummary, KubeEventView, LogsView } from '../../contracts/api';
import { QUERY_TYPES } from '../../plugin/datasource/query-model';
import { STATUS_MAPPINGS } from '../../plugin/datasource/queries/context';
import { describeUnless, grafanaHostMissing, query, type DataResponse, type RenderedFrame } from '../support/go-grafana-host';
import { dsContext, type DcocContextOptions } from '../plugin-dcoc/support/contexts';
import { GO_CLIENT, pluginFleet } from '../plugin-dcoc/support/plugin-fleet';
import { bufferedControlEvents } from './support/control-events';
import { assertNearTime, assertRows, field, ns, rows, schemaOf, values } from './support/frames';

const MIDRC = 'data-midrc-org';
/** Heartbeats and health checks run every 500 ms: values the plugin read a moment before the test asked. */
const VOLATILE_MS = 5_000;
const nearTime = (iso: string | null) => (v: unknown, what: string) => assertNearTime(v, iso, VOLATILE_MS, what);

const missing = grafanaHostMissing('QueryData through Grafana’s plugin client');

describeUnless(missing, 'QueryData, decoded by grafana-plugin-sdk-go', () => {
  let restart: CommandView;
  // Something for the commands, audit and events queries to show.
  const rig = pluginFleet(GO_CLIENT, ['datasource'], { ready: async ({ fleet }) => (restart = await fleet.restartAndWait(MIDRC, 'fence')) });

  async function ask(json: Record<string, unknown>, ctx: Partial<DcocContextOptions> = {}): Promise<DataResponse> {
    const r = await rig.datasource.queryData({
      pluginContext: dsContext({ role: 'Admin', controlUrl: rig.fleet.control.url, ...ctx }),
      queries: [query({ refId: 'A', json })],
    });
    return r.A;
  }

  /** The items of a list the control service's API returns, read as the admin. */
  const items = async <T>(path: string): Promise<T[]> => (await rig.fleet.admin<{ items: T[] }>('GET', path)).body.items;

  /** The one frame of a successful answer, with what every frame of ours carries. */
  async function frameOf(json: Record<string, unknown>, ctx: Partial<DcocContextOptions> = {}): Promise<RenderedFrame> {
    const r = await ask(json, ctx);
    assert.equal(r.error, '', `no error for ${JSON.stringify(json)}`);
    assert.deepEqual([r.status, r.wireStatus, r.wireFormat], [200, 200, 'ARROW']);
    assert.equal(r.frames.length, 1);
    const f = r.frames[0];
    assert.equal(f.name, json.queryType);
    assert.equal(f.refId, 'A');
    return f;
  }

  /** A log-lines frame: its meta, and the fields Grafana's logs panel reads. */
  function assertLogLines(f: RenderedFrame): void {
    assert.deepEqual(f.meta, { type: 'log-lines', typeVersion: [0, 0], preferredVisualisationType: 'logs' });
    assert.deepEqual(schemaOf(f), [['timestamp', 'time'], ['body', 'string'], ['severity', 'string'], ['id', 'string'], ['labels', 'json']]);
  }

  it('fleet: one row per commons, every field as the API says', async () => {
    const f = await frameOf({ queryType: 'fleet' });
    const api = await items<CommonsSummary>('/api/v1/commons');
    assert.deepEqual(f.meta, { type: 'table', typeVersion: [0, 0], preferredVisualisationType: 'table' });
    assert.deepEqual(schemaOf(f), [
      ['commons', 'string'],
      ['name', 'string'],
      ['hostname', 'string'],
      ['environment', 'string'],
      ['status', 'string'],
      ['version', 'string'],
      ['agent_connected', 'bool'],
      ['agent_last_seen', 'nullable time'],
      ['agent_version', 'nullable string'],
      ['services_total', 'int64'],
      ['services_healthy', 'int64'],
      ['config_revision', 'int64'],
    ]);
    assertRows(f, api, (c) => ({
      what: c.id,
      exact: {
        commons: c.id,
        name: c.name,
        hostname: c.hostname,
        environment: c.environment,
        status: c.status,
        version: c.version,
        agent_connected: c.agent.connected,
        agent_version: c.agent.version,
        services_total: c.services.total,
        services_healthy: c.services.healthy,
        config_revision: c.config.revision,
      },
      volatile: { agent_last_seen: nearTime(c.agent.lastSeen) },
    }));
    // The SDK's FieldConfig carries the status colours through, as Grafana re-serialises them for the browser:
    // ValueMappingResult.Index is `json:"index,omitempty"` (sdk data/value_mapping.go), so index 0 is dropped.
    const sdkMappings = structuredClone(STATUS_MAPPINGS);
    delete (sdkMappings[0].options.healthy as { index?: number }).index;
    assert.deepEqual(field(f, 'status').config, { mappings: sdkMappings });
    // What the browser gets from Grafana (data.FrameToJSON): time values in epoch milliseconds.
    const seen = field(f, 'agent_last_seen').values[0] as string;
    const jsonFields = f.json.schema.fields as { name: string; type: string; typeInfo: { frame: string; nullable?: boolean } }[];
    assert.deepEqual(jsonFields[7], { name: 'agent_last_seen', type: 'time', typeInfo: { frame: 'time.Time', nullable: true } });
    assert.equal((f.json.data.values as unknown[][])[7][0], Number(BigInt(seen) / 1_000_000n));
  });

  it('services: one row per service of each commons, as the commons details say', async () => {
    const f = await frameOf({ queryType: 'services' });
    const details = await Promise.all(
      (await items<CommonsSummary>('/api/v1/commons')).map(
        async (c) => (await rig.fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${c.id}`)).body,
      ),
    );
    assert.deepEqual(schemaOf(f), [
      ['commons', 'string'],
      ['environment', 'string'],
      ['service', 'string'],
      ['status', 'string'],
      ['desired_replicas', 'int64'],
      ['ready_replicas', 'int64'],
      ['updated_replicas', 'int64'],
      ['image', 'string'],
      ['version', 'string'],
      ['reason', 'string'],
      ['restart_count', 'int64'],
      ['restarted_at', 'nullable time'],
      ['rollout', 'nullable string'],
      ['health_http_status', 'nullable int64'],
      ['health_latency', 'nullable float64'],
      ['health_checked_at', 'nullable time'],
    ]);
    assert.deepEqual(field(f, 'health_latency').config, { unit: 'ms' });
    const expected = details.flatMap((d) => d.services.map((s) => ({ d, s })));
    assertRows(f, expected, ({ d, s }) => ({
      what: `${d.id}/${s.name}`,
      exact: {
        commons: d.id,
        environment: d.environment,
        service: s.name,
        status: s.status,
        desired_replicas: s.desiredReplicas,
        ready_replicas: s.readyReplicas,
        updated_replicas: s.updatedReplicas,
        image: s.image,
        version: s.version,
        reason: s.reason,
        restart_count: s.restartCount,
        restarted_at: ns(s.restartedAt),
        rollout: s.rollout,
        health_http_status: s.health?.httpStatus ?? null,
      },
      volatile: {
        health_latency: (v, what) => assert.equal(typeof v, s.health ? 'number' : 'object', what),
        health_checked_at: nearTime(s.health?.checkedAt ?? null),
      },
    }));
    const fence = rows(f).find((r) => r.commons === MIDRC && r.service === 'fence')!;
    assert.equal(fence.restarted_at, ns(String(restart.target.restartedAt)), 'the restart shows, in nanoseconds');
  });

  it('agents: one row per enrolled agent, as GET /agents says', async () => {
    const f = await frameOf({ queryType: 'agents' });
    const api = await items<AgentView>('/api/v1/agents');
    assert.deepEqual(schemaOf(f), [
      ['agent', 'string'],
      ['commons', 'nullable string'],
      ['hostname', 'nullable string'],
      ['connected', 'bool'],
      ['last_seen', 'nullable time'],
      ['version', 'nullable string'],
      ['revoked', 'bool'],
      ['certificate_expires_at', 'nullable time'],
      ['enrolled_at', 'nullable time'],
    ]);
    assertRows(f, api, (a) => ({
      what: a.id,
      exact: {
        agent: a.id,
        commons: a.commons,
        hostname: a.hostname,
        connected: a.connected,
        version: a.version,
        revoked: a.revoked,
        certificate_expires_at: ns(a.certificateExpiresAt),
        enrolled_at: ns(a.enrolledAt),
      },
      volatile: { last_seen: nearTime(a.lastSeen) },
    }));
  });

  it('commands: the history in the time range, as GET /commands says', async () => {
    const f = await frameOf({ queryType: 'commands', commons: MIDRC });
    const api = await items<CommandView>(`/api/v1/commands?commons=${MIDRC}&limit=100`);
    assert.deepEqual(schemaOf(f), [
      ['created_at', 'time'],
      ['command', 'string'],
      ['commons', 'string'],
      ['service', 'nullable string'],
      ['kind', 'string'],
      ['state', 'string'],
      ['percent', 'float64'],
      ['message', 'string'],
      ['actor', 'string'],
      ['attempts', 'int64'],
      ['updated_at', 'time'],
      ['deadline', 'nullable time'],
    ]);
    assert.deepEqual(field(f, 'percent').config, { unit: 'percent', min: 0, max: 100 });
    assert.ok(api.some((c) => c.id === restart.id));
    assert.deepEqual(
      rows(f),
      api.map((c) => ({
        created_at: ns(c.createdAt),
        command: c.id,
        commons: c.commons,
        service: c.service,
        kind: c.kind,
        state: c.state,
        percent: c.percent,
        message: c.message,
        actor: c.actor,
        attempts: c.attempts,
        updated_at: ns(c.updatedAt),
        deadline: ns(c.deadline),
      })),
    );
  });

  it('health: a numeric-long frame, one row per commons: commons and environment, then a float64 per metric', async () => {
    const f = await frameOf({ queryType: 'health' });
    const api = await items<CommonsSummary>('/api/v1/commons');
    assert.deepEqual(f.meta, { type: 'numeric-long', typeVersion: [0, 1] });
    assert.deepEqual(schemaOf(f), [
      ['commons', 'string'],
      ['environment', 'string'],
      ['services_down', 'nullable float64'],
      ['agent_silence_seconds', 'nullable float64'],
      ['commands_failed', 'nullable float64'],
    ]);
    assert.equal(f.rows, api.length);
    for (const row of rows(f)) {
      const c = api.find((a) => a.id === row.commons)!;
      assert.ok(c, `${String(row.commons)} is a commons of GET /commons`);
      assert.equal(row.environment, c.environment);
      assert.equal(row.services_down, c.services.down, `${c.id} services_down`);
      assert.equal(row.commands_failed, 0, `${c.id} commands_failed`);
      const silence = row.agent_silence_seconds as number;
      assert.ok(silence >= 0 && silence < 10, `${c.id} agent_silence_seconds ${silence}`);
    }
    for (const x of f.fields.slice(2)) assert.equal(typeof x.config?.description, 'string');
    const one = await frameOf({ queryType: 'health', metric: 'services_down', commons: MIDRC });
    assert.deepEqual(schemaOf(one), [['commons', 'string'], ['environment', 'string'], ['services_down', 'nullable float64']]);
    assert.deepEqual(rows(one).map((r) => [r.commons, r.environment, typeof r.services_down]), [[MIDRC, 'midrcprod', 'number']]);
  });

  it('events: a log-lines frame matching the control service’s event buffer', async () => {
    const f = await frameOf({ queryType: 'events' });
    const buffered = new Map((await bufferedControlEvents(rig.fleet)).map((e) => [String(e.id), e]));
    assertLogLines(f);
    assert.ok(f.rows >= 6, `${f.rows} events`);
    for (const row of rows(f)) {
      const e = buffered.get(row.id as string);
      assert.ok(e, `event ${row.id} is in the control service's buffer`);
      assert.equal(row.timestamp, ns(e.at), `event ${e.id}: its time, in nanoseconds`);
      const labels = row.labels as Record<string, string>;
      assert.equal(labels.type, e.type);
      assert.equal(labels.commons, e.commons || undefined);
      if (e.command) assert.equal(labels.command, e.command);
    }
    const times = values(f, 'timestamp').map((t) => BigInt(t as string));
    assert.deepEqual(times, [...times].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)), 'newest first');
    const restartRows = rows(f).filter((r) => (r.labels as Record<string, string>).command === restart.id);
    assert.ok(restartRows.some((r) => (r.labels as Record<string, string>).state === 'succeeded' && /restart fence on data-midrc-org: succeeded/.test(r.body as string)));
  });

  it('audit: a log-lines frame matching GET /audit, and 403 for a viewer', async () => {
    const f = await frameOf({ queryType: 'audit' });
    const api = await items<AuditEntry & { result?: string }>('/api/v1/audit?limit=200');
    assertLogLines(f);
    const byId = new Map(api.map((e) => [String(e.id), e]));
    assert.ok(f.rows >= 1);
    for (const row of rows(f)) {
      const e = byId.get(row.id as string);
      assert.ok(e, `audit entry ${row.id} is in GET /audit`);
      assert.equal(row.timestamp, ns(e.at));
      const labels = row.labels as Record<string, string>;
      assert.deepEqual([labels.actor, labels.action, labels.outcome], [e.actor, e.action, e.outcome]);
    }
    const restartRow = rows(f).find((r) => (r.labels as Record<string, string>).command === restart.id)!;
    assert.equal(restartRow.body, 'token:test-operator [operator] service.restart data-midrc-org/fence: accepted, now succeeded');

    const viewer = await ask({ queryType: 'audit' }, { role: 'Viewer' });
    assert.deepEqual([viewer.status, viewer.errorSource, viewer.frames], [403, 'downstream', []]);
    assert.match(viewer.error, /role viewer; audit:read needs operator/);
  });

  // Grafana evaluates alert rules as its background user grafana_scheduler with
  // org role Admin (pkg/services/ngalert/schedule SchedulerUserFor) and the header FromAlert: true.
  it('an alert rule evaluation acts as grafana-alerting with the serviceRole, not as an Admin user', async () => {
    const scheduler = { user: { login: 'grafana_scheduler', name: '', email: '', role: 'Admin' } };
    const evaluate = (json: Record<string, unknown>, jsonData?: Record<string, unknown>) =>
      rig.datasource
        .queryData({ pluginContext: dsContext({ controlUrl: rig.fleet.control.url, ...scheduler, jsonData }), queries: [query({ refId: 'A', json })], headers: { FromAlert: 'true' } })
        .then((r) => r.A);
    const health = await evaluate({ queryType: 'health', metric: 'services_down' });
    assert.equal(health.status, 200, health.error);
    const audit = await evaluate({ queryType: 'audit' });
    assert.deepEqual([audit.status, audit.frames], [403, []], 'the default serviceRole (developer) cannot read the audit log');
    assert.match(audit.error, /grafana-alerting has role developer; audit:read needs operator/);
    const asOperator = await evaluate({ queryType: 'audit' }, { serviceRole: 'operator' });
    assert.equal(asOperator.status, 200, asOperator.error);

    // The same user without the alerting header is a person with org role Admin.
    const person = await ask({ queryType: 'audit' }, scheduler);
    assert.equal(person.status, 200, person.error);
    // And a request with no user at all is the Grafana server.
    const userless = await ask({ queryType: 'audit' }, { user: null });
    assert.match(userless.error, /grafana-server has role developer; audit:read needs operator/);
  });

  it("logs: a log-lines frame of every replica's lines, labelled with pod and container, as GET …/logs says; 403 for a viewer", async () => {
    const marker = `grafana-logs-query ${Date.now()}`;
    const written = await rig.fleet.simLog('data.midrc.org', 'indexd', `${marker} ERROR simulated failure`);
    const f = await frameOf({ queryType: 'logs', commons: MIDRC, service: 'indexd', filter: marker });
    assertLogLines(f);
    const api = (await rig.fleet.admin<LogsView>('GET', `/api/v1/commons/${MIDRC}/services/indexd/logs?filter=${encodeURIComponent(marker)}`)).body;
    assert.equal(f.rows, api.items.length);
    assert.deepEqual(rows(f).map((r) => (r.labels as Record<string, string>).pod).sort(), [...written.pods].sort(), 'one line from every replica');
    for (const row of rows(f)) {
      const labels = row.labels as Record<string, string>;
      const line = api.items.find((l) => l.pod === labels.pod)!;
      assert.equal(row.body, line.line);
      assert.equal(row.timestamp, ns(line.time!), 'the time the pod wrote it, in nanoseconds');
      assert.equal(row.severity, 'error', 'ERROR in the line is its level');
      assert.deepEqual([labels.container, labels.service, labels.commons], [line.container, 'indexd', MIDRC]);
    }
    const viewer = await ask({ queryType: 'logs', commons: MIDRC, service: 'indexd' }, { role: 'Viewer' });
    assert.deepEqual([viewer.status, viewer.frames], [403, []]);
    assert.match(viewer.error, /logs:read needs developer/);
  });

  it("kubernetesEvents: a log-lines frame of the namespace's events as GET …/kubernetes-events says, warnings at warning", async () => {
    // The simulated commons keeps recording events (a repeat bumps count and lastTime): the API is read before and after.
    const before = await items<KubeEventView>(`/api/v1/commons/${MIDRC}/kubernetes-events`);
    const f = await frameOf({ queryType: 'kubernetesEvents', commons: MIDRC });
    const api = [...before, ...(await items<KubeEventView>(`/api/v1/commons/${MIDRC}/kubernetes-events`))];
    assertLogLines(f);
    assert.ok(f.rows >= 1, `${f.rows} events`);
    for (const row of rows(f)) {
      const labels = row.labels as Record<string, string>;
      const e = api.find((x) => `${x.objectKind}/${x.objectName}` === labels.object && x.reason === labels.reason && ns((x.lastTime ?? x.firstTime)!) === row.timestamp);
      assert.ok(e, `${labels.object} ${labels.reason} at ${String(row.timestamp)} is one of the API's events`);
      assert.equal(row.severity, e.type === 'Warning' ? 'warning' : 'info');
      assert.equal(labels.service, e.service ?? undefined);
    }
    // The fence restart the rig made shows as its Deployment scaling its ReplicaSets.
    assert.ok(rows(f).some((r) => (r.labels as Record<string, string>).service === 'fence' && (r.labels as Record<string, string>).reason === 'ScalingReplicaSet'));
  });

  it('every query type the data source implements was checked above', () => {
    assert.deepEqual([...QUERY_TYPES].sort(), ['agents', 'audit', 'commands', 'events', 'fleet', 'health', 'kubernetesEvents', 'logs', 'services']);
  });

  it('a bad query is a 400 for that query alone, decoded as Grafana decodes it', async () => {
    const r = await rig.datasource.queryData({
      pluginContext: dsContext({ role: 'Viewer', controlUrl: rig.fleet.control.url }),
      queries: [query({ refId: 'A', json: { queryType: 'nope' } }), query({ refId: 'B', json: { queryType: 'fleet' } })],
    });
    assert.deepEqual([r.A.status, r.A.errorSource, r.A.frames], [400, 'downstream', []]);
    assert.match(r.A.error, /queryType must be one of fleet, services, agents, health, events, audit, commands/);
    assert.equal(r.B.status, 200);
    assert.equal(r.B.frames[0].rows, 3);
  });
});
