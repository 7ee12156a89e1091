// What an agent sends as request metrics is input: the gateway keeps only the
// names, services, classes, buckets and values revproxy's log can give, and
// the control service exports them per commons, forgetting a removed commons.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DURATION_LE, REQUEST_SERVICES } from '../../contracts/gen3/revproxy';
import { reportedRequestSamples } from '../../backend/gateway/request-metrics-report';
import { RequestMetricsExport } from '../../backend/metrics/request-metrics';
import { RequestMetrics } from '../../agent/gen3/request-metrics';

const wire = (name: string, labels: Record<string, string>, value: number) => ({ name, labels, value, timestamp_ms: 0 });

/** A whole histogram of `n` requests for one (service, code), as the agent sends it. */
function agentSamples(service: string, code: '2xx' | '5xx', n: number) {
  const m = new RequestMetrics();
  for (let i = 0; i < n; i++) m.record({ service, statusClass: code, seconds: 0.02 });
  return m.samples().map((s) => wire(s.name, s.labels, s.value));
}

const commonsServices = new Set(['fence', 'indexd', 'etl']);

const render = (exp: RequestMetricsExport, c: { id: string; environment: string }) => exp.families(c).map((f) => f.text()).join('');

describe('request samples at the gateway', () => {
  it('keeps what the agent sends for known services', () => {
    const samples = [...agentSamples('fence', '2xx', 3), ...agentSamples('other', '5xx', 1), ...agentSamples('sheepdog', '2xx', 2)];
    const r = reportedRequestSamples(samples, commonsServices);
    assert.equal(r.dropped, 0);
    assert.equal(r.samples.length, samples.length);
    // A service the commons runs counts even when the revproxy mapping does not name it.
    assert.equal(reportedRequestSamples(agentSamples('etl', '2xx', 1), commonsServices).dropped, 0);
  });

  it('drops unknown names, services, codes, buckets, extra or missing labels and impossible values, and counts them', () => {
    const bad = [
      wire('dcoc_requests_total', { service: 'made-up', code: '2xx' }, 1),
      wire('dcoc_requests_total', { service: 'fence', code: '2XX' }, 1),
      wire('dcoc_requests_total', { service: 'fence', code: '6xx' }, 1),
      wire('dcoc_requests_total', { service: 'fence', code: '2xx', path: '/user/user' }, 1),
      wire('dcoc_requests_total', { service: 'fence' }, 1),
      wire('dcoc_requests_total', { service: 'fence', code: '2xx' }, -1),
      wire('dcoc_requests_total', { service: 'fence', code: '2xx' }, 1.5),
      wire('dcoc_requests_total', { service: 'fence', code: '2xx' }, Number.NaN),
      wire('dcoc_requests_total', { service: 'fence', code: '2xx' }, Number.POSITIVE_INFINITY),
      wire('dcoc_requests_total', { service: 'constructor', code: '2xx' }, 1),
      wire('dcoc_request_duration_seconds_bucket', { service: 'fence', code: '2xx', le: '0.3' }, 1),
      wire('dcoc_request_duration_seconds_bucket', { service: 'fence', code: '2xx' }, 1),
      wire('dcoc_request_duration_seconds_sum', { service: 'fence', code: '2xx', le: '+Inf' }, 1),
      wire('dcoc_request_duration_seconds_sum', { service: 'fence', code: '2xx' }, -0.5),
      wire('dcoc_request_duration_seconds_count', { service: 'fence', code: '2xx' }, 2 ** 60),
    ];
    const r = reportedRequestSamples(bad, commonsServices);
    assert.deepEqual(r.samples, []);
    assert.equal(r.dropped, bad.length);
    assert.equal(reportedRequestSamples([wire('dcoc_request_duration_seconds_sum', { service: 'fence', code: '2xx' }, 0.25)], commonsServices).dropped, 0, 'a sum has a fraction');
  });

  it('an agent sending 10,000 made-up services gets none exported', async () => {
    const exp = new RequestMetricsExport();
    // A rogue agent: the agent's own counter folds unknown services into `other`, so these are made on the wire.
    const samples = Array.from({ length: 10_000 }, (_, i) =>
      agentSamples('fence', '5xx', 1).map((s) => ({ ...s, labels: { ...s.labels, service: `made-up-${i}` } })),
    ).flat();
    const r = reportedRequestSamples(samples, commonsServices);
    assert.equal(r.samples.length, 0);
    assert.equal(r.dropped, samples.length);
    exp.update('data-midrc-org', r.samples);
    assert.equal(exp.seriesOf('data-midrc-org'), 0);
    assert.doesNotMatch(render(exp, { id: 'data-midrc-org', environment: 'midrcprod' }), /made-up/);
  });
});

describe("request metrics on a commons' /metrics/commons/{id}", () => {
  it('exports the newest cumulative values per commons, whole histograms only, and forgets a removed commons', () => {
    let commons = [
      { id: 'data-midrc-org', environment: 'midrcprod' },
      { id: 'healdata-org', environment: 'healprod' },
    ];
    const exp = new RequestMetricsExport();
    const all = () => commons.map((c) => render(exp, c)).join('');
    exp.update('data-midrc-org', reportedRequestSamples(agentSamples('fence', '2xx', 3), commonsServices).samples);
    exp.update('data-midrc-org', reportedRequestSamples(agentSamples('fence', '2xx', 5), commonsServices).samples);
    exp.update('healdata-org', reportedRequestSamples(agentSamples('indexd', '5xx', 2), commonsServices).samples);
    // A partial histogram (a bucket missing) is not exported; its counter is.
    const partial = agentSamples('wts', '2xx', 1).filter((s) => s.labels.le !== '0.5');
    exp.update('healdata-org', reportedRequestSamples(partial, commonsServices).samples);
    let text = all();
    assert.match(text, /# TYPE dcoc_requests_total counter/);
    assert.match(text, /# TYPE dcoc_request_duration_seconds histogram/);
    assert.match(text, /^dcoc_requests_total\{commons="data-midrc-org",environment="midrcprod",service="fence",code="2xx"\} 5$/m);
    assert.match(text, /^dcoc_request_duration_seconds_bucket\{commons="data-midrc-org",environment="midrcprod",service="fence",code="2xx",le="\+Inf"\} 5$/m);
    assert.match(text, /^dcoc_request_duration_seconds_count\{commons="healdata-org",environment="healprod",service="indexd",code="5xx"\} 2$/m);
    assert.match(text, /^dcoc_requests_total\{commons="healdata-org",environment="healprod",service="wts",code="2xx"\} 1$/m);
    assert.doesNotMatch(text, /dcoc_request_duration_seconds_count\{[^}]*service="wts"/);
    const buckets = [...text.matchAll(/^dcoc_request_duration_seconds_bucket\{commons="data-midrc-org"[^}]*le="([^"]+)"\}/gm)].map((m) => m[1]);
    assert.deepEqual(buckets, DURATION_LE, 'buckets in order');
    commons = commons.filter((c) => c.id !== 'healdata-org');
    exp.prune((id) => commons.some((c) => c.id === id));
    text = all();
    assert.doesNotMatch(text, /healdata-org/);
    assert.equal(exp.seriesOf('healdata-org'), 0, 'forgotten');
    assert.ok(REQUEST_SERVICES.includes('other'));
  });
});
