// backend/alerting/alertmanager.ts against the real Alertmanager 0.25 (Debian's):
// the alerts firing for one commons (what a rollout gate reads), and a silence
// created, seen active, silencing that commons' alert, then expired (what a
// maintenance window does), idempotently.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Alertmanager, AlertmanagerError } from '../../backend/alerting/alertmanager';
import { eventually } from '../support/fleet';
import { ALERTMANAGER, type Daemon, findTool, requireTools, startAlertmanager } from './support';

const bin = findTool(ALERTMANAGER);

describe('the Alertmanager client, on the real Alertmanager', () => {
  let am: Daemon | undefined;
  let client: Alertmanager;
  before(async () => {
    if (!bin) return;
    am = await startAlertmanager(bin, 'route:\n  receiver: blackhole\n  group_wait: 0s\nreceivers:\n  - name: blackhole\n');
    client = new Alertmanager({ url: am.url });
    // As Prometheus posts them: one alert for midrc, one for heal, one for nobody.
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const post = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { labels: { alertname: 'DCOCServiceDown', commons: 'data-midrc-org', service: 'fence', severity: 'critical' }, endsAt },
        { labels: { alertname: 'DCOCServiceDown', commons: 'healdata-org', service: 'indexd', severity: 'critical' }, endsAt },
        { labels: { alertname: 'Watchdog' }, endsAt },
      ]),
    });
    assert.equal(post.status, 200);
  });
  after(() => am?.stop());

  it('reads the alerts firing for one commons', async (t) => {
    if (!requireTools(t, ALERTMANAGER)) return;
    const midrc = await eventually(async () => {
      const a = await client.alerts([{ name: 'commons', value: 'data-midrc-org', isRegex: false }]);
      return a.length > 0 && a;
    }, { what: "midrc's alert" });
    assert.deepEqual(midrc.map((a) => [a.labels.alertname, a.labels.service, a.state]), [['DCOCServiceDown', 'fence', 'active']]);
    const both = await client.alerts([{ name: 'commons', value: 'data-midrc-org|healdata-org', isRegex: true }]);
    assert.deepEqual(both.map((a) => a.labels.commons).sort(), ['data-midrc-org', 'healdata-org']);
  });

  it('creates a silence that silences the commons, then expires it, twice without error', async (t) => {
    if (!requireTools(t, ALERTMANAGER)) return;
    const id = await client.createSilence({
      matchers: [{ name: 'commons', value: 'data-midrc-org', isRegex: false }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 600_000).toISOString(),
      createdBy: 'dcoc',
      comment: 'maintenance window "nightly" (test)',
    });
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal((await client.getSilence(id))?.status.state, 'active');
    assert.ok((await client.listSilences([{ name: 'commons', value: 'data-midrc-org', isRegex: false }])).some((s) => s.id === id));
    await eventually(async () => (await client.alerts([{ name: 'commons', value: 'data-midrc-org', isRegex: false }])).length === 0, { what: 'the alert silenced' });
    assert.equal((await client.alerts([{ name: 'commons', value: 'data-midrc-org', isRegex: false }], { silenced: true })).length, 1, 'still there when silenced ones are asked for');
    await client.expireSilence(id);
    assert.equal((await client.getSilence(id))?.status.state, 'expired');
    await client.expireSilence(id);
    assert.equal(await client.getSilence('00000000-0000-0000-0000-000000000000'), undefined);
  });

  it('says what to check when the Alertmanager cannot be reached', async () => {
    const gone = new Alertmanager({ url: 'http://127.0.0.1:1', timeoutMs: 1000 });
    await assert.rejects(gone.alerts([]), (e: Error) => e instanceof AlertmanagerError && /unreachable.*DCOC_ALERTMANAGER_URL/.test(e.message));
  });
});
