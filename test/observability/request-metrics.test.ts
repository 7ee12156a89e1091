// Request metrics end to end, with real agents (TestFleet) and a real
// Prometheus: requests sent through a simulated commons' revproxy become
// access lines in revproxy's pod logs, the agent follows them (pods/log) and
// the control service's /metrics shows dcoc_requests_total and the latency
// histogram per service; a burst of 5xx (fault 'error' on a service) fires
// DCOCRequestErrors in Prometheus, which runs the shipped rule file with `for`
// scaled from minutes to seconds (fastRules). 100,000 lines of random paths,
// made-up $proxy_service values and garbage add no series beyond the known
// services.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DURATION_LE, PROXY_SERVICE_TO_SERVICE, REQUEST_SERVICES, STATUS_CLASSES } from '../../contracts/gen3/revproxy';
import { parseAccessLine } from '../../agent/gen3/revproxy-access-log';
import { accessLine } from '../../agent/simulate/sim-revproxy';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { type Daemon, PROMETHEUS, fastRules, findTool, promQuery, requireTools, simRequest, shippedScrapeConfigs, startPrometheus } from './support';
import { commonsDetailText, requestSeries, type Series } from '../support/request-series';

const MIDRC = DEMO_COMMONS[1];
const HEAL = DEMO_COMMONS[2];
const ID = { midrc: 'data-midrc-org', heal: 'healdata-org' };
const tools = { prometheus: findTool(PROMETHEUS) };


const key = (s: Series) => `${s.name}${JSON.stringify(s.labels)}`;

