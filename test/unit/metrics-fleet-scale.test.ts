// /metrics at fleet scale (issue 19): the fleet-level /metrics carries no
// per-service series and a bounded number of bytes per commons; each commons'
// per-service detail is at /metrics/commons/{id} (404 for an unknown commons,
// 422 for an id that cannot be one) under the names and labels dashboards and
// rules read; /metrics/sd lists one Prometheus target per commons, narrowed
// by group or label selector.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Server } from 'node:http';
import { createApp } from '../../backend/http/app';
import type { ApiContext } from '../../backend/http/context';
import { NotFound } from '../../backend/domain/errors';
import { Metrics } from '../../backend/metrics/registry';
import { type LabelSelector, selectorMatches } from '../../contracts/groups';
import { REQUEST_SERVICES } from '../../contracts/gen3/revproxy';
import { createLogger } from '../../lib/logger';
import { SYNTHETIC_SERVICES, feedSyntheticMetrics, syntheticFleet, syntheticId } from '../../scripts/bench/synthetic-fleet';

const COMMONS = 2_000;
/** Bytes of fleet /metrics per commons, at most: info, four status series, agent connected and last seen (about 640 bytes with these ids). */
const BYTES_PER_COMMONS = 800;
/** Everything else on the fleet /metrics (the service's own and process metrics, the bounded aggregates), at most. */
const FIXED_BYTES = 64 * 1024;

