// RunStream on "events" delivers a command's progress
// events within 1 s of the control service emitting them (the event's `at`,
// stamped by the control service, against the packet's arrival here; same
// host, same clock). Also: who may subscribe, reconnection after the control
// service restarts, and the relay stopping when Grafana cancels.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { CommandView } from '../../contracts/api';
import type { WireStreamPacket } from '../../plugin/sdk/wire';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { eventually } from '../support/fleet';
import { dsContext, type DcocContextOptions } from './support/contexts';
import { pluginFleet, TS_HOST } from './support/plugin-fleet';
import { TcpProxy } from './support/tcp-proxy';

const ID = 'data-midrc-org';
const DEADLINE_MS = 1000;

let operator: string;
const rig = pluginFleet(TS_HOST, ['datasource'], { commons: DEMO_COMMONS.slice(1, 2), ready: async ({ fleet }) => (operator = await fleet.tokenFor('operator')) });

const ctx = (o: Partial<DcocContextOptions> = {}) => dsContext({ role: 'Editor', controlUrl: rig.fleet.control.url, ...o });

interface Packet {
  arrived: number;
  event: { id: number; at: string; type: string; command?: string; state?: string };
}

/** Collects every packet of one RunStream call as it arrives. */
class Relay {
  readonly packets: Packet[] = [];
  readonly call: ClientReadableStream<WireStreamPacket>;
  ended = false;
  error: Error | undefined;

  constructor(path = 'events', o: Partial<DcocContextOptions> = {}) {
    this.call = rig.datasource.openStream({ pluginContext: ctx(o), path });
    this.call.on('data', (p: WireStreamPacket) => this.packets.push({ arrived: Date.now(), event: JSON.parse(Buffer.from(p.data).toString('utf8')) as Packet['event'] }));
    this.call.on('error', (e: Error) => (this.error = e));
    this.call.on('end', () => (this.ended = true));
    this.call.on('close', () => (this.ended = true));
  }

  forCommand(id: string): Packet[] {
    return this.packets.filter((p) => p.event.type === 'command.updated' && p.event.command === id);
  }

  /** Waits for the command's final event to come through. */
  until(id: string, state = 'succeeded'): Promise<Packet[]> {
    return eventually(() => this.forCommand(id).some((p) => p.event.state === state) && this.forCommand(id), {
      what: `the ${state} event of command ${id} through the relay`,
      timeoutMs: 60_000,
    });
  }

  cancel(): void {
    this.call.cancel();
  }
}

async function restart(service = 'fence'): Promise<string> {
  const r = await rig.fleet.api<{ command: { id: string } }>(operator, 'POST', `/api/v1/commons/${ID}/services/${service}/restart`);
  assert.equal(r.status, 202);
  return r.body.command.id;
}

describe('who may subscribe to the events channel', () => {
  it('developers and up; not viewers; unknown paths are not found', async () => {
    assert.equal((await rig.datasource.subscribeStream({ pluginContext: ctx({ role: 'Editor' }), path: 'events' })).status, 'OK');
    assert.equal((await rig.datasource.subscribeStream({ pluginContext: ctx({ role: 'Editor' }), path: `events/${ID}` })).status, 'OK');
    assert.equal((await rig.datasource.subscribeStream({ pluginContext: ctx({ role: 'Viewer' }), path: 'events' })).status, 'PERMISSION_DENIED');
    const mapped = ctx({ role: 'Viewer', jsonData: { roleMapping: { Viewer: 'developer' } } });
    assert.equal((await rig.datasource.subscribeStream({ pluginContext: mapped, path: 'events' })).status, 'OK');
    assert.equal((await rig.datasource.subscribeStream({ pluginContext: ctx(), path: 'metrics' })).status, 'NOT_FOUND');
    assert.equal((await rig.datasource.subscribeStream({ pluginContext: ctx(), path: 'events/Not_A_Label' })).status, 'NOT_FOUND');
  });
});

