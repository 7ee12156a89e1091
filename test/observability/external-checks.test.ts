// External checks end to end: the control service probes each commons'
// public endpoints (here a local HTTPS server standing in for revproxy's load
// balancer, reached through DCOC_EXTERNAL_CHECK_ADDRESSES, its certificates from
// a throwaway CA given in DCOC_EXTERNAL_CHECK_CA_FILE), a real Prometheus
// scrapes it and runs the shipped rule file (every `for` divided by 60, as
// alert-delivery.test.ts does):
//   data.midrc.org          certificate expiring in 10 days -> DCOCExternalCertificateExpiring
//   brh.data-commons.org    nothing listens at its address  -> DCOCExternalEndpointDown, each endpoint
//   healdata.org            certificate valid for 30 days   -> nothing
// and GET /api/v1/commons/{id}/external-checks answers with what was measured.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExternalCheckList } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { strictIssues } from '../support/strict-schema';
import { DAY_MS, TlsEndpoints } from '../support/tls-endpoint';
import { type Daemon, PROMETHEUS, fastRules, findTool, promQuery, requireTools, shippedScrapeConfigs, startPrometheus } from './support';

const [BRH, MIDRC, HEAL] = DEMO_COMMONS;
const ID = { brh: 'brh-data-commons-org', midrc: 'data-midrc-org', heal: 'healdata-org' };
const PATHS = ['/', '/user/_status', '/index/_status', '/_status'];
const EVAL_S = 1;
const prometheusBin = findTool(PROMETHEUS);

