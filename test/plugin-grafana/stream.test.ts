// The data source's Grafana Live channel through Grafana's own client:
// SubscribeStream decides who may subscribe, RunStream relays the control
// service's events, each packet passed through the SDK's StreamSender.SendJSON
// as Grafana passes it on (client_v2.go RunStream), and stops when cancelled.
//
// The packets are event objects, not data frames: the app's pages read them
// as JSON messages (src/live/useLiveEvents.ts), which SendJSON allows ("arbitrary
// JSON", sdk backend/stream.go). grafana-host still tries each as a frame and
// says why it is not one.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandView } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { eventually } from '../support/fleet';
import { describeUnless, grafanaHostMissing, HostCallError, type Packet } from '../support/go-grafana-host';
import { dsContext, type DcocContextOptions } from '../plugin-dcoc/support/contexts';
import { GO_CLIENT, pluginFleet } from '../plugin-dcoc/support/plugin-fleet';
import type { ControlEventData } from './support/control-events';

const ID = 'data-midrc-org';

const missing = grafanaHostMissing('Grafana Live through Grafana’s plugin client');

describeUnless(missing, 'the events channel, through Grafana’s client', () => {
  let operator: string;
  const rig = pluginFleet(GO_CLIENT, ['datasource'], { commons: [DEMO_COMMONS[1]], ready: async ({ fleet }) => (operator = await fleet.tokenFor('operator')) });

  const ctx = (o: Partial<DcocContextOptions> = {}) => dsContext({ role: 'Editor', controlUrl: rig.fleet.control.url, ...o });
  const events = (packets: Packet[]) => packets.map((p) => p.json as ControlEventData);

  async function restart(): Promise<string> {
    const r = await rig.fleet.api<{ command: { id: string } }>(operator, 'POST', `/api/v1/commons/${ID}/services/fence/restart`);
    assert.equal(r.status, 202);
    return r.body.command.id;
  }

  /** Restarts fence until one restart's whole progress has come through the stream (events before it connected are not replayed). */
  async function restartSeenThrough(packets: Packet[]): Promise<string> {
    return eventually(
      async () => {
        const id = await restart();
        await eventually(async () => (await rig.fleet.admin<CommandView>('GET', `/api/v1/commands/${id}`)).body.state === 'succeeded', { what: `restart ${id}`, timeoutMs: 30_000 });
        const seen = (state: string) => events(packets).some((e) => e.command === id && e.state === state);
        return (await eventually(() => seen('succeeded'), { timeoutMs: 2_000 }).catch(() => false)) && seen('queued') && id;
      },
      { what: 'a restart relayed from its first to its last event', timeoutMs: 60_000 },
    );
  }

  it('SubscribeStream: developers and up; viewers refused; unknown paths not found', async () => {
    const status = async (path: string, o: Partial<DcocContextOptions> = {}) => (await rig.datasource.subscribeStream({ pluginContext: ctx(o), path })).status;
    assert.equal(await status('events'), 'OK');
    assert.equal(await status(`events/${ID}`), 'OK');
    assert.equal(await status('events', { role: 'Viewer' }), 'PERMISSION_DENIED');
    assert.equal(await status('events', { role: 'Viewer', jsonData: { roleMapping: { Viewer: 'developer' } } }), 'OK');
    assert.equal(await status('metrics'), 'NOT_FOUND');
    assert.equal(await status('events/Not_A_Label'), 'NOT_FOUND');
  });

  it('PublishStream: not offered (UNIMPLEMENTED), so Grafana refuses publishing to the channel', async () => {
    const err = await rig.datasource.publishStream({ pluginContext: ctx(), path: 'events', data: Buffer.from('{}') }).then(
      () => assert.fail('published'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof HostCallError);
    assert.equal(err.grpcCode, 'Unimplemented');
  });

  it('RunStream relays a restart’s events as JSON packets, in order, until Grafana cancels', async () => {
    const stream = rig.datasource.runStream({ pluginContext: ctx(), path: 'events' });
    const id = await restartSeenThrough(stream.packets);
    const mine = events(stream.packets).filter((e) => e.command === id);
    assert.equal(mine[0].state, 'queued', 'from the first event on');
    assert.ok(mine.length >= 3, `progress reported: ${mine.map((e) => e.state).join(' → ')}`);
    for (const e of events(stream.packets)) {
      assert.equal(typeof e.id, 'number');
      assert.ok(Math.abs(Date.parse(e.at) - Date.now()) < 120_000, `event ${e.id} at ${e.at}`);
      assert.equal(typeof e.type, 'string');
    }
    const ids = events(stream.packets).map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'in the order the control service emitted them');
    for (const p of stream.packets) {
      assert.equal(p.frame, null);
      assert.match(p.notFrame ?? '', /unexpected field/, 'an event object, not a data frame');
    }

    assert.deepEqual(await stream.cancel(), { cancelled: true });
    const end = await stream.done;
    assert.deepEqual([end.ok, end.end], [true, 'cancelled']);
    const stopped = await eventually(() => rig.datasource.logs().find((l) => l['@message'] === 'stopped relaying control service events'), { what: 'the relay to stop' });
    assert.equal(stopped.reason, 'cancelled');
  });

  it('a channel for one commons, read up to a number of packets', async () => {
    const stream = rig.datasource.runStream({ pluginContext: ctx(), path: `events/${ID}` }, { maxPackets: 3, timeoutMs: 60_000 });
    let ended = false;
    // Ended either way; a failure is reported by the await below.
    void stream.done.then(
      () => (ended = true),
      () => (ended = true),
    );
    // A restart a second until three packets came (events before the relay connected are not replayed).
    await eventually(async () => ended || (await restart(), false), { what: 'three packets', timeoutMs: 60_000, intervalMs: 1_000 });
    const end = await stream.done;
    assert.deepEqual([end.ok, end.end, end.packets.length], [true, 'maxPackets', 3]);
    assert.ok(events(end.packets).every((e) => e.commons === ID));
  });
});
