// The data source's pod log follows on Grafana Live (channel path
// logs/<commons>/<service>[/filter/<base64url>]), against a simulated commons:
// who may subscribe (logs:read, each subscriber), which paths are channels,
// RunStream relaying lines written to every replica with their pod names, the
// filter applied upstream, no line text in the plugin's own log, a refused
// follow ending the stream, and the relay stopping when Grafana cancels.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { LogsStreamEvent } from '../../contracts/api';
import { splitEvent } from '../../plugin/datasource/log-stream';
import type { WireStreamPacket } from '../../plugin/sdk/wire';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { eventually } from '../support/fleet';
import { dsContext, type DcocContextOptions } from './support/contexts';
import { pluginFleet, TS_HOST } from './support/plugin-fleet';

const SPEC = DEMO_COMMONS[1];
const SERVICE = 'indexd';
const rig = pluginFleet(TS_HOST, ['datasource'], { commons: [SPEC] });
const ctx = (o: Partial<DcocContextOptions> = {}) => dsContext({ role: 'Editor', controlUrl: rig.fleet.control.url, ...o });
const id = () => rig.commons[0].id;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** Every packet of one RunStream call, as it arrives. */
class Follow {
  readonly packets: LogsStreamEvent[] = [];
  readonly call: ClientReadableStream<WireStreamPacket>;
  ended = false;
  error: Error | undefined;

  constructor(path: string, o: Partial<DcocContextOptions> = {}) {
    this.call = rig.datasource.openStream({ pluginContext: ctx(o), path });
    this.call.on('data', (p: WireStreamPacket) => this.packets.push(JSON.parse(Buffer.from(p.data).toString('utf8')) as LogsStreamEvent));
    this.call.on('error', (e: Error) => (this.error = e));
    this.call.on('end', () => (this.ended = true));
    this.call.on('close', () => (this.ended = true));
  }

  lines() {
    return this.packets.flatMap((p) => p.lines);
  }

  /** Waits until `marker` came from each of `pods`. */
  until(marker: string, pods: string[]) {
    return eventually(() => pods.every((pod) => this.lines().some((l) => l.pod === pod && l.line.includes(marker))), { what: `${marker} from ${pods.join(', ')} through the relay`, timeoutMs: 60_000 });
  }

  cancel() {
    this.call.cancel();
  }
}

describe('who may subscribe to a log channel', () => {
  it('logs:read (developer and up), not viewers; malformed paths are not channels', async () => {
    const sub = (path: string, o: Partial<DcocContextOptions> = {}) => rig.datasource.subscribeStream({ pluginContext: ctx(o), path }).then((r) => r.status);
    assert.equal(await sub(`logs/${id()}/${SERVICE}`), 'OK');
    assert.equal(await sub(`logs/${id()}/${SERVICE}/filter/${b64('GET /index ñ')}`), 'OK');
    assert.equal(await sub(`logs/${id()}/${SERVICE}`, { role: 'Viewer' }), 'PERMISSION_DENIED');
    assert.equal(await sub(`logs/${id()}/${SERVICE}`, { role: 'Viewer', jsonData: { roleMapping: { Viewer: 'developer' } } }), 'OK');
    for (const path of [
      `logs/${id()}`,
      `logs/${id()}/Not_A_Label`,
      `logs/${id()}/${SERVICE}/extra`,
      `logs/${id()}/${SERVICE}/filter/${b64('x')}=`, // padded: not the canonical form
      `logs/${id()}/${SERVICE}/filter/${b64('x'.repeat(201))}`, // longer than the API's filter
      `logs/${id()}/${SERVICE}/filter/${Buffer.from([0xff, 0xfe]).toString('base64url')}`, // not UTF-8
      `logs/../${SERVICE}`,
    ]) {
      assert.equal(await sub(path), 'NOT_FOUND', path);
    }
  });
});

