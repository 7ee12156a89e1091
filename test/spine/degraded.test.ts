// Stopping one simulated service degrades its commons within two health
// intervals and shows as dcoc_service_up 0; restoring it heals both.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommonsDetail } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';

const MIDRC = DEMO_COMMONS[1];
const ID = 'data-midrc-org';
const HEALTH_INTERVAL_MS = 1000;

describe('a stopped service', () => {
  let fleet: TestFleet;
  const status = async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
  const up = async (service: string) => {
    const text = await (await fetch(`${fleet.control.url}/metrics/commons/${ID}`)).text();
    const line = text.split('\n').find((l) => l.startsWith('dcoc_service_up{') && l.includes(`commons="${ID}"`) && l.includes(`service="${service}"`));
    assert.ok(line, `dcoc_service_up for ${service} is exported`);
    assert.ok(line.includes('environment="midrcprod"'));
    return Number(line.split(' ').pop());
  };

  before(async () => {
    fleet = await TestFleet.start({ commons: [MIDRC], controlEnv: { DCOC_HEALTH_INTERVAL_MS: String(HEALTH_INTERVAL_MS) } });
    await eventually(async () => (await status()).status === 'healthy', { what: 'a healthy commons' });
  });
  after(() => fleet.stop());

  it('degrades the commons within two health intervals and exports dcoc_service_up 0', async () => {
    assert.equal(await up('metadata'), 1);
    const t0 = Date.now();
    await fleet.simFault(MIDRC.hostname, 'metadata', 'down');
    const c = await eventually(async () => {
      const s = await status();
      return s.status === 'degraded' && s;
    }, { timeoutMs: 10_000, intervalMs: 25, what: 'the commons to degrade' });
    const elapsed = Date.now() - t0;
    assert.ok(elapsed <= 2 * HEALTH_INTERVAL_MS, `degraded after ${elapsed} ms`);
    const metadata = c.services.find((s) => s.name === 'metadata')!;
    assert.equal(metadata.status, 'down');
    assert.match(metadata.reason, /stopped|health check failed|no ready/);
    assert.equal(await up('metadata'), 0);
    assert.equal(await up('fence'), 1);
    // The health check itself sees the stopped service too.
    const checked = await eventually(async () => {
      const h = (await status()).services.find((s) => s.name === 'metadata')!.health;
      return h && !h.ok ? h : undefined;
    }, { what: 'a failing health check' });
    assert.equal(checked.httpStatus, 0);
    assert.match(checked.detail, /connection refused/);
  });

  it('restoring the service heals the commons and the metric', async () => {
    await fleet.simFault(MIDRC.hostname, 'metadata', 'none');
    await eventually(async () => (await status()).status === 'healthy', { what: 'the commons to heal' });
    assert.equal(await up('metadata'), 1);
  });

  it('a crash-looping service is down with the reason', async () => {
    await fleet.simFault(MIDRC.hostname, 'sheepdog', 'crashloop');
    const s = await eventually(async () => (await status()).services.find((x) => x.name === 'sheepdog' && x.status === 'down'), { what: 'sheepdog down' });
    assert.equal(s.reason, 'CrashLoopBackOff');
    await fleet.simFault(MIDRC.hostname, 'sheepdog', 'none');
    await eventually(async () => (await status()).status === 'healthy', { what: 'the commons to heal' });
  });

  it('a slow service answers late but stays up, and its latency shows', async () => {
    await fleet.simFault(MIDRC.hostname, 'indexd', 'slow');
    const h = await eventually(async () => {
      const s = (await status()).services.find((x) => x.name === 'indexd')!;
      return s.health && s.health.latencyMs >= 1000 ? s : undefined;
    }, { what: 'a slow health check' });
    assert.equal(h.status, 'healthy');
    assert.equal(h.health!.ok, true);
    await fleet.simFault(MIDRC.hostname, 'indexd', 'none');
    await eventually(async () => ((await status()).services.find((x) => x.name === 'indexd')!.health?.latencyMs ?? 9999) < 1000, { what: 'fast again' });
  });

  it('an agent whose network is cut turns its commons unknown, and back', async () => {
    await fleet.simNetwork(MIDRC.hostname, true);
    await eventually(async () => (await status()).status === 'unknown', { what: 'unknown status' });
    await fleet.simNetwork(MIDRC.hostname, false);
    await eventually(async () => (await status()).status === 'healthy', { timeoutMs: 40_000, what: 'the agent to come back' });
  });
});