describe('request metrics from the simulated revproxy to /metrics and the 5xx alert', { concurrency: false }, () => {
  let fleet: TestFleet | undefined;
  let prom: Daemon | undefined;
  // Per commons x service: each commons' detail, the targets /metrics/sd lists.
  const metrics = async () => requestSeries(await commonsDetailText(fleet!.control.url));
  const value = (all: Series[], name: string, labels: Record<string, string>) =>
    all.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  const port = (hostname: string) => fleet!.agent(hostname).healthPort;
  const send = async (hostname: string, uri: string, n: number, method = 'GET') => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push(await simRequest(port(hostname), uri, method));
    return statuses;
  };

  before(async () => {
    if (!tools.prometheus) return; // each test skips loudly (or fails under CI)
    fleet = await TestFleet.start({ commons: [MIDRC, HEAL] });
    await fleet.healthyCommons(2);
    prom = await startPrometheus(
      tools.prometheus,
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [dcoc-alerts.yml]
scrape_configs: ${shippedScrapeConfigs(new URL(fleet.control.url).host)}
`,
      { 'dcoc-alerts.yml': fastRules().yaml },
    );
  });

  after(async () => {
    await prom?.stop();
    await fleet?.stop();
  });

  const ready = (t: Parameters<typeof requireTools>[0]) => !!requireTools(t, PROMETHEUS) && !!fleet && !!prom;

  it('requests through the simulated revproxy move dcoc_requests_total and the latency histogram, per commons and service', async (t) => {
    if (!ready(t)) return;
    assert.deepEqual(await metrics(), [], 'no request has been made yet');
    assert.deepEqual(await send(MIDRC.hostname, '/user/user', 30), new Array(30).fill(200));
    await send(MIDRC.hostname, '/index/index?limit=5', 20);
    // sheepdog's /api/ location logs proxy_service "noproxy": told apart by its upstream.
    await send(MIDRC.hostname, '/api/v0/submission/program1', 10);
    await send(HEAL.hostname, '/mds/metadata', 5);
    // /_status is `access_log off`: not counted.
    await send(MIDRC.hostname, '/_status', 7);
    const m = await eventually(
      async () => {
        const all = await metrics();
        return value(all, 'dcoc_requests_total', { commons: ID.midrc, service: 'sheepdog' }) === 10 && value(all, 'dcoc_requests_total', { commons: ID.heal, service: 'metadata' }) === 5 && all;
      },
      { timeoutMs: 30_000, what: 'the requests on /metrics' },
    );
    const midrc = { commons: ID.midrc, environment: MIDRC.environment };
    assert.equal(value(m, 'dcoc_requests_total', { ...midrc, service: 'fence', code: '2xx' }), 30);
    assert.equal(value(m, 'dcoc_requests_total', { ...midrc, service: 'indexd', code: '2xx' }), 20);
    assert.equal(value(m, 'dcoc_request_duration_seconds_count', { ...midrc, service: 'fence', code: '2xx' }), 30);
    assert.equal(value(m, 'dcoc_request_duration_seconds_bucket', { ...midrc, service: 'fence', code: '2xx', le: '+Inf' }), 30);
    assert.ok(value(m, 'dcoc_request_duration_seconds_sum', { ...midrc, service: 'fence', code: '2xx' })! > 0);
    assert.equal(value(m, 'dcoc_request_duration_seconds_bucket', { ...midrc, service: 'fence', code: '2xx', le: '30' }), 30, 'none took 30 s');
    const services = new Set(m.filter((s) => s.labels.commons === ID.midrc).map((s) => s.labels.service));
    assert.deepEqual([...services].sort(), ['fence', 'indexd', 'sheepdog'], 'revproxy itself (/_status) is not counted');

    // A slow service: its requests land above the 1 s bucket.
    await fleet!.simFault(MIDRC.hostname, 'arborist', 'slow');
    await Promise.all([0, 1, 2].map(() => simRequest(port(MIDRC.hostname), '/authz/mapping')));
    await fleet!.simFault(MIDRC.hostname, 'arborist', 'none');
    const slow = await eventually(async () => {
      const all = await metrics();
      return value(all, 'dcoc_request_duration_seconds_count', { commons: ID.midrc, service: 'arborist' }) === 3 && all;
    }, { what: 'three slow arborist requests' });
    assert.equal(value(slow, 'dcoc_request_duration_seconds_bucket', { commons: ID.midrc, service: 'arborist', le: '1' }), 0, 'each took more than 1 s');

    // Prometheus sees the same, labelled commons, environment, service and code.
    const r = await eventually(async () => {
      const res = await promQuery(prom!.url, 'sum by (commons, environment, service, code) (dcoc_requests_total)');
      return res.length >= 5 && res;
    }, { timeoutMs: 20_000, what: 'Prometheus to scrape the request series' });
    assert.ok(r.some((s) => s.metric.commons === ID.midrc && s.metric.environment === MIDRC.environment && s.metric.service === 'fence' && s.metric.code === '2xx' && s.value![1] === '30'));
  });

  it('a burst of 5xx from a failing service fires DCOCRequestErrors in Prometheus', async (t) => {
    if (!ready(t)) return;
    const firing = `ALERTS{alertname="DCOCRequestErrors", alertstate="firing", commons="${ID.midrc}", service="indexd"}`;
    assert.deepEqual(await promQuery(prom!.url, 'ALERTS{alertname="DCOCRequestErrors"}'), [], 'nothing fails yet');
    await fleet!.simFault(MIDRC.hostname, 'indexd', 'error');
    // Errors over several scrapes (a series is first seen at its first value; rate() counts what follows).
    const statuses: number[] = [];
    const deadline = Date.now() + 60_000;
    let fired = false;
    while (!fired && Date.now() < deadline) {
      statuses.push(...(await send(MIDRC.hostname, '/index/index?limit=5', 5)));
      fired = (await promQuery(prom!.url, firing)).length === 1;
      await new Promise((r) => setTimeout(r, 250));
    }
    await fleet!.simFault(MIDRC.hostname, 'indexd', 'none');
    assert.ok(statuses.length > 0 && statuses.every((s) => s === 500), `revproxy answers 500 for a failing service (error_page @5xx): ${[...new Set(statuses)].join(', ')}`);
    assert.ok(fired, 'DCOCRequestErrors fired for MIDRC indexd');
    const alerts = await promQuery(prom!.url, 'ALERTS{alertname="DCOCRequestErrors", alertstate="firing"}');
    assert.deepEqual(alerts.map((a) => `${a.metric.commons}/${a.metric.service}/${a.metric.severity}`), [`${ID.midrc}/indexd/warning`], 'only the failing service');
  });

  it('100,000 lines of random paths, made-up proxy_service values and garbage add no series beyond the known services', async (t) => {
    if (!ready(t)) return;
    const before = await metrics();
    const totalBefore = before.filter((s) => s.name === 'dcoc_requests_total' && s.labels.commons === ID.midrc).reduce((n, s) => n + s.value, 0);
    const proxies = [...Object.keys(PROXY_SERVICE_TO_SERVICE), 'noproxy', 'argo-wrapper', 'dashboard', '', '-', 'constructor', '__proto__', 'x'.repeat(200)];
    const rnd = (n: number) => Math.floor(Math.random() * n);
    let valid = 0;
    let sentLines = 0;
    for (let chunk = 0; chunk < 10; chunk++) {
      const lines: string[] = [];
      for (let i = 0; i < 10_000; i++) {
        const kind = rnd(10);
        let text: string;
        if (kind === 0) text = `2026/07/14 09:26:53 [error] 31#31: *${i} upstream timed out (110: Connection timed out) garbage ${Math.random()}`;
        else if (kind === 1) text = `{"gen3log": "nginx", "response_secs": ${Math.random()}, "http_status_code": ${rnd(1000)}`;
        else {
          const proxy = kind === 2 ? `made-up-${chunk}-${i}` : proxies[rnd(proxies.length)];
          text = accessLine({
            timeMs: Date.now(),
            requestId: Math.random().toString(16).slice(2).padEnd(32, '0'),
            clientIp: `10.${rnd(255)}.${rnd(255)}.${rnd(255)}`,
            bytes: rnd(1e6),
            seconds: Math.random() * 40,
            status: kind === 3 ? rnd(1000) : 100 + rnd(500),
            requestUri: `/${Math.random().toString(36).slice(2)}/${'"\\é'.charAt(rnd(4))}${rnd(1e9)}`,
            method: ['GET', 'POST', 'PUT', 'BREW'][rnd(4)],
            referer: '',
            userAgent: `agent-${rnd(1e6)}`,
            upstream: kind === 4 ? `http://made-up-${i}-service.x.svc.cluster.local` : rnd(2) ? 'http://sheepdog-service.midrcprod.svc.cluster.local' : '',
            proxyService: proxy,
            protocol: 'HTTP/1.1',
          });
        }
        if (parseAccessLine(text)) valid++;
        lines.push(text);
      }
      const r = await fetch(`http://127.0.0.1:${port(MIDRC.hostname)}/__sim/revproxy-log`, { method: 'POST', body: JSON.stringify({ lines }) });
      assert.equal(r.status, 200, await r.text());
      sentLines += lines.length;
    }
    assert.equal(sentLines, 100_000);
    assert.ok(valid > 50_000 && valid < 100_000, `${valid} valid lines`);
    // Counted once the total stops moving (on a loaded machine the follower may still be reading);
    // never more than the valid lines. The bound on series below is what this test is about.
    let last = -1;
    const after = await eventually(
      async () => {
        const all = await metrics();
        const total = all.filter((s) => s.name === 'dcoc_requests_total' && s.labels.commons === ID.midrc).reduce((n, s) => n + s.value, 0);
        const settled = total === last && total > totalBefore;
        last = total;
        return (total === totalBefore + valid || settled) && all;
      },
      { timeoutMs: 120_000, intervalMs: 2_000, what: `the valid lines (${valid}) counted` },
    );
    const counted = last - totalBefore;
    // Other requests of the earlier tests may still land; what matters here is the bound on series below.
    assert.ok(counted > 0, `${counted} of ${valid} valid lines counted`);
    const known = new Set(REQUEST_SERVICES);
    const classes = new Set<string>(STATUS_CLASSES);
    const les = new Set(DURATION_LE);
    for (const s of after) {
      assert.ok(known.has(s.labels.service), `series for service ${s.labels.service}`);
      assert.ok(classes.has(s.labels.code), `series for code ${s.labels.code}`);
      if (s.name.endsWith('_bucket')) assert.ok(les.has(s.labels.le), `bucket le ${s.labels.le}`);
      assert.deepEqual(Object.keys(s.labels).sort(), s.name.endsWith('_bucket') ? ['code', 'commons', 'environment', 'le', 'service'] : ['code', 'commons', 'environment', 'service']);
    }
    const beforeKeys = new Set(before.map(key));
    const added = after.filter((s) => !beforeKeys.has(key(s)));
    // New series only for (known service, class) pairs not seen before: at most every pair, 16 series each.
    const perCommons = REQUEST_SERVICES.length * STATUS_CLASSES.length * (DURATION_LE.length + 3);
    assert.ok(after.filter((s) => s.labels.commons === ID.midrc).length <= perCommons, `${after.length} series`);
    assert.ok(added.every((s) => s.labels.commons === ID.midrc), 'only the flooded commons changed');
    t.diagnostic(`${counted} of ${valid} valid lines of 100,000 counted; series ${before.length} → ${after.length} (bound ${perCommons} per commons)`);
  });
});
