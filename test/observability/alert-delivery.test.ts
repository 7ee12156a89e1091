// Stopping a simulated service makes the Prometheus
// "service down" alert fire in a real Prometheus and reach a real Alertmanager
// within the rule's `for` plus two evaluation intervals.
//
// Prometheus runs the shipped rule file with every `for` divided by 60 (5m ->
// 5s; fastRules() derives it from the file, so it cannot drift) and a 1 s
// evaluation interval. The clock starts at the first scrape that shows the
// service down (what Prometheus can know); the time from the fault itself is
// reported too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommonsSummary } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { ALERTMANAGER, type Daemon, PROMETHEUS, fastRules, findTool, promQuery, promRules, requireTools, shippedScrapeConfigs, startAlertmanager, startPrometheus } from './support';

const MIDRC = DEMO_COMMONS[1];
const HEAL = DEMO_COMMONS[2];
const EVAL_S = 1;
const tools = { prometheus: findTool(PROMETHEUS), alertmanager: findTool(ALERTMANAGER) };

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  status: { state: string };
}

describe('service down alert, end to end through Prometheus and Alertmanager', () => {
  let fleet: TestFleet | undefined;
  let prom: Daemon | undefined;
  let am: Daemon | undefined;
  const fast = fastRules();
  const amAlerts = async () => (await (await fetch(`${am!.url}/api/v2/alerts`)).json()) as AmAlert[];

  before(async () => {
    if (!tools.prometheus || !tools.alertmanager) return; // the test skips loudly (or fails under CI)
    fleet = await TestFleet.start({ commons: [MIDRC, HEAL] });
    await eventually(
      async () => {
        const items = (await fleet!.admin<{ items: CommonsSummary[] }>('GET', '/api/v1/commons')).body.items;
        return items.length === 2 && items.every((c) => c.status === 'healthy');
      },
      { timeoutMs: 60_000, what: 'two healthy commons' },
    );
    am = await startAlertmanager(
      tools.alertmanager,
      `route:
  receiver: blackhole
  group_by: [commons]
  group_wait: 0s
receivers:
  - name: blackhole
`,
    );
    prom = await startPrometheus(
      tools.prometheus,
      `global: { scrape_interval: 1s, evaluation_interval: ${EVAL_S}s }
rule_files: [dcoc-alerts.yml]
alerting:
  alertmanagers:
    - static_configs: [{ targets: ['${new URL(am.url).host}'] }]
scrape_configs: ${shippedScrapeConfigs(new URL(fleet.control.url).host)}
`,
      { 'dcoc-alerts.yml': fast.yaml },
    );
  });

  after(async () => {
    await prom?.stop();
    await am?.stop();
    await fleet?.stop();
  });

  it('the test rules are the shipped rules with `for` scaled from minutes to seconds', (t) => {
    if (!requireTools(t, PROMETHEUS, ALERTMANAGER)) return;
    const shipped = promRules().flatMap((g) => g.rules);
    const test = promRules(fast.yaml).flatMap((g) => g.rules);
    assert.equal(test.length, shipped.length);
    for (const [i, r] of shipped.entries()) {
      assert.deepEqual({ ...test[i], for: r.for }, r, `${r.alert}: only for differs`);
    }
    assert.equal(fast.forSeconds.DCOCServiceDown, 5);
  });

  it('a stopped service fires DCOCServiceDown in Prometheus and reaches Alertmanager within for + 2 evaluation intervals; nothing else fires', async (t) => {
    if (!requireTools(t, PROMETHEUS, ALERTMANAGER)) return;
    const forS = fast.forSeconds.DCOCServiceDown;
    // Healthy fleet: every rule evaluates without error for longer than the longest `for`, and nothing fires.
    const healthySince = Date.now();
    await eventually(
      async () => {
        const groups = ((await (await fetch(`${prom!.url}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; health: string; lastEvaluation: string }[] }[] } }).data.groups;
        const rules = groups.flatMap((g) => g.rules);
        const bad = rules.filter((r) => r.health !== 'ok');
        if (bad.length) throw new Error(`rules not ok: ${JSON.stringify(bad)}`);
        return rules.length === 10 && rules.every((r) => Date.parse(r.lastEvaluation) > healthySince + (Math.max(...Object.values(fast.forSeconds)) + 2 * EVAL_S) * 1000);
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'all ten rules evaluated healthy for longer than the longest for' },
    );
    assert.deepEqual(await promQuery(prom!.url, 'ALERTS'), [], 'no alert pending or firing on a healthy fleet');
    assert.deepEqual(await amAlerts(), [], 'Alertmanager has no alert from a healthy fleet');

    const faultAt = Date.now();
    // indexd, not fence: fence down takes the whole commons down (no one can log in), which is DCOCCommonsDown too.
    await fleet!.simFault(MIDRC.hostname, 'indexd', 'down');
    const sel = 'commons="data-midrc-org",service="indexd"';

    // Alertmanager receives it.
    const received = await eventually(
      async () => {
        const a = (await amAlerts()).find((x) => x.labels.alertname === 'DCOCServiceDown' && x.labels.commons === 'data-midrc-org' && x.labels.service === 'indexd');
        return a && { alert: a, at: Date.now() };
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'Alertmanager to receive DCOCServiceDown' },
    );

    // When Prometheus first saw indexd down (scrape time) and first evaluated the alert as firing (evaluation time).
    const down = await promQuery(prom!.url, `dcoc_service_up{${sel}}[2m]`);
    const samples = down[0].values!.map(([ts, v]) => ({ ts: ts * 1000, v: Number(v) }));
    const firstDown = samples.find((s, i) => s.v === 0 && i > 0 && samples[i - 1].v === 1);
    assert.ok(firstDown, `no transition to 0 in ${JSON.stringify(samples)}`);
    const firing = await promQuery(prom!.url, `ALERTS{alertname="DCOCServiceDown",alertstate="firing",${sel}}[2m]`);
    assert.equal(firing.length, 1);
    const firedAt = firing[0].values![0][0] * 1000;

    const budgetMs = (forS + 2 * EVAL_S) * 1000;
    t.diagnostic(
      `fault->scrape ${firstDown.ts - faultAt} ms; scrape->firing ${firedAt - firstDown.ts} ms; scrape->Alertmanager ${received.at - firstDown.ts} ms (budget ${budgetMs} ms)`,
    );
    assert.ok(firedAt - firstDown.ts >= forS * 1000, `fired ${firedAt - firstDown.ts} ms after the service was seen down, before its for of ${forS} s`);
    assert.ok(firedAt - firstDown.ts <= budgetMs, `Prometheus fired ${firedAt - firstDown.ts} ms after the service was seen down (budget ${budgetMs} ms)`);
    // Our poll of Alertmanager runs every 100 ms: that much is measurement, not delay.
    assert.ok(received.at - firstDown.ts <= budgetMs + 100, `Alertmanager had it ${received.at - firstDown.ts} ms after the service was seen down (budget ${budgetMs} ms)`);

    const a = received.alert;
    assert.deepEqual(a.labels, { alertname: 'DCOCServiceDown', commons: 'data-midrc-org', environment: 'midrcprod', service: 'indexd', severity: 'critical' });
    assert.equal(a.annotations.summary, 'indexd is down in data-midrc-org');
    assert.equal(a.annotations.runbook_url, '/d/dcoc-runbooks/dcoc-alert-runbooks');
    assert.equal(a.status.state, 'active');

    // Two more evaluations later, that is still the only alert anywhere.
    await new Promise((r) => setTimeout(r, 3 * EVAL_S * 1000));
    const all = await amAlerts();
    assert.deepEqual(
      all.map((x) => `${x.labels.alertname} ${x.labels.commons} ${x.labels.service ?? ''}`.trim()),
      ['DCOCServiceDown data-midrc-org indexd'],
    );
    const active = await promQuery(prom!.url, 'ALERTS');
    assert.deepEqual(active.map((x) => `${x.metric.alertname} ${x.metric.alertstate} ${x.metric.commons}`), ['DCOCServiceDown firing data-midrc-org']);
  });
});
