// The fleet-wide queries at 10,000 commons, through the shipped data source
// executable driven by Grafana's own plugin client (go-plugin,
// grafana-plugin-sdk-go's decoder), against a
// control service seeded with 10,000 commons (test/support/seeded-control.ts):
// each query is one request to GET /fleet/summary (counted on the control
// service's /metrics), and health is one numeric-long frame Grafana decodes.
// go-plugin lifts gRPC's 4 MiB receive limit on its client (grpc_client.go
// dials with MaxCallRecvMsgSize math.MaxInt32, v1.8.0), so the health frame's
// encoded size is checked in test/unit/health-frame-size.test.ts.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeUnless, grafanaHostMissing, GoGrafanaHost, query, type DataResponse, type RenderedFrame } from '../support/go-grafana-host';
import { postgresMissing } from '../support/postgres';
import { dsContext } from '../plugin-dcoc/support/contexts';
import { dcocExecutables } from '../plugin-dcoc/support/build';
import { DOWN_EVERY, FAILED_EVERY, seededId, startSeededControl, type SeededControl } from '../support/seeded-control';

const COMMONS = 10_000;
const missing = grafanaHostMissing('the fleet-wide queries at 10,000 commons through Grafana’s plugin client') ?? (await postgresMissing()) ?? undefined;

describeUnless(missing, `fleet-wide queries at ${COMMONS} commons, decoded by grafana-plugin-sdk-go`, () => {
  let seeded: SeededControl;
  let host: GoGrafanaHost;
  before(async () => {
    const [exes, s] = await Promise.all([dcocExecutables(), startSeededControl(COMMONS)]);
    seeded = s;
    host = await GoGrafanaHost.start(exes.datasource);
  });
  after(async () => {
    await host?.stop();
    await seeded?.stop();
  });

  /** Requests the control service answered, per route, from its own request histogram. */
  async function requests(): Promise<Map<string, number>> {
    const text = await (await fetch(`${seeded.control.url}/metrics`)).text();
    const out = new Map<string, number>();
    for (const m of text.matchAll(/^dcoc_http_request_duration_seconds_count\{([^}]*)\} (\d+)/gm)) {
      const route = /route="([^"]*)"/.exec(m[1])?.[1] ?? '';
      out.set(route, (out.get(route) ?? 0) + Number(m[2]));
    }
    return out;
  }

  async function ask(json: Record<string, unknown>): Promise<{ r: DataResponse; delta: Record<string, number> }> {
    const before = await requests();
    const res = await host.queryData({ pluginContext: dsContext({ role: 'Admin', controlUrl: seeded.control.url }), queries: [query({ refId: 'A', json })] });
    const afterwards = await requests();
    const delta: Record<string, number> = {};
    for (const [route, n] of afterwards) if (route !== '/metrics' && n !== (before.get(route) ?? 0)) delta[route] = n - (before.get(route) ?? 0);
    return { r: res.A, delta };
  }

  const col = (f: RenderedFrame, name: string) => f.fields.find((x) => x.name === name)!.values;

  it('health: one request, one numeric-long frame of 10,000 rows, values as seeded', async () => {
    const { r, delta } = await ask({ queryType: 'health' });
    assert.equal(r.error, '');
    assert.deepEqual(delta, { '/api/v1/fleet/summary': 1 }, 'one request, none per commons');
    assert.equal(r.frames.length, 1);
    const f = r.frames[0];
    assert.deepEqual(f.meta, { type: 'numeric-long', typeVersion: [0, 1] });
    assert.deepEqual(
      f.fields.map((x) => [x.name, x.type]),
      [['commons', 'string'], ['environment', 'string'], ['services_down', 'nullable float64'], ['agent_silence_seconds', 'nullable float64'], ['commands_failed', 'nullable float64']],
    );
    assert.equal(f.rows, COMMONS);
    const ids = col(f, 'commons');
    for (const i of [0, 1, 7, 10, 9_999]) {
      const row = ids.indexOf(seededId(i));
      assert.ok(row >= 0, `a row for ${seededId(i)}`);
      assert.equal(col(f, 'environment')[row], i % 2 ? 'staging' : 'prod');
      assert.equal(col(f, 'services_down')[row], i % DOWN_EVERY === 0 ? 1 : 0, `${seededId(i)} services_down`);
      assert.equal(col(f, 'commands_failed')[row], i % FAILED_EVERY === 0 ? 2 : 0, `${seededId(i)} commands_failed`);
      assert.ok((col(f, 'agent_silence_seconds')[row] as number) >= 0);
    }
  });

  it('services of all commons, one service: one request, one row per commons', async () => {
    const { r, delta } = await ask({ queryType: 'services', service: 'indexd' });
    assert.equal(r.error, '');
    assert.deepEqual(delta, { '/api/v1/fleet/summary': 1 }, 'one request, none per commons');
    const f = r.frames[0];
    assert.equal(f.rows, COMMONS);
    assert.ok(col(f, 'service').every((s) => s === 'indexd'));
    const down = col(f, 'status').filter((s) => s === 'down').length;
    assert.equal(down, COMMONS / DOWN_EVERY);
  });
});
