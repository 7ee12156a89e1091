// Gen3 revproxy's access log → request metrics, on lines in the real format:
// uc-cdis/gen3-helm 42cc46bc helm/revproxy/nginx/nginx.conf `log_format json`
// (response_secs, http_status_code and network_bytes_write unquoted; nginx's
// default escaping writes `"` as \x22 and `\` as \x5C; an empty variable as
// `-`), and the $proxy_service values its gen3.nginx.conf/*.conf locations set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GEN3_SERVICES } from '../../contracts/gen3/catalog';
import {
  ACCESS_LOG_FIELDS,
  DURATION_LE,
  PROXY_SERVICE_TO_SERVICE,
  REQUEST_METRICS,
  REQUEST_SERVICES,
  statusClass,
} from '../../contracts/gen3/revproxy';
import { parseAccessLine, serviceOf } from '../../agent/gen3/revproxy-access-log';
import { RequestMetrics } from '../../agent/gen3/request-metrics';
import { RevproxyFollower } from '../../agent/gen3/revproxy-follower';
import { RequestMetricsCollector } from '../../agent/gen3/request-metrics-collector';
import { Observations } from '../../agent/core/observations';
import type { LogLineFacts, LogQuery, LogSink, LogSource } from '../../agent/core/types';
import { LogSourceError } from '../../agent/core/types';
import { Backoff } from '../../agent/protocol/backoff';
import { SimRevproxy, accessLine, loggable, nginxEscape, routeOf } from '../../agent/simulate/sim-revproxy';
import { SimCommons } from '../../agent/simulate/model';
import { SimLogSource } from '../../agent/simulate/sim-log-source';

/** A line as revproxy writes it: the format's literal text with these values substituted. */
function line(v: { secs?: string; status?: string; uri?: string; ua?: string; upstream?: string; proxy?: string; referer?: string } = {}): string {
  return (
    '{"gen3log": "nginx", "date_access": "2026-07-14T09:26:53+00:00", "user_id": "uid:null,unknown@unknown", "request_id": "6f1e0b9ad0e64cf6a1f3c0e9e4b2d7a1", ' +
    '"session_id": "6f1e0b9ad0e64cf6a1f3c0e9e4b2d7a1", "visitor_id": "6f1e0b9ad0e64cf6a1f3c0e9e4b2d7a1", "network_client_ip": "10.24.3.17", "network_bytes_write": 1532, ' +
    `"response_secs": ${v.secs ?? '0.012'}, "http_status_code": ${v.status ?? '200'}, "http_request": "${v.uri ?? '/user/user'}", "http_verb": "GET", ` +
    `"http_referer": "${v.referer ?? 'https://data.midrc.org/'}", "http_useragent": "${v.ua ?? 'Mozilla/5.0 (X11; Linux x86_64)'}", ` +
    `"http_upstream": "${v.upstream ?? 'http://fence-service.midrcprod.svc.cluster.local'}", "proxy_service": "${v.proxy ?? 'fence'}", "message": "GET ${v.uri ?? '/user/user'} HTTP/1.1" }`
  );
}

