// With the demo fleet (the real control service and the
// three simulated commons of `npm start`) and a real Prometheus scraping the
// control service, every PromQL expression in the dashboards and in the alert
// rules parses and returns at least one series. Alert expressions return
// nothing while the fleet is healthy and the right series once the faults they
// describe are injected. Also: the live /metrics passes `promtool check metrics`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CommandView, CommonsDetail, CommonsSummary } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { CertificateAuthority } from '../../backend/pki/ca';
import { DAY_MS, TlsEndpoints } from '../support/tls-endpoint';
import {
  type Daemon,
  type PromSample,
  PROMETHEUS,
  PROMTOOL,
  dashboardExprs,
  findTool,
  grafanaRuleGroups,
  promQuery,
  promRules,
  requireTools,
  run,
  simRequest,
  simTraffic,
  runnable,
  shippedDashboards,
  shippedScrapeConfigs,
  startPrometheus,
} from './support';

const [BRH, MIDRC, HEAL] = DEMO_COMMONS;
const ID = { brh: 'brh-data-commons-org', midrc: 'data-midrc-org', heal: 'healdata-org' };
const SERVICE_SCOPED = new Set(['DCOCServiceDown', 'DCOCServiceRestartLoop', 'DCOCRequestErrors']);
const ENDPOINT_SCOPED = new Set(['DCOCExternalEndpointDown']);
const FINAL = new Set(['succeeded', 'failed', 'expired', 'cancelled']);
const tools = { prometheus: findTool(PROMETHEUS), promtool: findTool(PROMTOOL) };

const fmt = (rs: PromSample[]) => rs.map((r) => JSON.stringify(r.metric)).join('\n    ') || '(none)';
const finite = (r: PromSample) => r.value !== undefined && Number.isFinite(Number(r.value[1]));

