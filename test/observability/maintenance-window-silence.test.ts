// A maintenance window against the real Alertmanager 0.25 (issue 18,
// must-show 2, first half): a window of a few seconds that starts now makes
// the running control service create a silence for the window's commons,
// active in GET /api/v2/silences during the window (the commons' alert is
// silenced) and expired after it; a window deleted while it lasts has its
// silence expired at once, before its end.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry } from '../../contracts/api';
import type { WindowView } from '../../contracts/windows';
import { TestFleet, eventually } from '../support/fleet';
import { ALERTMANAGER, type Daemon, findTool, requireTools, startAlertmanager } from './support';

const bin = findTool(ALERTMANAGER);
const ID = 'data-midrc-org';

interface AmSilence {
  id: string;
  createdBy: string;
  comment: string;
  endsAt: string;
  matchers: { name: string; value: string; isRegex: boolean }[];
  status: { state: 'active' | 'pending' | 'expired' };
}

describe('a maintenance window silences its commons in the real Alertmanager', () => {
  let am: Daemon | undefined;
  let fleet: TestFleet | undefined;
  let operator: string;

  const silences = async () => (await (await fetch(`${am!.url}/api/v2/silences`)).json()) as AmSilence[];
  const silenced = async () => {
    const q = new URLSearchParams({ active: 'true', silenced: 'true', inhibited: 'false', filter: `commons="${ID}"` });
    return ((await (await fetch(`${am!.url}/api/v2/alerts?${q}`)).json()) as { status: { state: string } }[]).map((a) => a.status.state);
  };
  const window = async (id: string) => (await fleet!.admin<WindowView>('GET', `/api/v1/windows/${id}`)).body;

  before(async () => {
    if (!bin) return;
    am = await startAlertmanager(bin, 'route:\n  receiver: blackhole\n  group_wait: 0s\nreceivers:\n  - name: blackhole\n');
    // The alert Prometheus would post for the commons (labels as provisioning/prometheus/dcoc-alerts.yml gives them).
    const post = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'DCOCServiceDown', commons: ID, service: 'fence', severity: 'critical' }, endsAt: new Date(Date.now() + 3_600_000).toISOString() }]),
    });
    assert.equal(post.status, 200);
    // No agent is needed: a window names its commons, and the silence is the Alertmanager's.
    fleet = await TestFleet.start({ commons: [], controlEnv: { DCOC_ALERTMANAGER_URL: am.url } });
    operator = await fleet.tokenFor('operator');
  });
  after(async () => {
    await fleet?.stop();
    await am?.stop();
  });

  it('creates the silence at the start, active during the window, expired after its end', async (t) => {
    if (!requireTools(t, ALERTMANAGER)) return;
    const start = Date.now();
    const end = start + 8_000;
    const r = await fleet!.api<WindowView>(operator, 'POST', '/api/v1/windows', {
      name: 'quick patch',
      kind: 'maintenance',
      target: { commons: [ID] },
      schedule: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
      reason: 'kernel patch',
      silence: true,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.id;

    const active = await eventually(async () => (await silences()).find((s) => s.createdBy === 'dcoc' && s.status.state === 'active'), { what: 'an active silence by dcoc', timeoutMs: 6_000 });
    assert.deepEqual(active.matchers.map((m) => [m.name, m.value, m.isRegex]), [['commons', ID, true]]);
    assert.match(active.comment, new RegExp(`maintenance window "quick patch" \\(${id}\\): kernel patch`));
    assert.equal(Date.parse(active.endsAt), end, 'ends with the window');
    await eventually(async () => (await silenced()).includes('suppressed'), { what: "the commons' alert silenced" });
    const during = await window(id);
    assert.equal(during.runs[0].state, 'active');
    assert.deepEqual(during.runs[0].silenceIds, [active.id]);

    await eventually(async () => (await silences()).find((s) => s.id === active.id)?.status.state === 'expired', { what: 'the silence expired', timeoutMs: 20_000 });
    const ended = await eventually(async () => {
      const w = await window(id);
      return w.runs[0].state === 'ended' && w;
    }, { what: 'the run ended', timeoutMs: 10_000 });
    assert.ok(ended.runs[0].results.includes(`silence ${active.id} expired`), ended.runs[0].results.join('\n'));
    assert.ok(Date.parse(ended.runs[0].endedAt!) >= end, 'ended at or after its end');
    await eventually(async () => (await silenced()).includes('active'), { what: "the commons' alert active again" });
    const audit = (await fleet!.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=200')).body.items.filter((e) => (e.detail as { window?: string }).window === id).map((e) => e.action);
    assert.deepEqual(audit.sort(), ['window.create', 'window.end', 'window.start']);
  });

  it('a window deleted while it lasts has its silence expired at once', async (t) => {
    if (!requireTools(t, ALERTMANAGER)) return;
    const r = await fleet!.api<WindowView>(operator, 'POST', '/api/v1/windows', {
      name: 'long one',
      kind: 'maintenance',
      target: { commons: [ID] },
      schedule: { start: new Date().toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() },
      reason: 'migration',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const sid = await eventually(async () => (await window(r.body.id)).runs[0]?.silenceIds[0], { what: "the run's silence" });
    assert.equal((await silences()).find((s) => s.id === sid)?.status.state, 'active');
    assert.equal((await fleet!.api(operator, 'DELETE', `/api/v1/windows/${r.body.id}`)).status, 204);
    await eventually(async () => (await silences()).find((s) => s.id === sid)?.status.state === 'expired', { what: 'the silence expired early', timeoutMs: 10_000 });
  });
});