describe('revproxy access lines', () => {
  it('parses the real format: unquoted numbers, the service that answered, the status class', () => {
    assert.deepEqual(parseAccessLine(line()), { service: 'fence', statusClass: '2xx', seconds: 0.012 });
    assert.deepEqual(parseAccessLine(line({ secs: '31.500', status: '504', proxy: 'metadata-service', upstream: 'http://metadata-service.midrcprod.svc.cluster.local' })), {
      service: 'metadata',
      statusClass: '5xx',
      seconds: 31.5,
    });
    assert.equal(parseAccessLine(line({ status: '499' }))!.statusClass, '4xx');
    assert.equal(parseAccessLine(line({ status: '302' }))!.statusClass, '3xx');
    assert.equal(parseAccessLine(line({ secs: '0.000' }))!.seconds, 0);
  });

  it('reads lines that are not valid JSON: \\x22 and \\x5C escapes in the URI, referer and user agent', () => {
    const l = line({
      uri: '/index/index?q=\\x22a\\x22%20b&x=\\x5C',
      ua: 'curl/8.5.0 \\x22\\x22}, \\x22proxy_service\\x22: \\x22arborist\\x22',
      referer: '-',
    });
    assert.throws(() => JSON.parse(l), SyntaxError, 'nginx default escaping is not JSON');
    assert.deepEqual(parseAccessLine(l), { service: 'fence', statusClass: '2xx', seconds: 0.012 });
  });

  it('a value cannot impersonate a field: an escaped "proxy_service" in the user agent is not read', () => {
    const ua = nginxEscape('x", "proxy_service": "arborist", "http_status_code": 500, "');
    assert.ok(!ua.includes('"'));
    assert.deepEqual(parseAccessLine(line({ ua, uri: nginxEscape('/user/"evil"') })), { service: 'fence', statusClass: '2xx', seconds: 0.012 });
  });

  it('gives null for what is not an access line: nginx error log, truncated, another format, status 000, huge', () => {
    for (const bad of [
      '2026/07/14 09:26:53 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream',
      line().slice(0, 120),
      '{"gen3log":"nginx","response_secs":0.1,"http_status_code":200,"proxy_service":"fence"}',
      line({ status: '000' }),
      line({ status: '600' }),
      line({ secs: '-' }),
      line({ secs: '1e9' }),
      '',
      'not json at all',
      `${line()}${' '.repeat(70_000)}`,
    ]) {
      assert.equal(parseAccessLine(bad), null, bad.slice(0, 80));
    }
  });

  it('maps $proxy_service as gen3-helm 42cc46bc sets it; anything unknown is `other`', () => {
    // helm/revproxy/gen3.nginx.conf/<file>: `set $proxy_service "<value>"` → the DCOC service.
    const conf: [string, string, string][] = [
      ['fence-service.conf', 'fence', 'fence'],
      ['fence-service.conf /user/data/download', 'presigned-url-fence', 'presigned-url-fence'],
      ['fence-service-ga4gh.conf', 'presigned-url-fence', 'presigned-url-fence'],
      ['arborist-service.conf', 'arborist', 'arborist'],
      ['indexd-service.conf', 'indexd', 'indexd'],
      ['peregrine-service.conf', 'peregrine', 'peregrine'],
      ['metadata-service.conf', 'metadata-service', 'metadata'],
      ['audit-service.conf', 'audit-service', 'audit'],
      ['manifestservice-service.conf', 'manifestservice', 'manifestservice'],
      ['workspace-token-service.conf', 'wts', 'wts'],
      ['hatchery-service.conf', 'hatchery', 'hatchery'],
      ['ambassador-service.conf', 'ambassador', 'ambassador'],
      ['guppy-service.conf', 'guppy', 'guppy'],
      ['requestor-service.conf', 'requestor-service', 'requestor'],
      ['sower-service.conf', 'sower', 'sower'],
      ['portal-as-root/portal-service.conf', 'portal', 'portal'],
      ['portal-as-root/frontend-framework-service.conf', 'frontend-framework', 'frontend-framework'],
      // Charts DCOC has no service for.
      ['argo-wrapper-service.conf', 'argo-wrapper', 'other'],
      ['dashboard.conf', 'dashboard', 'other'],
      ['pidgin-service.conf', 'pidgin', 'other'],
      ['status-api-service.conf', 'status_api', 'other'],
      ['gen3-discovery-ai-service.conf', 'gen3-discovery-ai-service', 'other'],
    ];
    for (const [file, value, service] of conf) assert.equal(serviceOf(value, 'http://x-service.ns.svc.cluster.local'), service, file);
    // sheepdog-service.conf `location /api/` and peregrine's /_version set none: "noproxy" with the upstream.
    assert.equal(serviceOf('noproxy', 'http://sheepdog-service.midrcprod.svc.cluster.local'), 'sheepdog');
    assert.equal(serviceOf('noproxy', 'http://peregrine-service.midrcprod.svc.cluster.local/_version'), 'peregrine');
    assert.equal(serviceOf('noproxy', '-'), 'revproxy', 'no upstream: nginx answered itself');
    assert.equal(serviceOf('noproxy', 'http://fence-service.x.svc.cluster.local'), 'other', 'only the known noproxy locations');
    for (const garbage of ['', 'constructor', '__proto__', 'toString', 'FENCE', 'fence ', 'a'.repeat(300)]) assert.equal(serviceOf(garbage, '-'), 'other', garbage);
    const catalog = new Set(GEN3_SERVICES.map((s) => s.name));
    for (const s of Object.values(PROXY_SERVICE_TO_SERVICE)) assert.ok(catalog.has(s), `${s} is a catalog service`);
    for (const s of REQUEST_SERVICES) assert.ok(catalog.has(s) || s === 'other', s);
  });

  it('status classes and the log format fields', () => {
    assert.deepEqual([100, 199, 200, 301, 404, 499, 500, 599].map(statusClass), ['1xx', '1xx', '2xx', '3xx', '4xx', '4xx', '5xx', '5xx']);
    assert.deepEqual([0, 99, 600, 2.5, Number.NaN].map(statusClass), [null, null, null, null, null]);
    assert.equal(ACCESS_LOG_FIELDS.length, 17);
    assert.deepEqual(DURATION_LE.slice(0, 1), ['0.005']);
    assert.deepEqual(DURATION_LE.slice(-2), ['30', '+Inf']);
  });
});