describe('PromQL of the dashboards and alert rules against a live fleet', { concurrency: false }, () => {
  let fleet: TestFleet | undefined;
  let prom: Daemon | undefined;
  let operator: string;
  let traffic: { stop(): Promise<void> } | undefined;
  // The commons' public endpoints: a local HTTPS server with a 90-day certificate for each, all answering 200.
  let endpoints: TlsEndpoints | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-promql-'));

  before(async () => {
    if (!tools.prometheus || !tools.promtool) return; // each test skips loudly (or fails under CI)
    endpoints = await TlsEndpoints.create();
    for (const c of [BRH, MIDRC, HEAL]) await endpoints.serve(c.hostname, 90 * DAY_MS);
    const port = await endpoints.listen('127.0.0.1');
    writeFileSync(join(dir, 'ca.pem'), endpoints.caPem);
    fleet = await TestFleet.start({
      controlEnv: {
        DCOC_COMMAND_DEADLINE_S: '4',
        DCOC_EXTERNAL_CHECKS: 'true',
        DCOC_EXTERNAL_CHECK_URL: `https://{hostname}:${port}`,
        DCOC_EXTERNAL_CHECK_ADDRESSES: [BRH, MIDRC, HEAL].map((c) => `${c.hostname}=127.0.0.1`).join(','),
        DCOC_EXTERNAL_CHECK_CA_FILE: join(dir, 'ca.pem'),
        DCOC_EXTERNAL_CHECK_INTERVAL_S: '5',
        DCOC_EXTERNAL_CHECK_TIMEOUT_S: '2',
      },
    });
    operator = await fleet.tokenFor('operator');
    await eventually(
      async () => {
        const items = (await fleet!.admin<{ items: CommonsSummary[] }>('GET', '/api/v1/commons')).body.items;
        return items.length === 3 && items.every((c) => c.status === 'healthy');
      },
      { timeoutMs: 60_000, what: 'three healthy commons' },
    );
    // Simulated users on every commons (request metrics), from a healthy fleet on: no 5xx before the faults.
    traffic = simTraffic(() => fleet!.agents.map((a) => a.healthPort), 6);
    const target = new URL(fleet.control.url).host;
    prom = await startPrometheus(
      tools.prometheus,
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs: ${shippedScrapeConfigs(target)}
`,
    );
    // A few scrapes in, so rates and increases have samples.
    await eventually(async () => (await promQuery(prom!.url, 'count_over_time(dcoc_agents_connected[1m]) >= 5')).length === 1, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'Prometheus to scrape the control service five times',
    });
    // Enough requests on every commons for the request-errors rule to judge them (at least 10 per service in 5 minutes).
    await eventually(async () => (await promQuery(prom!.url, 'sum by (commons) (increase(dcoc_requests_total{service="fence"}[5m])) >= 20')).length === 3, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'twenty requests to fence on every commons',
    });
  });

  after(async () => {
    await traffic?.stop();
    await prom?.stop();
    await fleet?.stop();
    await endpoints?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ready = (t: Parameters<typeof requireTools>[0]) => !!requireTools(t, PROMETHEUS, PROMTOOL) && !!fleet && !!prom;

  it("the control service's fleet /metrics and every commons' /metrics/commons/{id} pass promtool check metrics", async (t) => {
    if (!ready(t)) return;
    const fleetText = await (await fetch(`${fleet!.control.url}/metrics`)).text();
    assert.doesNotMatch(fleetText, /^dcoc_service_\w+\{/m, 'per-service series are in the commons detail');
    let r = run(tools.promtool!, ['check', 'metrics'], fleetText);
    assert.equal(r.status, 0, `promtool check metrics /metrics:\n${r.out}`);
    const targets = (await (await fetch(`${fleet!.control.url}/metrics/sd`)).json()) as { labels: Record<string, string> }[];
    assert.equal(targets.length, DEMO_COMMONS.length, 'one discovered target per commons');
    for (const g of targets) {
      const text = await (await fetch(`${fleet!.control.url}${g.labels.__metrics_path__}`)).text();
      assert.match(text, /dcoc_service_health_latency_seconds_bucket/, `${g.labels.commons}: its agent has reported health latency`);
      assert.match(text, /dcoc_request_duration_seconds_bucket\{/, `${g.labels.commons}: its agent has reported request metrics`);
      r = run(tools.promtool!, ['check', 'metrics'], text);
      assert.equal(r.status, 0, `promtool check metrics ${g.labels.__metrics_path__}:\n${r.out}`);
    }
  });

  it('while the fleet is healthy, no alert expression returns a series', async (t) => {
    if (!ready(t)) return;
    const rules = promRules().flatMap((g) => g.rules);
    for (const r of rules) {
      const res = await promQuery(prom!.url, r.expr);
      assert.deepEqual(res, [], `${r.alert} on a healthy fleet:\n    ${fmt(res)}`);
    }
  });

  it('with faults injected, every alert expression returns the series of the fault, labelled commons (and service)', async (t) => {
    if (!ready(t)) return;
    const f = fleet!;
    // BRH: a backup every minute (may be 90 s old) while a change freeze refuses each one: its last good backup goes stale.
    const freeze = await f.admin('POST', '/api/v1/windows', { name: 'promql freeze', kind: 'deny', target: { commons: [ID.brh] }, schedule: { start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() }, reason: 'backups refused' });
    assert.equal(freeze.status, 201, JSON.stringify(freeze.body));
    const schedule = await f.api(operator, 'PUT', `/api/v1/commons/${ID.brh}/backup-schedule`, { cron: '* * * * *', timeZone: 'UTC' });
    assert.equal(schedule.status, 200, JSON.stringify(schedule.body));
    // A command that succeeds: scale indexd of MIDRC up by one.
    const before = (await f.api<CommonsDetail>(operator, 'GET', `/api/v1/commons/${ID.midrc}`)).body.services.find((s) => s.name === 'indexd')!;
    const scale = await f.api<{ command: CommandView }>(operator, 'POST', `/api/v1/commons/${ID.midrc}/services/indexd/scale`, { replicas: before.desiredReplicas + 1 });
    assert.equal(scale.status, 202);
    const waitFinal = (id: string) =>
      eventually(async () => {
        const c = (await f.api<CommandView>(operator, 'GET', `/api/v1/commands/${id}`)).body;
        return FINAL.has(c.state) && c;
      }, { timeoutMs: 60_000, what: `command ${id} to finish` });
    assert.equal((await waitFinal(scale.body.command.id)).state, 'succeeded');

    // MIDRC: fence stopped, then a restart of it that cannot complete before its deadline (a failed command).
    await f.simFault(MIDRC.hostname, 'fence', 'down');
    await eventually(async () => (await f.api<CommonsDetail>(operator, 'GET', `/api/v1/commons/${ID.midrc}`)).body.services.find((s) => s.name === 'fence')?.status === 'down', {
      what: 'MIDRC fence to be reported down',
    });
    const restart = await f.api<{ command: CommandView }>(operator, 'POST', `/api/v1/commons/${ID.midrc}/services/fence/restart`);
    assert.equal(restart.status, 202);
    const failed = await waitFinal(restart.body.command.id);
    assert.ok(failed.state === 'failed' || failed.state === 'expired', `the restart of a stopped fence ended ${failed.state}`);
    // HEAL: revproxy stopped, so the whole commons is down. BRH: indexd crash-looping.
    await f.simFault(HEAL.hostname, 'revproxy', 'down');
    await f.simFault(BRH.hostname, 'indexd', 'crashloop');
    // Requests to MIDRC's stopped fence over a few scrapes (revproxy answers 500), reported before the network goes.
    for (let i = 0; i < 12; i++) {
      await simRequest(f.agent(MIDRC.hostname).healthPort, '/user/user');
      await new Promise((r) => setTimeout(r, 250));
    }
    await eventually(async () => (await promQuery(prom!.url, `dcoc_requests_total{commons="${ID.midrc}",service="fence",code="5xx"} >= 12`)).length === 1, {
      timeoutMs: 20_000,
      what: "MIDRC fence's 5xx in Prometheus",
    });
    // MIDRC's agent loses its network once fence and the command have been reported.
    await f.simNetwork(MIDRC.hostname, true);
    // From outside: HEAL's revproxy being down, its public endpoints answer 500 (revproxy's error page);
    // MIDRC's certificate is renewed with 10 days left; BRH now serves a certificate of a CA nobody trusts.
    endpoints!.setStatus(HEAL.hostname, 500);
    await endpoints!.serve(MIDRC.hostname, 10 * DAY_MS);
    const stranger = await CertificateAuthority.loadOrCreate(join(dir, 'stranger-ca'));
    await endpoints!.serve(BRH.hostname, 90 * DAY_MS, { issuer: stranger });

    const expected: Record<string, Record<string, string>> = {
      DCOCCommonsDown: { commons: ID.heal },
      DCOCServiceDown: { commons: ID.midrc, service: 'fence' },
      DCOCServiceRestartLoop: { commons: ID.brh, service: 'indexd' },
      DCOCAgentSilent: { commons: ID.midrc },
      DCOCCommandFailures: { commons: ID.midrc },
      DCOCExternalEndpointDown: { commons: ID.heal, endpoint: '/user/_status' },
      DCOCExternalCertificateExpiring: { commons: ID.midrc },
      DCOCExternalCertificateInvalid: { commons: ID.brh },
      // Requests to MIDRC's stopped fence: revproxy answers 500 (error_page → @5xx).
      DCOCRequestErrors: { commons: ID.midrc, service: 'fence' },
    };
    const problems: string[] = [];
    // DCOCBackupStale is checked last, once its schedule's max age has passed (its own test below).
    for (const r of promRules().flatMap((g) => g.rules).filter((x) => x.alert !== 'DCOCBackupStale')) {
      const want = expected[r.alert];
      assert.ok(want, `no fault injected for ${r.alert}`);
      let last: PromSample[] = [];
      try {
        await eventually(
          async () => {
            last = await promQuery(prom!.url, r.expr);
            return last.some((s) => Object.entries(want).every(([k, v]) => s.metric[k] === v));
          },
          { timeoutMs: 45_000, intervalMs: 500, what: r.alert },
        );
      } catch {
        problems.push(`${r.alert}: expected a series with ${JSON.stringify(want)}; got:\n    ${fmt(last)}`);
        continue;
      }
      for (const s of last) {
        if (!s.metric.commons) problems.push(`${r.alert}: a series without a commons label: ${JSON.stringify(s.metric)}`);
        if (SERVICE_SCOPED.has(r.alert) && !s.metric.service) problems.push(`${r.alert}: a series without a service label: ${JSON.stringify(s.metric)}`);
        if (ENDPOINT_SCOPED.has(r.alert) && !s.metric.endpoint) problems.push(`${r.alert}: a series without an endpoint label: ${JSON.stringify(s.metric)}`);
      }
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  it('every dashboard expression (panels and variables, for each commons) parses and returns at least one series with a value', async (t) => {
    if (!ready(t)) return;
    const exprs = shippedDashboards().flatMap(({ file, dashboard }) => dashboardExprs(file, dashboard));
    assert.ok(exprs.length >= 30, `found only ${exprs.length} expressions`);
    const problems: string[] = [];
    let checked = 0;
    for (const { where, expr } of exprs) {
      const perCommons = /\$\{?commons\b/.test(expr) ? Object.values(ID) : [ID.midrc];
      for (const commons of perCommons) {
        const q = runnable(expr, { commons });
        let last: PromSample[] = [];
        try {
          await eventually(
            async () => {
              last = await promQuery(prom!.url, q.expr);
              return last.some(finite) && (!q.mustHaveLabel || last.some((s) => s.metric[q.mustHaveLabel!]));
            },
            { timeoutMs: 20_000, intervalMs: 500, what: where },
          );
          checked++;
        } catch (e) {
          problems.push(`${where} [commons=${commons}]: ${(e as Error).message.split('\n')[0]}\n    ${q.expr}\n    got: ${fmt(last)}`);
        }
      }
    }
    assert.deepEqual(problems, [], `${problems.length} expression(s) returned nothing:\n${problems.join('\n')}`);
    t.diagnostic(`${checked} dashboard expression evaluations returned series`);
  });

  it('DCOCBackupStale: the commons whose scheduled backups a freeze refuses goes stale once its max age has passed, and only it', async (t) => {
    if (!ready(t)) return;
    const rule = promRules().flatMap((g) => g.rules).find((r) => r.alert === 'DCOCBackupStale')!;
    // A backup every minute may be 90 s old, counted from the schedule's start (set in the faults test above).
    let last: PromSample[] = [];
    await eventually(async () => (last = await promQuery(prom!.url, rule.expr)).length > 0, { timeoutMs: 150_000, intervalMs: 1000, what: 'DCOCBackupStale' });
    assert.deepEqual(last.map((s) => s.metric), [{ commons: ID.brh }]);
  });

  it('every Prometheus query of the Grafana-managed rules returns series labelled commons (and service)', async (t) => {
    if (!ready(t)) return;
    let n = 0;
    for (const rule of grafanaRuleGroups().flatMap((g) => g.rules)) {
      for (const d of rule.data.filter((x) => x.datasourceUid === 'prometheus')) {
        const res = await promQuery(prom!.url, String(d.model.expr));
        assert.ok(res.length > 0, `${rule.title} ${d.refId}: no series`);
        for (const s of res) {
          assert.ok(s.metric.commons, `${rule.title}: series without commons: ${JSON.stringify(s.metric)}`);
          if (SERVICE_SCOPED.has(rule.title)) assert.ok(s.metric.service, `${rule.title}: series without service: ${JSON.stringify(s.metric)}`);
        }
        // Every commons is evaluated, not only the faulty ones: the rule sees the whole fleet (backups: every commons with a backup schedule).
        const evaluated = rule.title === 'DCOCBackupStale' ? [ID.brh] : Object.values(ID).sort();
        assert.deepEqual([...new Set(res.map((s) => s.metric.commons))].sort(), evaluated, `${rule.title}: commons evaluated`);
        n++;
      }
    }
    assert.equal(n, 8, 'eight Grafana rules query Prometheus');
  });
});
