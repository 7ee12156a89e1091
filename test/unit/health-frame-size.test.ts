// The health query's frame at 10,000 commons: built from one fleet summary
// (one request, however large the fleet), numeric-long, and encoded by the
// data source's own Arrow encoder to well under gRPC's default 4 MiB receive
// limit (the numeric-wide frame it replaced was about 12 MB at that size).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { FleetSummary } from '../../contracts/api';
import { ROUTES } from '../../contracts/routes';
import type { ControlClient } from '../../plugin/control/client';
import { healthFrames } from '../../plugin/datasource/queries/health';
import { toArrow } from '../../plugin/sdk/frames/to-arrow';

const COMMONS = 10_000;
const GRPC_DEFAULT_MAX_RECV = 4 * 1024 * 1024;

function summary(n: number): FleetSummary {
  const at = '2026-12-04T12:00:00.000Z';
  return {
    at,
    from: '2026-12-04T11:00:00.000Z',
    to: at,
    items: Array.from({ length: n }, (_, i) => ({
      id: `commons-${String(i).padStart(5, '0')}-data-example-org`,
      name: `Commons ${i}`,
      environment: `environment-${i % 50}`,
      status: i % 10 ? 'healthy' : 'degraded',
      agent: { connected: true, lastSeen: i % 100 ? '2026-12-04T11:59:50.000Z' : null },
      services: { total: 14, healthy: i % 10 ? 14 : 13, down: i % 10 ? 0 : 1, downNames: i % 10 ? [] : ['indexd'] },
      commands: i % 3 ? { failed: i % 7, expired: 1 } : null,
    })),
  };
}

/** A control client answering only GET /fleet/summary, counting the requests. */
function fakeClient(body: FleetSummary) {
  const asked: { path: string; query: string }[] = [];
  const client = {
    getRoute: (route: { path: string }, opts: { query?: URLSearchParams }) => {
      asked.push({ path: route.path, query: String(opts.query ?? '') });
      if (route !== ROUTES.getFleetSummary) return Promise.reject(new Error(`unexpected request ${route.path}`));
      return Promise.resolve(body);
    },
    getJson: (path: string) => Promise.reject(new Error(`unexpected request ${path}`)),
  };
  return { client: client as unknown as ControlClient, asked };
}

const range = { from: new Date('2026-12-04T11:00:00.000Z'), to: new Date('2026-12-04T12:00:00.000Z') };

it(`health at ${COMMONS} commons: one request, one numeric-long frame under 4 MiB with every number labelled by its row`, async () => {
  const { client, asked } = fakeClient(summary(COMMONS));
  const frames = await healthFrames({ client, query: { queryType: 'health' }, range, signal: new AbortController().signal });
  assert.deepEqual(asked, [{ path: '/fleet/summary', query: `from=${encodeURIComponent(range.from.toISOString())}&to=${encodeURIComponent(range.to.toISOString())}` }]);
  assert.equal(frames.length, 1);
  const [f] = frames;
  assert.equal(f.meta?.type, 'numeric-long');
  assert.deepEqual(f.fields.map((x) => [x.name, x.type]), [['commons', 'string'], ['environment', 'string'], ['services_down', 'float64'], ['agent_silence_seconds', 'float64'], ['commands_failed', 'float64']]);
  assert.ok(f.fields.every((x) => x.values.length === COMMONS));
  const bytes = toArrow({ ...f, refId: 'A' }).byteLength;
  assert.ok(bytes < GRPC_DEFAULT_MAX_RECV, `${bytes} bytes`);
  // The values, row by row.
  const col = (name: string) => f.fields.find((x) => x.name === name)!.values;
  assert.equal(col('services_down')[10], 1);
  assert.equal(col('services_down')[11], 0);
  assert.equal(col('agent_silence_seconds')[1], 10);
  assert.equal(col('agent_silence_seconds')[100], null);
  assert.equal(col('commands_failed')[0], null);
  assert.equal(col('commands_failed')[1], 2);
  assert.match(String(f.meta?.notices?.[0]?.text), new RegExp(`commands_failed is empty for ${Math.ceil(COMMONS / 3)} of ${COMMONS} commons`));
});

it('health for one metric asks for no command counts unless it is commands_failed', async () => {
  const { client, asked } = fakeClient(summary(3));
  const [f] = await healthFrames({ client, query: { queryType: 'health', metric: 'services_down', commons: 'commons-00001-data-example-org' }, range, signal: new AbortController().signal });
  assert.deepEqual(asked.map((a) => a.query), ['commons=commons-00001-data-example-org']);
  assert.deepEqual(f.fields.map((x) => x.name), ['commons', 'environment', 'services_down']);
});