const PER_SERVICE = /^(dcoc_service_(up|replicas_desired|replicas_ready|container_restarts|health_latency_seconds\w*)|dcoc_requests?_\w+|dcoc_external_\w+|dcoc_commands_finished_total)\{/m;

describe('the fleet /metrics at 2,000 commons', () => {
  const fleet = syntheticFleet(COMMONS);
  const metrics = new Metrics(fleet);
  feedSyntheticMetrics(fleet, metrics);

  it('has no per-service series and a bounded size per commons', async () => {
    const text = await metrics.renderFleet();
    const bad = text.split('\n').find((l) => PER_SERVICE.test(l));
    assert.equal(bad, undefined, `a per-service or per-commons-detail series on the fleet /metrics: ${bad}`);
    assert.doesNotMatch(text, /\{commons="[^"]*",[^}]*service="/, 'no series labelled by commons and service');
    const bytes = Buffer.byteLength(text);
    assert.ok(bytes <= FIXED_BYTES + COMMONS * BYTES_PER_COMMONS, `${bytes} bytes for ${COMMONS} commons: ${(bytes / COMMONS).toFixed(0)} per commons`);
    // One series per commons where the alerts need them.
    assert.equal(text.match(/^dcoc_commons_info\{/gm)?.length, COMMONS);
    assert.equal(text.match(/^dcoc_agent_connected\{/gm)?.length, COMMONS);
    assert.equal(text.match(/^dcoc_commons_status\{/gm)?.length, COMMONS * 4);
    assert.match(text, /^dcoc_agents_connected 2000$/m);
  });

  it('counts services by environment, service and status: bounded whatever the number of commons', async () => {
    const text = await metrics.renderFleet();
    const lines = text.split('\n').filter((l) => l.startsWith('dcoc_services{'));
    assert.ok(lines.length <= 4 * SYNTHETIC_SERVICES.length * 4, `${lines.length} dcoc_services series`);
    const sum = lines.reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
    assert.equal(sum, COMMONS * SYNTHETIC_SERVICES.length, 'every service of every commons counted once');
    assert.match(text, /^dcoc_commons\{environment="env-0",status="degraded"\} \d+$/m);
  });

  it('concurrent scrapes share one render', async () => {
    const [a, b] = [metrics.renderFleet(), metrics.renderFleet()];
    assert.equal(a, b, 'the same promise');
    assert.equal(await a, await b);
    assert.notEqual(metrics.renderFleet(), a, 'a scrape after it finished renders again');
  });
});

describe('a commons removed from the fleet', () => {
  it('leaves no series behind: gone from /metrics, its detail unknown, and nothing of it when one of that id comes back', async () => {
    const fleet = syntheticFleet(3);
    const metrics = new Metrics(fleet);
    feedSyntheticMetrics(fleet, metrics);
    const id = syntheticId(1);
    const row = { ...fleet.get(id)! };
    assert.match(metrics.renderCommons(id)!, /^dcoc_service_health_latency_seconds_count\{/m);
    fleet.remove(id);
    assert.equal(metrics.renderCommons(id), undefined);
    assert.doesNotMatch(await metrics.renderFleet(), new RegExp(`commons="${id}"`));
    assert.equal(metrics.requests.seriesOf(id), 0, 'forgotten at the fleet render');
    fleet.ensure({ id, name: row.name, hostname: row.hostname, environment: row.environment, namespace: row.namespace, agent_id: null, release: '', config_revision: 1, config_json: '{}', created_at: '', updated_at: '' });
    const text = metrics.renderCommons(id)!;
    assert.doesNotMatch(text, /^dcoc_(service_health_latency_seconds|request_duration_seconds)_count\{/m, 'no histogram of the commons that was removed');
    assert.doesNotMatch(text, /state="succeeded"/, 'its command counts start again');
    assert.match(text, new RegExp(`^dcoc_commands_finished_total\\{commons="${id}",[^}]*kind="restart",state="failed"\\} 0$`, 'm'), 'failures from 0');
  });
});

describe('/metrics/commons/{id} and /metrics/sd', () => {
  const fleet = syntheticFleet(30);
  const metrics = new Metrics(fleet);
  feedSyntheticMetrics(fleet, metrics);
  const labels = new Map(fleet.all().map((c, i) => [c.id, { commons: c.id, environment: c.environment, tier: i % 3 === 0 ? 'production' : 'staging' }]));
  const groups = {
    matching: async (s: LabelSelector) => [...labels].filter(([, l]) => selectorMatches(s, l)).map(([id]) => id),
    commonsIn: async (name: string) => {
      if (name !== 'production') throw new NotFound(`group ${name}`);
      return [...labels].filter(([, l]) => l.tier === 'production').map(([id]) => id);
    },
  };
  const env: Record<string, unknown> = {};
  const ctx = new Proxy({ env, metrics, fleet, groups, log: createLogger('test', 'silent'), approvals: { onApproved: () => undefined } } as Record<string, unknown>, {
    get: (t, k: string) => t[k] ?? {},
  }) as unknown as ApiContext;
  let server: Server;
  let base = '';
  before(async () => {
    server = createApp(ctx).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it("serves a commons' per-service series under today's names and labels", async () => {
    const id = syntheticId(7);
    const env7 = fleet.get(id)!.environment;
    const r = await fetch(`${base}/metrics/commons/${id}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    for (const s of SYNTHETIC_SERVICES) {
      const l = `commons="${id}",environment="${env7}",service="${s}"`;
      assert.match(text, new RegExp(`^dcoc_service_up\\{${l}\\} 1$`, 'm'), s);
      assert.match(text, new RegExp(`^dcoc_service_replicas_desired\\{${l}\\} 2$`, 'm'), s);
      assert.match(text, new RegExp(`^dcoc_service_health_latency_seconds_bucket\\{${l},le="\\+Inf"\\} 3$`, 'm'), s);
      assert.match(text, new RegExp(`^dcoc_service_health_latency_seconds_bucket\\{${l},le="0.005"\\} 1$`, 'm'), s);
      if (!REQUEST_SERVICES.includes(s)) continue; // revproxy's log names the services it routes to
      assert.match(text, new RegExp(`^dcoc_requests_total\\{${l},code="2xx"\\} 1$`, 'm'), s);
      assert.match(text, new RegExp(`^dcoc_request_duration_seconds_count\\{${l},code="2xx"\\} 1$`, 'm'), s);
    }
    assert.match(text, new RegExp(`^dcoc_commands_finished_total\\{commons="${id}",environment="${env7}",kind="restart",state="succeeded"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^dcoc_commands_finished_total\\{commons="${id}",environment="${env7}",kind="restart",state="failed"\\} 0$`, 'm'), 'failures start at 0');
    assert.doesNotMatch(text, new RegExp(`commons="(?!${id}")`), 'only this commons');
    assert.doesNotMatch(await metrics.renderFleet(), /^dcoc_service_up\{/m);
  });

  it('answers 404 problem+json for an unknown commons and 422 naming path.id for one that cannot be an id', async () => {
    let r = await fetch(`${base}/metrics/commons/no-such-commons`);
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.match(((await r.json()) as { detail: string }).detail, /commons no-such-commons/);
    r = await fetch(`${base}/metrics/commons/Not_An_Id`);
    assert.equal(r.status, 422);
    assert.deepEqual(((await r.json()) as { errors: { field: string }[] }).errors.map((e) => e.field), ['path.id']);
  });

  it('/metrics/sd lists one target per commons at the address the request came through, its detail path and labels', async () => {
    const r = await fetch(`${base}/metrics/sd`);
    assert.equal(r.status, 200);
    const groupsOut = (await r.json()) as { targets: string[]; labels: Record<string, string> }[];
    assert.equal(groupsOut.length, 30);
    const host = new URL(base).host;
    assert.deepEqual(groupsOut[7], { targets: [host], labels: { __metrics_path__: `/metrics/commons/${syntheticId(7)}`, commons: syntheticId(7), environment: fleet.get(syntheticId(7))!.environment } });
    assert.deepEqual(
      groupsOut.map((g) => g.labels.commons),
      fleet.all().map((c) => c.id),
    );
    env.DCOC_METRICS_SD_ADDRESS = 'dcoc-control.dcoc.svc:8470';
    try {
      const overridden = (await (await fetch(`${base}/metrics/sd`)).json()) as { targets: string[] }[];
      assert.ok(overridden.every((g) => g.targets[0] === 'dcoc-control.dcoc.svc:8470'));
    } finally {
      delete env.DCOC_METRICS_SD_ADDRESS;
    }
  });

  it('/metrics/sd narrows by group and by label selector; a bad query is refused naming the field', async () => {
    const ids = async (q: string) => ((await (await fetch(`${base}/metrics/sd?${q}`)).json()) as { labels: { commons: string } }[]).map((g) => g.labels.commons);
    const production = [...labels].filter(([, l]) => l.tier === 'production').map(([id]) => id);
    assert.deepEqual(await ids('group=production'), production);
    assert.deepEqual(await ids(`selector=${encodeURIComponent('tier=production,environment in (env-0)')}`), production.filter((id) => fleet.get(id)!.environment === 'env-0'));
    assert.deepEqual(await ids(`group=production&selector=${encodeURIComponent('tier!=production')}`), [], 'both apply');
    let r = await fetch(`${base}/metrics/sd?group=nope`);
    assert.equal(r.status, 422, 'an unknown group is a bad filter value, as on GET /api/v1/commons');
    assert.deepEqual(((await r.json()) as { errors: { field: string }[] }).errors.map((e) => e.field), ['query.group']);
    r = await fetch(`${base}/metrics/sd?group=Bad_Name`);
    assert.equal(r.status, 422);
    assert.deepEqual(((await r.json()) as { errors: { field: string }[] }).errors.map((e) => e.field), ['query.group']);
    r = await fetch(`${base}/metrics/sd?selector=${encodeURIComponent('tier in (')}`);
    assert.equal(r.status, 422);
    assert.deepEqual(((await r.json()) as { errors: { field: string }[] }).errors.map((e) => e.field), ['query.selector']);
    r = await fetch(`${base}/metrics/sd?groups=production`);
    assert.equal(r.status, 422);
    assert.deepEqual(((await r.json()) as { errors: { field: string }[] }).errors.map((e) => e.field), ['query.groups']);
  });
});
