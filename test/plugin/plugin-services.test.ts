// The pluginv2 services of the example plugin, called as Grafana calls them:
// QueryData frames, CallResource streaming, CheckHealth, CollectMetrics and
// Grafana Live streams. One executable and one process for the whole file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { Type, tableFromIPC, type Timestamp } from 'apache-arrow';
import { buildExamplePlugin, type BuiltExample } from './fixtures/build-example';
import { pluginContext, startPlugin, type GrafanaHost } from '../support/grafana-host';

let example: BuiltExample;
let host: GrafanaHost;

before(async () => {
  example = await buildExamplePlugin();
  host = await startPlugin({ executable: example.executable, env: { GF_PLUGIN_EXAMPLE_SETTING: 'x' } });
});

after(async () => {
  if (host) {
    const result = await host.shutdown();
    assert.equal(result.exitedInGrace, true);
  }
  example?.cleanup();
});

describe('QueryData', () => {
  it('answers each refId with Arrow IPC file frames carrying Grafana metadata', async () => {
    const from = new Date('2026-05-01T00:00:00.000Z');
    const res = await host.queryData({
      pluginContext: pluginContext({ role: 'Viewer', datasource: { uid: 'ds-1' } }),
      queries: [
        { refId: 'A', json: { points: 4 }, timeRange: { from, to: new Date(from.getTime() + 60_000) } },
        { refId: 'B', json: { fail: true } },
      ],
    });
    assert.deepEqual(Object.keys(res.responses).sort(), ['A', 'B']);

    const a = res.responses.A;
    assert.equal(a.status, 200);
    assert.equal(a.error, '');
    assert.equal(a.format, 'ARROW');
    assert.equal(a.frames.length, 1);
    const bytes = Buffer.from(a.frames[0]);
    assert.equal(bytes.subarray(0, 6).toString(), 'ARROW1');
    assert.equal(bytes.subarray(-6).toString(), 'ARROW1');

    const table = tableFromIPC(bytes);
    assert.equal(table.schema.metadata.get('name'), 'example');
    assert.equal(table.schema.metadata.get('refId'), 'A', 'the SDK fills in the query refId');
    assert.deepEqual(JSON.parse(table.schema.metadata.get('meta')!), {
      type: 'timeseries-wide',
      typeVersion: [0, 0],
      executedQueryString: 'points=4',
    });
    const [time, value, big] = table.schema.fields;
    assert.equal(time.type.typeId, Type.Timestamp);
    assert.equal((time.type as Timestamp).unit, 3);
    assert.equal(time.metadata.get('tstype'), 'time');
    assert.equal(value.type.typeId, Type.Float);
    assert.equal(value.nullable, true);
    assert.equal(value.metadata.get('labels'), '{"refId":"A","source":"example"}');
    assert.equal(value.metadata.get('config'), '{"unit":"short"}');
    assert.equal(big.type.typeId, Type.Int);

    const start = BigInt(from.getTime()) * 1_000_000n;
    const times = table.getChildAt(0)!.data[0].values as BigInt64Array;
    assert.deepEqual([...times], [0n, 1n, 2n, 3n].map((i) => start + i * 1_000_000_001n));
    assert.deepEqual(table.getChildAt(1)!.toArray().length, 4);
    assert.deepEqual([...table.getChildAt(1)!], [0, null, 3, 4.5]);
    assert.deepEqual([...table.getChildAt(2)!], [9007199254740993n, 9007199254740994n, 9007199254740995n, 9007199254740996n]);

    const b = res.responses.B;
    assert.equal(b.status, 400);
    assert.equal(b.error, 'asked to fail');
    assert.equal(b.errorSource, 'downstream');
    assert.equal(b.frames.length, 0);
  });
});