describe('RunStream on "events"', () => {
  let relay: Relay;

  before(async () => {
    relay = new Relay();
    // Connected once a command's events come through (events before the connection are not replayed).
    await relay.until(await restart());
  });

  after(() => relay?.cancel());

  it("delivers each command's progress within 1 s of the control service emitting it", async (t) => {
    const delays: number[] = [];
    for (let run = 0; run < 4; run++) {
      const id = await restart(run % 2 ? 'indexd' : 'fence');
      const packets = await relay.until(id);
      const states = packets.map((p) => p.event.state);
      assert.equal(states[0], 'queued', `run ${run}: the relay saw the command from its first event (${states.join(' → ')})`);
      assert.ok(packets.length >= 3, `run ${run}: progress reported (${states.join(' → ')})`);
      const ids = packets.map((p) => p.event.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'in the order the control service emitted them');
      for (const p of packets) delays.push(p.arrived - Date.parse(p.event.at));
      assert.equal((await rig.fleet.api<CommandView>(operator, 'GET', `/api/v1/commands/${id}`)).body.state, 'succeeded');
    }
    const max = Math.max(...delays);
    t.diagnostic(`${delays.length} progress events; delay from emission to arrival: median ${median(delays)} ms, max ${max} ms`);
    assert.ok(delays.every((d) => d > -50), 'no event arrived before it was emitted (clocks agree)');
    assert.ok(max < DEADLINE_MS, `every event within ${DEADLINE_MS} ms (max ${max} ms)`);
  });

  it("a channel for one commons (events/<id>) relays that commons' events", async () => {
    const one = new Relay(`events/${ID}`);
    try {
      await one.until(await restart());
      assert.ok(one.packets.every((p) => (p.event as { commons?: string }).commons === ID));
    } finally {
      one.cancel();
    }
  });

  it('reconnects with Last-Event-ID when the connection drops, and loses no event meanwhile', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(rig.fleet.control.url).port) });
    const cutOff = new Relay('events', { controlUrl: proxy.url });
    try {
      await cutOff.until(await restart());
      const reconnections = logCount('control service event stream reconnected');
      proxy.cut();
      // A whole command runs while the relay is cut off from the control service…
      const id = await restart('indexd');
      await eventually(async () => (await rig.fleet.api<CommandView>(operator, 'GET', `/api/v1/commands/${id}`)).body.state === 'succeeded', {
        what: 'the command to finish',
        timeoutMs: 60_000,
      });
      proxy.restore();
      // …and its events still arrive, replayed from where the relay stopped.
      const packets = await cutOff.until(id);
      assert.equal(packets[0].event.state, 'queued');
      assert.ok(logCount('control service event stream reconnected') > reconnections);
      const ids = cutOff.packets.map((p) => p.event.id);
      assert.deepEqual(ids, Array.from({ length: ids.length }, (_, i) => ids[0] + i), 'every event id once, in order, none missing');
      assert.ok(!cutOff.ended, 'the same RunStream call carried on');
    } finally {
      cutOff.cancel();
      await proxy.close();
    }
  });

  it('reconnects when the control service restarts, and goes on relaying', async () => {
    const reconnections = logCount('control service event stream reconnected');
    await rig.fleet.restartControl();
    await rig.fleet.healthyCommons(1);
    await eventually(() => logCount('control service event stream reconnected') > reconnections, { what: 'the relay to reconnect', timeoutMs: 30_000 });
    const packets = await relay.until(await restart());
    assert.ok(packets.length >= 3);
    assert.ok(!relay.ended, 'the same RunStream call carried on');
  });

  it('stops relaying, and closes its connection to the control service, when Grafana cancels', async () => {
    const port = Number(new URL(rig.fleet.control.url).port);
    assert.ok(connectionsTo(rig.datasource.pid, port) >= 1, 'the relay holds a connection to the control service');
    const stopsBefore = rig.datasource.logs().filter((l) => l?.['@message'] === 'stopped relaying control service events').length;
    relay.cancel();
    const stopped = await eventually(
      () => {
        const all = rig.datasource.logs().filter((l) => l?.['@message'] === 'stopped relaying control service events');
        return all.length > stopsBefore && all[all.length - 1];
      },
      { what: 'the relay to stop' },
    );
    assert.equal(stopped?.reason, 'cancelled');
    assert.ok(Number(stopped?.sent) > 0);
    await eventually(() => connectionsTo(rig.datasource.pid, port) === 0, { what: 'the plugin to close its event stream connection' });
  });
});

/** Established TCP connections of process `pid` to local `port` (from /proc: the sockets it holds, looked up in the TCP tables). */
function connectionsTo(pid: number, port: number): number {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]].filter((x): x is string => !!x);
      } catch {
        return []; // closed meanwhile
      }
    }),
  );
  let n = 0;
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const remotePort = parseInt(cols[2].split(':')[1], 16);
      if (cols[3] === '01' && remotePort === port && inodes.has(cols[9])) n++;
    }
  }
  return n;
}

function logCount(message: string): number {
  return rig.datasource.logs().filter((l) => l?.['@message'] === message).length;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