describe('RunStream on logs/<commons>/<service>', () => {
  let follow: Follow;
  before(() => {
    follow = new Follow(`logs/${id()}/${SERVICE}`);
  });
  after(() => follow?.cancel());

  it('relays the lines written to every replica, each with its pod name, and none into its own log', async () => {
    // The relay is up once a first marker comes through (lines written before it opened come only from the tail).
    const first = await rig.fleet.simLog(SPEC.hostname, SERVICE, 'INFO warm-up-marker');
    await follow.until('warm-up-marker', first.pods);
    assert.ok(first.pods.length >= 2, `${SERVICE} runs several replicas (${first.pods.join(', ')})`);
    for (let i = 0; i < 3; i++) {
      const marker = `relay-marker-${i}-${Date.now()}`;
      const w = await rig.fleet.simLog(SPEC.hostname, SERVICE, `ERROR ${marker} from the test`);
      await follow.until(marker, w.pods);
      for (const pod of w.pods) {
        const l = follow.lines().find((x) => x.pod === pod && x.line.includes(marker))!;
        assert.ok(l.container.length > 0, 'the container is named');
        assert.ok(l.time && Math.abs(Date.parse(l.time) - w.timeMs) < 60_000, `the runtime's timestamp (${l.time})`);
      }
    }
    assert.ok(follow.packets.some((p) => p.pods?.length), 'the pods followed are named');
    const ownLog = JSON.stringify(rig.datasource.logs());
    assert.ok(!ownLog.includes('relay-marker-'), "no log line's text in the plugin's own log");
  });

  it('a filter channel relays only the lines containing the text, ignoring case', async () => {
    const only = new Follow(`logs/${id()}/${SERVICE}/filter/${b64('keep-ME')}`);
    try {
      const warm = await rig.fleet.simLog(SPEC.hostname, SERVICE, 'warm keep-me-0');
      await only.until('keep-me-0', warm.pods);
      const tag = Date.now();
      await rig.fleet.simLog(SPEC.hostname, SERVICE, `drop-me-${tag}`);
      const kept = await rig.fleet.simLog(SPEC.hostname, SERVICE, `KEEP-ME-${tag}`);
      await only.until(`KEEP-ME-${tag}`, kept.pods);
      assert.ok(only.lines().every((l) => /keep-me/i.test(l.line)), `only matching lines: ${only.lines().map((l) => l.line).join(' | ')}`);
    } finally {
      only.cancel();
    }
  });

  it('stops relaying, reason cancelled, when Grafana cancels', async () => {
    const stops = () => rig.datasource.logs().filter((l) => l?.['@message'] === 'stopped relaying a pod log follow');
    const before = stops().length;
    follow.cancel();
    const stopped = await eventually(() => stops().length > before && stops()[stops().length - 1], { what: 'the log relay to stop' });
    assert.equal(stopped?.reason, 'cancelled');
    assert.ok(Number(stopped?.lines) > 0);
  });
});

describe('a follow the control service refuses', () => {
  it('a service the commons does not have ends the stream with an error, without retrying', async () => {
    const f = new Follow(`logs/${id()}/no-such-service`);
    await eventually(() => f.ended, { what: 'the stream to end', timeoutMs: 30_000 });
    assert.equal(f.packets.length, 0);
    assert.match(f.error?.message ?? '', /no-such-service|not found|404/i);
  });

  it('RunStream started for a viewer (not subscribed through SubscribeStream) relays nothing', async () => {
    const f = new Follow(`logs/${id()}/${SERVICE}`, { role: 'Viewer' });
    await eventually(() => f.ended, { what: 'the stream to end', timeoutMs: 30_000 });
    assert.equal(f.packets.length, 0);
    assert.match(f.error?.message ?? '', /logs:read/);
  });
});

describe('packets', () => {
  it('an event is cut into packets of at most 32 KiB of text, pods and truncated on the first', () => {
    const line = (n: number, i: number) => ({ time: null, pod: 'p', container: 'c', line: `${i}:`.padEnd(n, 'x') });
    const e: LogsStreamEvent = { lines: [...Array.from({ length: 40 }, (_, i) => line(2000, i)), line(40_000, 40), line(10, 41)], pods: ['p'], truncated: true };
    const packets = splitEvent(e);
    assert.deepEqual(packets.flatMap((p) => p.lines), e.lines, 'every line once, in order');
    for (const p of packets) assert.ok(p.lines.length === 1 || p.lines.reduce((n, l) => n + l.line.length, 0) <= 32 * 1024);
    assert.deepEqual([packets[0].pods, packets[0].truncated], [['p'], true]);
    assert.ok(packets.slice(1).every((p) => p.pods === undefined && p.truncated === undefined));
    assert.deepEqual(splitEvent({ lines: [], pods: ['a'] }), [{ lines: [], pods: ['a'] }], 'a pods-only event still goes out');
  });
});