describe('CallResource', () => {
  it('sends status and headers in the first message, with the request echoed back', async () => {
    const ctx = pluginContext({
      role: 'Admin',
      orgId: 3,
      pluginId: 'example-app',
      app: { jsonData: { backendUrl: 'http://127.0.0.1:8470' }, secureJsonData: { token: 'secret' } },
    });
    const res = await host.callResource({
      pluginContext: ctx,
      method: 'POST',
      path: 'echo',
      url: 'echo?x=1',
      headers: { 'Content-Type': ['application/json'], 'X-Multi': ['a', 'b'] },
      body: '{"hello":"world"}',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers['Content-Type'], ['application/json']);
    assert.deepEqual(res.headers['X-Example'], ['one', 'two']);
    assert.deepEqual(JSON.parse(res.body.toString('utf8')), {
      method: 'POST',
      path: 'echo',
      url: 'echo?x=1',
      body: '{"hello":"world"}',
      headers: { 'Content-Type': ['application/json'], 'X-Multi': ['a', 'b'] },
      user: { login: 'admin-user', name: 'Admin User', email: 'admin-user@example.org', role: 'Admin' },
      orgId: 3,
      pluginId: 'example-app',
      jsonData: { backendUrl: 'http://127.0.0.1:8470' },
      secureKeys: ['token'],
    });
  });

  it('passes a missing user through as absent (requests Grafana itself makes)', async () => {
    const res = await host.callResource({ pluginContext: pluginContext({ user: null }), path: 'echo' });
    assert.equal(JSON.parse(res.body.toString('utf8')).user, null);
  });

  it('streams a chunked body: headers first, then one message per chunk', async () => {
    const res = await host.callResource({ path: 'chunked' });
    assert.equal(res.status, 202);
    assert.deepEqual(res.headers['Content-Type'], ['text/plain']);
    assert.equal(res.messages[0].body.length, 0);
    assert.equal(res.messages.length, 6);
    assert.equal(res.body.toString('utf8'), 'chunk-0;chunk-1;chunk-2;chunk-3;chunk-4;');
  });

  it('splits a large body into messages under the gRPC size limit', async () => {
    const res = await host.callResource({ path: 'big' });
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 3 * 1024 * 1024 + 17);
    assert.ok(res.body.every((b) => b === 7));
    assert.equal(res.messages.length, 4);
    assert.ok(res.messages.every((m) => m.body.length <= 1024 * 1024));
  });

  it('turns a handler error into a gRPC error', async () => {
    await assert.rejects(host.callResource({ path: 'fail' }), (err: { code: number; details: string }) => {
      return err.code === status.UNKNOWN && /failed on purpose/.test(err.details);
    });
  });
});

describe('Diagnostics', () => {
  it('CheckHealth answers OK with details, reading forwarded headers', async () => {
    const res = await host.checkHealth(pluginContext({ role: 'Admin' }), { 'http_X-Grafana-Id': 'id-token' });
    assert.equal(res.status, 'OK');
    assert.equal(res.message, 'example plugin is healthy');
    assert.deepEqual(JSON.parse(Buffer.from(res.jsonDetails).toString('utf8')), { idToken: 'id-token' });
  });

  it('CollectMetrics returns the process’s own prom-client registry', async () => {
    await host.queryData({ queries: [{ refId: 'A' }, { refId: 'B' }] });
    const text = await host.collectMetrics();
    const served = /^example_queries_total (\d+)$/m.exec(text);
    assert.ok(served, 'the plugin’s own counter is exported');
    assert.ok(Number(served[1]) >= 2);
    assert.match(text, /^# TYPE process_cpu_user_seconds_total counter$/m);
    assert.match(text, /^nodejs_heap_size_used_bytes \d+/m);
  });
});

describe('Stream', () => {
  it('SubscribeStream and PublishStream answer with a status and JSON data', async () => {
    const ok = await host.subscribeStream({ path: 'ticks/fast' });
    assert.equal(ok.status, 'OK');
    assert.deepEqual(JSON.parse(Buffer.from(ok.data).toString('utf8')), { path: 'ticks/fast' });
    assert.equal((await host.subscribeStream({ path: 'other' })).status, 'NOT_FOUND');
    assert.equal((await host.publishStream({ path: 'ticks/fast', json: { x: 1 } })).status, 'PERMISSION_DENIED');
  });

  it('RunStream yields JSON packets until the subscriber leaves', async () => {
    const packets: unknown[] = [];
    for await (const packet of host.runStream({ path: 'ticks/fast' })) {
      packets.push(packet);
      if (packets.length === 3) break; // cancels the call, as Grafana does when the last subscriber leaves
    }
    assert.deepEqual(packets, [0, 1, 2].map((tick) => ({ tick, path: 'ticks/fast' })));
    assert.equal(await host.health(), 'SERVING');
    // The cancelled stream's handler ended: nothing logged as a failure.
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!host.logs().some((l) => l?.['@level'] === 'error' && l.method === 'RunStream'));
  });
});