describe('request metrics on the agent', () => {
  it('counts cumulatively per (service, class), with a histogram of seconds', () => {
    const m = new RequestMetrics();
    for (const secs of ['0.004', '0.012', '0.3', '45.000']) m.record(parseAccessLine(line({ secs }))!);
    m.record(parseAccessLine(line({ status: '502', proxy: 'noproxy', upstream: 'http://sheepdog-service.a.svc.cluster.local' }))!);
    const s = m.samples(1000);
    const v = (name: string, labels: Record<string, string>) => s.find((x) => x.name === name && JSON.stringify(x.labels) === JSON.stringify(labels))?.value;
    assert.equal(v(REQUEST_METRICS.total, { service: 'fence', code: '2xx' }), 4);
    assert.equal(v(REQUEST_METRICS.count, { service: 'fence', code: '2xx' }), 4);
    assert.ok(Math.abs(v(REQUEST_METRICS.sum, { service: 'fence', code: '2xx' })! - 45.316) < 1e-9);
    assert.equal(v(REQUEST_METRICS.bucket, { service: 'fence', code: '2xx', le: '0.005' }), 1);
    assert.equal(v(REQUEST_METRICS.bucket, { service: 'fence', code: '2xx', le: '0.025' }), 2);
    assert.equal(v(REQUEST_METRICS.bucket, { service: 'fence', code: '2xx', le: '0.5' }), 3);
    assert.equal(v(REQUEST_METRICS.bucket, { service: 'fence', code: '2xx', le: '30' }), 3);
    assert.equal(v(REQUEST_METRICS.bucket, { service: 'fence', code: '2xx', le: '+Inf' }), 4);
    assert.equal(v(REQUEST_METRICS.total, { service: 'sheepdog', code: '5xx' }), 1);
    assert.equal(s.length, 2 * (3 + DURATION_LE.length));
    assert.ok(s.every((x) => x.timestampMs === 1000));
  });

  it('stays bounded whatever the lines say: 100,000 random lines make at most |services| × 5 series', () => {
    const m = new RequestMetrics();
    const pick = <T>(a: T[]) => a[Math.floor(Math.random() * a.length)];
    const proxies = [...Object.keys(PROXY_SERVICE_TO_SERVICE), 'noproxy', 'made-up', '', 'x'.repeat(50), '\\x22', 'argo-wrapper'];
    for (let i = 0; i < 100_000; i++) {
      const r = parseAccessLine(
        line({ proxy: pick(proxies) + (i % 7 === 0 ? String(i) : ''), status: String(100 + Math.floor(Math.random() * 500)), uri: `/${Math.random().toString(36)}`, secs: (Math.random() * 40).toFixed(3) }),
      );
      if (r) m.record(r);
    }
    assert.ok(m.size <= REQUEST_SERVICES.length * 5, `${m.size} series`);
    const services = new Set(m.samples().map((s) => s.labels.service));
    for (const s of services) assert.ok(REQUEST_SERVICES.includes(s), s);
    assert.ok(services.has('other'));
  });

  it('the collector hands the current cumulative values to every flush, once', async () => {
    const source = new ScriptedSource();
    const c = new RequestMetricsCollector(source);
    const obs = new Observations();
    await c.start(obs);
    assert.deepEqual(c.capabilities, ['metrics:requests']);
    assert.deepEqual(obs.takeSamples(), [], 'nothing counted yet');
    source.emit([line(), line({ status: '500' })]);
    const first = obs.takeSamples();
    assert.equal(first.filter((s) => s.name === REQUEST_METRICS.total).length, 2);
    source.emit([line()]);
    const second = obs.takeSamples();
    assert.equal(second.find((s) => s.name === REQUEST_METRICS.total && s.labels.code === '2xx')!.value, 2, 'cumulative');
    assert.equal(second.length, first.length, 'one copy per flush, not a backlog');
    await c.stop();
    assert.deepEqual(obs.takeSamples(), [], 'a stopped collector adds nothing');
  });
});

/** A LogSource whose streams the test drives: each call is recorded, and fails, ends or stays open as told. */
class ScriptedSource implements LogSource {
  calls: LogQuery[] = [];
  /** What the next calls do: 'fail' | 'throw' | 'end' | 'open' (the default). */
  plan: ('fail' | 'throw' | 'end' | 'open' | 'bad-sink')[] = [];
  private sink: LogSink | null = null;