describe('external checks: a certificate expiring in 10 days and an endpoint refusing connections fire in Prometheus; a 30-day certificate does not', () => {
  let fleet: TestFleet | undefined;
  let prom: Daemon | undefined;
  let tls: TlsEndpoints | undefined;
  let midrcNotAfter: Date;
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-external-'));
  const fast = fastRules();

  before(async () => {
    tls = await TlsEndpoints.create();
    midrcNotAfter = await tls.serve(MIDRC.hostname, 10 * DAY_MS);
    await tls.serve(HEAL.hostname, 30 * DAY_MS);
    const port = await tls.listen('127.0.0.1');
    const caFile = join(dir, 'commons-ca.pem');
    writeFileSync(caFile, tls.caPem);
    fleet = await TestFleet.start({
      commons: [BRH, MIDRC, HEAL],
      controlEnv: {
        DCOC_EXTERNAL_CHECKS: 'true',
        DCOC_EXTERNAL_CHECK_URL: `https://{hostname}:${port}`,
        // BRH's address is another loopback address, where nothing listens on that port: connection refused.
        DCOC_EXTERNAL_CHECK_ADDRESSES: `${MIDRC.hostname}=127.0.0.1,${HEAL.hostname}=127.0.0.1,${BRH.hostname}=127.0.0.2`,
        DCOC_EXTERNAL_CHECK_CA_FILE: caFile,
        DCOC_EXTERNAL_CHECK_INTERVAL_S: '5',
        DCOC_EXTERNAL_CHECK_TIMEOUT_S: '2',
      },
    });
    // Services healthy first, so no rule about them fires while Prometheus watches.
    await fleet.healthyCommons(3);
    if (!prometheusBin) return; // the Prometheus test skips loudly (or fails under CI)
    prom = await startPrometheus(
      prometheusBin,
      `global: { scrape_interval: 1s, evaluation_interval: ${EVAL_S}s }
rule_files: [dcoc-alerts.yml]
scrape_configs: ${shippedScrapeConfigs(new URL(fleet.control.url).host)}
`,
      { 'dcoc-alerts.yml': fast.yaml },
    );
  });

  after(async () => {
    await prom?.stop();
    await fleet?.stop();
    await tls?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const checks = async (id: string) => {
    const viewer = await fleet!.tokenFor('viewer');
    const r = await fleet!.api<ExternalCheckList>(viewer, 'GET', `/api/v1/commons/${id}/external-checks`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(strictIssues(ExternalCheckList, r.body), '', 'the body is what contracts/api.ts ExternalCheckList describes, nothing more');
    return r.body.items;
  };
  const allChecked = (id: string) => eventually(async () => {
    const items = await checks(id);
    return items.length === PATHS.length && items.every((i) => i.checkedAt !== null) && items;
  }, { what: `every endpoint of ${id} probed`, timeoutMs: 30_000 });

  it('GET …/external-checks: status, latency and certificate expiry of each endpoint, what went wrong in words; 404 for an unknown commons', async () => {
    const midrc = await allChecked(ID.midrc);
    assert.deepEqual(midrc.map((i) => new URL(i.url).pathname), PATHS);
    for (const i of midrc) {
      assert.equal(new URL(i.url).hostname, MIDRC.hostname);
      assert.equal(i.ok, true, i.error);
      assert.equal(i.httpStatus, 200);
      assert.equal(typeof i.latencyMs, 'number');
      assert.equal(i.certificateValid, true, 'verified against DCOC_EXTERNAL_CHECK_CA_FILE');
      assert.equal(Math.floor(Date.parse(i.certificateNotAfter!) / 1000), Math.floor(midrcNotAfter.getTime() / 1000));
      assert.equal(i.error, '');
    }
    const brh = await allChecked(ID.brh);
    for (const i of brh) {
      assert.equal(i.ok, false);
      assert.equal(i.httpStatus, null);
      assert.equal(i.error, 'connection refused');
      assert.equal(i.certificateNotAfter, null);
    }
    const heal = await allChecked(ID.heal);
    assert.ok(heal.every((i) => i.ok && Date.parse(i.certificateNotAfter!) > Date.now() + 29 * DAY_MS));
    // What the server saw: every path, SNI the commons' hostname, no credential.
    const seen = tls!.seen.filter((s) => s.servername === MIDRC.hostname);
    assert.deepEqual([...new Set(seen.map((s) => s.path))].sort(), [...PATHS].sort());
    assert.ok(seen.every((s) => !s.headers.authorization && !s.headers.cookie));

    const unknown = await fleet!.admin<{ status: number; detail: string }>('GET', '/api/v1/commons/no-such-commons/external-checks');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.detail, /no-such-commons/);
  });

  it('Prometheus fires DCOCExternalCertificateExpiring for the 10-day certificate and DCOCExternalEndpointDown for each refused endpoint; nothing for the 30-day certificate', async (t) => {
    if (!requireTools(t, PROMETHEUS)) return;
    const firing = async () =>
      (await promQuery(prom!.url, 'ALERTS{alertstate="firing",alertname=~"DCOCExternal.*"}'))
        .map((s) => [s.metric.alertname, s.metric.commons, s.metric.endpoint ?? ''].join(' ').trim())
        .sort();
    const expected = [
      ...PATHS.map((p) => `DCOCExternalEndpointDown ${ID.brh} ${p}`),
      `DCOCExternalCertificateExpiring ${ID.midrc}`,
    ].sort();
    await eventually(async () => JSON.stringify(await firing()) === JSON.stringify(expected) || undefined, {
      what: `Prometheus to fire ${expected.join(', ')}`,
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    const expiring = await promQuery(prom!.url, `ALERTS{alertname="DCOCExternalCertificateExpiring",alertstate="firing"}`);
    assert.deepEqual(expiring[0].metric, { __name__: 'ALERTS', alertname: 'DCOCExternalCertificateExpiring', alertstate: 'firing', commons: ID.midrc, environment: MIDRC.environment, severity: 'warning' });

    // Longer than every external rule's `for` and two evaluations more: the 30-day certificate and the
    // certificates that verify still fire nothing, pending included.
    const longest = Math.max(...Object.entries(fast.forSeconds).filter(([a]) => a.startsWith('DCOCExternal')).map(([, s]) => s));
    await new Promise((r) => setTimeout(r, (longest + 2 * EVAL_S) * 1000));
    assert.deepEqual(await firing(), expected);
    assert.deepEqual(await promQuery(prom!.url, `ALERTS{commons="${ID.heal}"}`), [], 'nothing pending or firing for the commons with a 30-day certificate');
    assert.deepEqual(await promQuery(prom!.url, 'ALERTS{alertname="DCOCExternalCertificateInvalid"}'), [], 'every certificate verifies against the CA file');
    // The series behind them.
    const days = await promQuery(prom!.url, `(min by (commons) (dcoc_external_tls_cert_expiry_timestamp_seconds) - time()) / 86400`);
    const byCommons = Object.fromEntries(days.map((s) => [s.metric.commons, Number(s.value![1])]));
    assert.ok(byCommons[ID.midrc] > 9.9 && byCommons[ID.midrc] <= 10, `MIDRC: ${byCommons[ID.midrc]} days`);
    assert.ok(byCommons[ID.heal] > 29.9 && byCommons[ID.heal] <= 30, `HEAL: ${byCommons[ID.heal]} days`);
    assert.equal(byCommons[ID.brh], undefined, 'no certificate from an endpoint that refuses connections');
  });
});
