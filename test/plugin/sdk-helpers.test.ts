// The SDK's small pure parts: hclog lines, the handshake rules, PluginContext
// and header helpers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkHandshakeEnv, handshakeLine } from '../../plugin/sdk/handshake';
import { forwardedHeader, resourceHeader, resourceHeaderValues } from '../../plugin/sdk/headers';
import { createLogger, hclogTimestamp } from '../../plugin/sdk/logger';
import { parseJsonData, readPluginContext, secureSetting } from '../../plugin/sdk/plugin-context';
import { queryModel, readQueryDataRequest } from '../../plugin/sdk/requests';
import { pluginContext } from '../support/grafana-host';

/** go-plugin's layout 2006-01-02T15:04:05.000000Z07:00: exactly six fractional digits. */
const hclogTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

describe('logger', () => {
  it('writes one hclog JSON line per entry with a timestamp go-plugin parses', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), now: () => new Date('2026-03-04T05:06:07.089Z') });
    log.info('hello', { commons: 'a', count: 3n, err: new Error('boom') });
    assert.equal(lines.length, 1);
    assert.ok(lines[0].endsWith('\n') && !lines[0].slice(0, -1).includes('\n'));
    const entry = JSON.parse(lines[0]);
    assert.equal(entry['@level'], 'info');
    assert.equal(entry['@message'], 'hello');
    assert.equal(entry['@module'], 'plugin');
    assert.equal(entry['@timestamp'], '2026-03-04T05:06:07.089000Z');
    assert.match(entry['@timestamp'], hclogTime);
    assert.equal(entry.commons, 'a');
    assert.equal(entry.count, '3');
    assert.match(entry.err, /^Error: boom/);
  });

  it('filters by level and carries bound fields', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', module: 'dcoc', write: (l) => lines.push(l) }).with({ requestId: 'r1' });
    log.debug('dropped');
    log.info('dropped');
    log.warn('kept', { extra: 1 });
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0]);
    assert.deepEqual([entry['@level'], entry['@module'], entry.requestId, entry.extra], ['warn', 'dcoc', 'r1', 1]);
  });

  it('pads JS milliseconds to microseconds', () => {
    assert.equal(hclogTimestamp(new Date(0)), '1970-01-01T00:00:00.000000Z');
  });
});

describe('handshake', () => {
  it('prints exactly five parts', () => {
    assert.equal(handshakeLine('127.0.0.1', 43210), '1|2|tcp|127.0.0.1:43210|grpc\n');
  });

  it('accepts only Grafana’s magic cookie and protocol version 2', () => {
    assert.deepEqual(checkHandshakeEnv({ grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '2' }), { ok: true });
    assert.deepEqual(checkHandshakeEnv({ grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '1, 2' }), { ok: true });
    const noCookie = checkHandshakeEnv({ PLUGIN_PROTOCOL_VERSIONS: '2' });
    assert.ok(!noCookie.ok && /not meant to be run directly/.test(noCookie.message));
    const wrongCookie = checkHandshakeEnv({ grafana_plugin_type: 'app', PLUGIN_PROTOCOL_VERSIONS: '2' });
    assert.ok(!wrongCookie.ok);
    const oldHost = checkHandshakeEnv({ grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '1' });
    assert.ok(!oldHost.ok && /offers 1/.test(oldHost.message));
    const none = checkHandshakeEnv({ grafana_plugin_type: 'datasource' });
    assert.ok(!none.ok && /offers none/.test(none.message));
  });
});

describe('PluginContext', () => {
  it('reads user, org and instance settings', () => {
    const ctx = readPluginContext(
      pluginContext({
        role: 'Editor',
        orgId: 7,
        pluginId: 'gen3-dcoc-app',
        app: { jsonData: { backendUrl: 'http://127.0.0.1:8470' }, secureJsonData: { sharedSecret: 's3cret' } },
        grafanaConfig: { GF_APP_URL: 'http://grafana:3000/' },
      }),
    );
    assert.equal(ctx.orgId, 7);
    assert.equal(ctx.pluginId, 'gen3-dcoc-app');
    assert.deepEqual(ctx.user, { login: 'editor-user', name: 'Editor User', email: 'editor-user@example.org', role: 'Editor' });
    assert.deepEqual(parseJsonData(ctx.appInstanceSettings), { backendUrl: 'http://127.0.0.1:8470' });
    assert.equal(secureSetting(ctx, 'sharedSecret'), 's3cret');
    assert.equal(ctx.dataSourceInstanceSettings, undefined);
    assert.equal(ctx.grafanaConfig.GF_APP_URL, 'http://grafana:3000/');
  });

  it('has no user when Grafana itself asks, and {} for never-saved jsonData', () => {
    const ctx = readPluginContext(pluginContext({ user: null, datasource: { uid: 'ds1' } }));
    assert.equal(ctx.user, undefined);
    assert.equal(ctx.dataSourceInstanceSettings?.uid, 'ds1');
    assert.deepEqual(parseJsonData(ctx.dataSourceInstanceSettings), {});
    assert.deepEqual(parseJsonData(undefined), {});
    assert.equal(readPluginContext(null).orgId, 0);
  });
});

describe('headers', () => {
  it('finds forwarded headers under http_<Name>, ignoring case, with the legacy names', () => {
    const h = { 'http_X-Grafana-Id': 'jwt', Authorization: 'Bearer legacy' };
    assert.equal(forwardedHeader(h, 'x-grafana-id'), 'jwt');
    assert.equal(forwardedHeader(h, 'Authorization'), 'Bearer legacy');
    assert.equal(forwardedHeader({ ...h, http_Authorization: 'Bearer new' }, 'authorization'), 'Bearer new');
    assert.equal(forwardedHeader(h, 'X-Missing'), undefined);
  });

  it('reads CallResource headers by name with all values', () => {
    const h = { 'Content-Type': ['application/json'], Accept: ['a', 'b'] };
    assert.equal(resourceHeader(h, 'content-type'), 'application/json');
    assert.deepEqual(resourceHeaderValues(h, 'ACCEPT'), ['a', 'b']);
    assert.equal(resourceHeader(h, 'x'), undefined);
  });
});

describe('QueryData requests', () => {
  it('turn wire queries into typed ones', () => {
    const req = readQueryDataRequest({
      pluginContext: pluginContext(),
      headers: { 'http_X-Grafana-Org-Id': '1' },
      format: 'JSON',
      queries: [
        {
          refId: 'A',
          maxDataPoints: '500',
          intervalMS: '15000',
          timeRange: { fromEpochMS: '1700000000000', toEpochMS: '1700003600000' },
          json: Buffer.from('{"kind":"fleet"}'),
          queryType: 'fleet',
        },
      ],
    });
    const q = req.queries[0];
    assert.deepEqual([q.refId, q.maxDataPoints, q.intervalMs, q.queryType], ['A', 500, 15000, 'fleet']);
    assert.equal(q.timeRange.from.toISOString(), '2023-11-14T22:13:20.000Z');
    assert.deepEqual(queryModel(q), { kind: 'fleet' });
    assert.deepEqual(queryModel({ ...q, json: new Uint8Array(0) }), {});
  });
});