  streamLogs(q: LogQuery, sink: LogSink, signal: AbortSignal): Promise<void> {
    this.calls.push(q);
    const step = this.plan.shift() ?? 'open';
    if (step === 'throw') throw new Error('synchronous failure');
    if (step === 'fail') return Promise.reject(new LogSourceError('commons x has no service revproxy'));
    if (step === 'end') return Promise.resolve();
    this.sink = sink;
    sink.pods(['revproxy-deployment-abc12-x1y2z']);
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  emit(texts: string[]): void {
    const batch: LogLineFacts[] = texts.map((text) => ({ pod: 'revproxy-deployment-abc12-x1y2z', container: 'revproxy', timeMs: Date.now(), text }));
    this.sink!.lines(batch);
  }
}

const until = async (ok: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ok(), what);
};

describe('following revproxy', () => {
  it('asks for revproxy from the newest line on, following', async () => {
    const source = new ScriptedSource();
    const f = new RevproxyFollower(source, new RequestMetrics());
    f.start();
    await until(() => source.calls.length === 1, 'one stream');
    assert.deepEqual(source.calls[0], { service: 'revproxy', follow: true, tailLines: 0, previous: false, sinceMs: null });
    source.emit([line(), 'garbage', line({ status: '503' })]);
    assert.deepEqual(f.stats, { lines: 3, counted: 2, ignored: 1, restarts: 0 });
    await f.stop();
  });

  it('restarts with backoff when the stream fails, throws or ends; never rejects; stop() ends it', async () => {
    const source = new ScriptedSource();
    source.plan = ['fail', 'throw', 'end', 'fail', 'open'];
    const metrics = new RequestMetrics();
    const f = new RevproxyFollower(source, metrics, undefined, new Backoff(1, 5));
    f.start();
    await until(() => source.calls.length === 5, 'five attempts');
    assert.equal(f.stats.restarts, 4);
    source.emit([line()]);
    assert.equal(metrics.size, 1);
    await f.stop();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(source.calls.length, 5, 'no restart after stop');
  });

  it('a sink error (a counting bug) does not end the stream', async () => {
    const source = new ScriptedSource();
    const metrics = new RequestMetrics();
    metrics.record = () => {
      throw new Error('bug');
    };
    const f = new RevproxyFollower(source, metrics);
    f.start();
    await until(() => source.calls.length === 1, 'one stream');
    assert.doesNotThrow(() => source.emit([line()]));
    assert.equal(source.calls.length, 1);
    await f.stop();
  });
});

