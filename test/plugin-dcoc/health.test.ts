// CheckHealth is OK with the demo fleet running, and
// ERROR with what to fix when the control service is down or the secret is
// wrong; for the data source and for the app. Also CollectMetrics.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_COMMONS, stopProc } from '../../scripts/demo/processes';
import { freePort } from '../support/free-port';
import { eventually } from '../support/fleet';
import { appContext, dsContext, type DcocContextOptions } from './support/contexts';
import { pluginFleet, TS_HOST } from './support/plugin-fleet';
import { FakeGrafana } from './support/fake-grafana';

const rig = pluginFleet(TS_HOST, ['datasource', 'app'], { commons: DEMO_COMMONS.slice(1, 2) });

const dsHealth = (o: Partial<DcocContextOptions> = {}) => rig.datasource.checkHealth(dsContext({ role: 'Admin', controlUrl: rig.fleet.control.url, ...o }));
const appHealth = (o: Partial<DcocContextOptions> = {}) => rig.app.checkHealth(appContext({ role: 'Admin', controlUrl: rig.fleet.control.url, ...o }));

describe('CheckHealth', () => {
  it('OK with the control service running and the right secret', async () => {
    const r = await eventually(async () => {
      const h = await dsHealth();
      return / 1 healthy$/.test(h.message) && h;
    }, { what: 'the commons to be healthy', timeoutMs: 60_000 });
    assert.equal(r.status, 'OK');
    assert.equal(r.message, `connected to the DCOC control service at ${rig.fleet.control.url} as admin-user (admin): 1 commons, 1 healthy`);
    assert.deepEqual(JSON.parse(Buffer.from(r.jsonDetails).toString()), { controlUrl: rig.fleet.control.url, actor: 'admin-user', role: 'admin', commons: 1, healthy: 1 });
    const a = await appHealth();
    assert.equal(a.status, 'OK');
    assert.match(a.message, /^connected to the DCOC control service/);
  });

  it('OK for a health check Grafana makes itself (no user), as the service identity', async () => {
    const r = await dsHealth({ user: null });
    assert.equal(r.status, 'OK');
    assert.match(r.message, /as grafana-server \(developer\)/);
  });

  it('ERROR saying which secrets must match when the secret is wrong', async () => {
    const r = await dsHealth({ secret: 'not-the-secret-0123456789abcdef' });
    assert.equal(r.status, 'ERROR');
    assert.equal(
      r.message,
      "the control service refused the shared secret; set the same secret in DCOC_PLUGIN_SECRET and the DCOC data source's controlSecret (control service: assertion signature does not verify)",
    );
    const a = await appHealth({ secret: 'not-the-secret-0123456789abcdef' });
    assert.equal(a.status, 'ERROR');
    assert.match(a.message, /the DCOC app's controlSecret/);
  });

  it('ERROR saying what is missing when the settings are incomplete', async () => {
    assert.deepEqual(
      [(await dsHealth({ secret: '' })).message, (await dsHealth({ controlUrl: 'ftp://x' })).message],
      [
        "the DCOC data source's controlSecret is not set: set it to the control service's DCOC_PLUGIN_SECRET",
        "the DCOC data source's controlUrl must be http:// or https://, not ftp:",
      ],
    );
  });

  // A zip install without provisioning has the app's service account disabled until the app is enabled.
  it("OK with the org-role mapping, saying why, when Grafana refuses the app's service account token", async () => {
    const grafana = await FakeGrafana.start();
    try {
      const ctx = appContext({
        role: 'Admin',
        controlUrl: rig.fleet.control.url,
        grafanaConfig: { ...grafana.grafanaConfig(), GF_PLUGIN_APP_CLIENT_SECRET: 'glsa_revoked' },
      });
      const r = await rig.app.checkHealth(ctx, { 'http_X-Grafana-Id': grafana.idToken('user:1') });
      assert.equal(r.status, 'OK', r.message);
      assert.match(r.message, /^connected to the DCOC control service .* as admin-user \(admin\).*\. Roles come from the org-role mapping, not Grafana RBAC: Grafana refused the app's service account token \(401\).*save the app's configuration page/);
      assert.equal(JSON.parse(Buffer.from(r.jsonDetails).toString()).roleSource, 'org-role');
    } finally {
      await grafana.close();
    }
  });

  it('ERROR naming the URL and the cause when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await dsHealth({ controlUrl: url });
    assert.equal(r.status, 'ERROR');
    assert.equal(r.message, `cannot reach the control service at ${url}: ECONNREFUSED; check controlUrl and that dcoc-control is running`);
  });

  it('ERROR once the running control service goes down, OK again when it is back', async () => {
    await stopProc(rig.fleet.control);
    const down = await dsHealth();
    assert.equal(down.status, 'ERROR');
    // A kept-alive connection may notice the shutdown as a reset rather than a refusal.
    const url = rig.fleet.control.url.replace(/[.]/g, '\\.');
    assert.match(down.message, new RegExp(`^cannot reach the control service at ${url}: (ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET); check controlUrl and that dcoc-control is running$`));
    assert.equal((await appHealth()).status, 'ERROR');
    await rig.fleet.restartControl();
    assert.equal((await dsHealth()).status, 'OK');
  });
});

describe('CollectMetrics', () => {
  it("serves the plugin process's own prom-client registry", async () => {
    const text = await rig.datasource.collectMetrics(dsContext({ controlUrl: rig.fleet.control.url }));
    assert.match(text, /^process_cpu_user_seconds_total \d/m);
    assert.match(text, /^nodejs_heap_size_used_bytes \d/m);
    assert.match(text, /^dcoc_plugin_control_requests_total\{route="commons",status="200"\} [1-9]/m);
    assert.match(text, /^dcoc_plugin_control_requests_total\{route="whoami",status="401"\} [1-9]/m);
    assert.match(text, /^dcoc_plugin_control_requests_total\{route="whoami",status="error"\} [1-9]/m);
    assert.match(text, /^dcoc_plugin_control_request_duration_seconds_bucket\{le="\+Inf",route="commons"\} [1-9]/m);
  });
});
