// CheckHealth (and CollectMetrics) on both executables through Grafana's own
// client: the SDK's FromProto gives OK with details when the control service
// answers, ERROR with what to fix when the configuration is wrong.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { freePort } from '../support/free-port';
import { describeUnless, grafanaHostMissing } from '../support/go-grafana-host';
import { appContext, dsContext, type DcocContextOptions } from '../plugin-dcoc/support/contexts';
import { GO_CLIENT, pluginFleet } from '../plugin-dcoc/support/plugin-fleet';

const WRONG_SECRET = 'not-the-secret-0123456789abcdef';

const missing = grafanaHostMissing('CheckHealth through Grafana’s plugin client');

describeUnless(missing, 'CheckHealth, as Grafana’s client reads it', () => {
  const rig = pluginFleet(GO_CLIENT, ['datasource', 'app'], { commons: [DEMO_COMMONS[1]] });

  const dsHealth = (o: Partial<DcocContextOptions> = {}) => rig.datasource.checkHealth({ pluginContext: dsContext({ role: 'Admin', controlUrl: rig.fleet.control.url, ...o }) });
  const appHealth = (o: Partial<DcocContextOptions> = {}) => rig.app.checkHealth({ pluginContext: appContext({ role: 'Admin', controlUrl: rig.fleet.control.url, ...o }) });

  it('data source: OK with the control service running, details as JSON', async () => {
    const r = await dsHealth();
    assert.deepEqual(r, {
      status: 'OK',
      message: `connected to the DCOC control service at ${rig.fleet.control.url} as admin-user (admin): 1 commons, 1 healthy`,
      jsonDetails: { controlUrl: rig.fleet.control.url, actor: 'admin-user', role: 'admin', commons: 1, healthy: 1 },
    });
  });

  it('app: OK with the control service running', async () => {
    const r = await appHealth();
    assert.equal(r.status, 'OK');
    assert.match(r.message, /^connected to the DCOC control service at .* as admin-user \(admin\)/);
  });

  it('both: ERROR naming the secrets that must match when the secret is wrong', async () => {
    const d = await dsHealth({ secret: WRONG_SECRET });
    assert.equal(d.status, 'ERROR');
    assert.match(d.message, /^the control service refused the shared secret; set the same secret in DCOC_PLUGIN_SECRET and the DCOC data source's controlSecret/);
    const a = await appHealth({ secret: WRONG_SECRET });
    assert.equal(a.status, 'ERROR');
    assert.match(a.message, /the DCOC app's controlSecret/);
  });

  it('both: ERROR saying what is missing or unreachable', async () => {
    assert.deepEqual(await dsHealth({ secret: '' }), {
      status: 'ERROR',
      message: "the DCOC data source's controlSecret is not set: set it to the control service's DCOC_PLUGIN_SECRET",
      jsonDetails: null,
    });
    const url = `http://127.0.0.1:${await freePort()}`;
    for (const r of [await dsHealth({ controlUrl: url }), await appHealth({ controlUrl: url })]) {
      assert.equal(r.status, 'ERROR');
      assert.equal(r.message, `cannot reach the control service at ${url}: ECONNREFUSED; check controlUrl and that dcoc-control is running`);
    }
  });

  it('CollectMetrics: Prometheus text from each process', async () => {
    for (const [h, ctx] of [
      [rig.datasource, dsContext({ controlUrl: rig.fleet.control.url })],
      [rig.app, appContext({ controlUrl: rig.fleet.control.url })],
    ] as const) {
      const text = await h.collectMetrics({ pluginContext: ctx });
      assert.match(text, /^process_cpu_user_seconds_total \d/m);
      assert.match(text, /^dcoc_plugin_control_requests_total\{route="whoami",status="200"\} [1-9]/m);
    }
  });
});