describe('the simulated revproxy', () => {
  it('routes public paths as gen3-helm 42cc46bc does', () => {
    const cases: [string, string | null, string][] = [
      ['/user/user', 'fence', 'fence'],
      ['/user/data/download/dg.4503/abc', 'presigned-url-fence', 'presigned-url-fence'],
      ['/ga4gh/drs/v1/objects/dg.4503/abc/access/s3', 'presigned-url-fence', 'presigned-url-fence'],
      ['/ga4gh/drs/v1/objects/dg.4503/abc', 'indexd', 'indexd'],
      ['/index/index', 'indexd', 'indexd'],
      ['/api/v0/submission/program1', 'sheepdog', 'noproxy'],
      ['/api/v0/submission/graphql', 'peregrine', 'peregrine'],
      ['/api/search/foo', 'peregrine', 'peregrine'],
      ['/authz/mapping', 'arborist', 'arborist'],
      ['/authz', 'arborist', 'arborist'],
      ['/mds/metadata', 'metadata', 'metadata-service'],
      ['/audit/log', 'audit', 'audit-service'],
      ['/wts/token/', 'wts', 'wts'],
      ['/lw-workspace/status', 'hatchery', 'hatchery'],
      ['/lw-workspace/proxy/x', 'ambassador', 'ambassador'],
      ['/requestor/request', 'requestor', 'requestor-service'],
      ['/ff/', 'frontend-framework', 'frontend-framework'],
      ['/ffx', 'portal', 'portal'],
      ['/login', 'portal', 'portal'],
      ['/canary', null, 'noproxy'],
    ];
    for (const [path, service, proxy] of cases) {
      const r = routeOf(path);
      assert.deepEqual([r.service, r.proxyService], [service, proxy], path);
    }
    assert.equal(routeOf('/_status').unlogged, true);
  });

  it('writes lines the parser reads back, with nginx escaping and the $loggable user agents left out', () => {
    const l = accessLine({
      timeMs: Date.UTC(2026, 6, 14, 9, 26, 53, 512),
      requestId: 'a'.repeat(32),
      clientIp: '10.0.0.1',
      bytes: 2,
      seconds: 0.0042,
      status: 500,
      requestUri: '/api/v0/submission/"x"\\',
      method: 'GET',
      referer: '',
      userAgent: 'é',
      upstream: 'http://sheepdog-service.ns.svc.cluster.local',
      proxyService: 'noproxy',
      protocol: 'HTTP/1.1',
    });
    assert.match(l, /"date_access": "2026-07-14T09:26:53\+00:00"/);
    assert.match(l, /"http_request": "\/api\/v0\/submission\/\\x22x\\x22\\x5C"/);
    assert.match(l, /"http_referer": "-"/);
    assert.match(l, /"http_useragent": "\\xC3\\xA9"/);
    assert.match(l, /"response_secs": 0\.004, "http_status_code": 500,/);
    assert.deepEqual(parseAccessLine(l), { service: 'sheepdog', statusClass: '5xx', seconds: 0.004 });
    assert.equal(loggable('kube-probe/1.29'), false);
    assert.equal(loggable('ELB-HealthChecker/2.0'), false);
    assert.equal(loggable('Mozilla/5.0'), true);
  });

  it("answers from the services' state, logs to revproxy's pods round-robin, and the agent's collector counts it through pods/log", async () => {
    const sim = new SimCommons({ hostname: 'sim.example.org', environment: 'simprod', name: 'sim', namespace: 'simns', release: '2026.06', services: ['revproxy', 'fence', 'indexd', 'portal'], replicas: { revproxy: 2 }, tickMs: 20, podStartMs: 10 });
    sim.start();
    try {
      await until(() => sim.serving('revproxy').ready === 2 && sim.serving('fence').ready > 0 && sim.serving('indexd').ready > 0, 'pods ready');
      const collector = new RequestMetricsCollector(new SimLogSource(sim));
      const obs = new Observations();
      await collector.start(obs);
      await until(() => collector.follower.stats.restarts === 0, 'following');
      const rp = new SimRevproxy(sim);
      const ask = (uri: string, method = 'GET') => rp.exchange({ method, uri, userAgent: 'Mozilla/5.0' });
      assert.equal((await ask('/user/user'))!.status, 200);
      sim.inject('indexd', 'error');
      assert.equal((await ask('/index/index'))!.status, 500);
      sim.inject('indexd', 'down');
      assert.equal((await ask('/index/index'))!.body, '{ "error": "service failure - try again later"}');
      assert.equal((await ask('/guppy/graphql', 'POST'))!.status, 500, 'a chart that is off: its name does not resolve');
      assert.equal((await ask('/_status'))!.status, 200);
      assert.equal((await rp.exchange({ method: 'GET', uri: '/user/user', userAgent: 'kube-probe/1.30' }))!.status, 200);
      const lines = sim.podNames('revproxy').map((p) => sim.logs.read(p)!.length);
      assert.deepEqual(lines, [2, 2], 'four logged lines, round-robin; /_status and the probe are not logged');
      const upstream = sim.logs.read(sim.podNames('revproxy')[0])!.map((l) => /"http_upstream": "([^"]*)"/.exec(l.text)![1]);
      assert.deepEqual(upstream, ['http://fence-service.simns.svc.cluster.local', 'http://indexd-service.simns.svc.cluster.local']);
      await until(() => collector.follower.stats.counted === 4, 'four lines counted');
      const total = (service: string, code: string) => obs.takeSamples().find((x) => x.name === REQUEST_METRICS.total && x.labels.service === service && x.labels.code === code)?.value;
      assert.equal(total('indexd', '5xx'), 2);
      assert.equal(total('guppy', '5xx'), 1);
      // revproxy down: the connection is refused and nothing is logged.
      sim.inject('revproxy', 'down');
      assert.equal(await ask('/user/user'), null);
      sim.inject('revproxy', 'none');
      sim.inject('indexd', 'none');
      // The demo's simulated users only ask for services the commons runs.
      rp.setTraffic(200);
      await until(() => collector.follower.stats.counted >= 40, 'simulated traffic counted');
      rp.setTraffic(0);
      const services = new Set(obs.takeSamples().filter((x) => x.name === REQUEST_METRICS.total && x.labels.code === '2xx').map((x) => x.labels.service));
      for (const svc of services) assert.ok(['fence', 'indexd', 'portal', 'revproxy'].includes(svc), svc);
      await collector.stop();
    } finally {
      sim.stop();
    }
  });
});
