// Issue 17, pod logs and what else the agent is asked on demand, against the
// real control service and a simulated commons' real agent: lines from every
// replica merged with pod names, filter, tail and byte bounds, following over
// Server-Sent Events within the rate bound, permissions, 404s naming the
// field, 503s that say what to do (agent away, agent too old, agent silent),
// and a hostile agent whose answers are dropped at the gateway.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LOG_BYTES_MAX, LOG_FOLLOW_LINES_PER_S, type CommonsResources, type KubeEventList, type LogsStreamEvent, type LogsView, type Problem } from '../../contracts/api';
import type { ControlMessage } from '../../contracts/agent-messages';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { type RawAgent, type SseEvent, openSse, startRawAgent } from '../support/raw-agent';

const HEAL = DEMO_COMMONS[2];
const ID = 'healdata-org';

describe('pod logs and inspection through the agent', () => {
  let fleet: TestFleet;
  let developer: string;
  let viewer: string;
  const streams = new AbortController();

  before(async () => {
    fleet = await TestFleet.start({ commons: [HEAL] });
    await fleet.healthyCommons(1);
    developer = await fleet.tokenFor('developer');
    viewer = await fleet.tokenFor('viewer');
  });
  after(async () => {
    streams.abort();
    await fleet.stop();
  });

  const logs = (path: string, token = developer) => fleet.api<LogsView & Problem>(token, 'GET', `/api/v1/commons/${ID}${path}`);

  it('answers the tail of every replica of a service, filtered, with pod names', async () => {
    const alpha = await fleet.simLog(HEAL.hostname, 'fence', 'GET /user ALPHA-marker 200');
    await fleet.simLog(HEAL.hostname, 'fence', 'GET /login beta 302');
    assert.ok(alpha.pods.length >= 2, `fence runs ${alpha.pods.length} pods`);
    const r = await logs('/services/fence/logs?filter=alpha-MARKER&tail=50');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.pods, [...alpha.pods].sort());
    assert.deepEqual(r.body.items.map((l) => l.pod).sort(), [...alpha.pods].sort(), 'one matching line from each pod');
    for (const l of r.body.items) {
      assert.match(l.line, /ALPHA-marker/);
      assert.equal(l.container, 'fence');
      assert.equal(l.time, new Date(alpha.timeMs).toISOString());
    }
    assert.equal(r.body.truncated, false);
  });

  it('keeps the last `tail` lines of each pod, and lines before `until`', async () => {
    const written: number[] = [];
    for (let i = 0; i < 8; i++) written.push((await fleet.simLog(HEAL.hostname, 'indexd', `tail-line ${i}`)).timeMs);
    const r = await logs('/services/indexd/logs?tail=3&filter=tail-line');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // tail applies before filter, as `kubectl logs --tail=3 | grep` (a simulated pod may log a request in between):
    // at most the last 3 lines of each pod, every pod with some of them.
    for (const pod of r.body.pods) {
      const mine = r.body.items.filter((l) => l.pod === pod).map((l) => l.line);
      assert.ok(mine.length >= 1 && mine.length <= 3, `${pod}: ${JSON.stringify(mine)}`);
      assert.ok(mine.every((l) => ['tail-line 5', 'tail-line 6', 'tail-line 7'].includes(l)), `${pod}: ${JSON.stringify(mine)}`);
    }
    // Merged by time across pods.
    const times = r.body.items.map((l) => Date.parse(l.time!));
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    const until = new Date(written[3]).toISOString();
    const before = await logs(`/services/indexd/logs?tail=100&filter=tail-line&until=${encodeURIComponent(until)}`);
    assert.equal(before.status, 200);
    assert.ok(before.body.items.length > 0 && before.body.items.every((l) => Date.parse(l.time!) < written[3]), 'only lines before until');
  });

  it('stops at the byte bound and says truncated', async () => {
    const big = 'x'.repeat(16_000);
    // Two or more pods × 140 lines of 16 kB: more than LOG_BYTES_MAX.
    for (let i = 0; i < 140; i++) await fleet.simLog(HEAL.hostname, 'sheepdog', `${i} ${big}`);
    const r = await logs('/services/sheepdog/logs?tail=5000');
    assert.equal(r.status, 200);
    assert.equal(r.body.truncated, true);
    const bytes = r.body.items.reduce((n, l) => n + Buffer.byteLength(l.line), 0);
    assert.ok(bytes <= LOG_BYTES_MAX, `${bytes} bytes`);
    assert.ok(r.body.items.length < 140 * r.body.pods.length);
  });

  it('refuses a viewer (naming logs:read) and names path.service for a service the commons does not run', async () => {
    const v = await logs('/services/fence/logs', viewer);
    assert.equal(v.status, 403);
    assert.match(v.body.detail, /logs:read/);
    const n = await logs('/services/no-such-service/logs');
    assert.equal(n.status, 404);
    assert.equal(n.body.errors?.[0].field, 'path.service');
    const e = await fleet.api<Problem>(developer, 'GET', '/api/v1/commons/no-such-commons/services/fence/logs');
    assert.equal(e.status, 404);
  });

  it('says there is no previous container (404 naming query.previous)', async () => {
    const r = await logs('/services/fence/logs?previous=true');
    assert.equal(r.status, 404, JSON.stringify(r.body));
    assert.equal(r.body.errors?.[0].field, 'query.previous');
    assert.match(r.body.detail, /previous/);
  });

  it('follows over Server-Sent Events: lines written after it opened, from every replica', async (t) => {
    const events: LogsStreamEvent[] = [];
    const mine = new AbortController();
    t.after(() => mine.abort());
    const s = await openSse(`${fleet.control.url}/api/v1/commons/${ID}/services/peregrine/logs/stream?tail=0`, developer, AbortSignal.any([mine.signal, streams.signal]), (e: SseEvent) => {
      if (e.event === 'logs') events.push(JSON.parse(e.data) as LogsStreamEvent);
    });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    await eventually(() => events.some((e) => e.pods?.length), { what: 'the pods of the stream' });
    const w = await fleet.simLog(HEAL.hostname, 'peregrine', 'followed-line one');
    const seen = await eventually(() => {
      const pods = events.flatMap((e) => e.lines).filter((l) => l.line === 'followed-line one').map((l) => l.pod);
      return pods.length === w.pods.length && pods;
    }, { what: 'the followed line from every pod' });
    assert.deepEqual(seen.sort(), [...w.pods].sort());
  });

  it('keeps a follow stream within its rate bound and says truncated', async (t) => {
    // Ten replicas: each write is ten lines, far more a second than the bound.
    const operator = await fleet.tokenFor('operator');
    const scaled = await fleet.api(operator, 'POST', `/api/v1/commons/${ID}/services/portal/scale`, { replicas: 10 });
    assert.equal(scaled.status, 202, JSON.stringify(scaled.body));
    await eventually(async () => (await fleet.simLog(HEAL.hostname, 'portal', 'warming up')).pods.length === 10, { what: 'ten portal pods' });
    const events: LogsStreamEvent[] = [];
    const mine = new AbortController();
    t.after(() => mine.abort());
    const s = await openSse(`${fleet.control.url}/api/v1/commons/${ID}/services/portal/logs/stream?tail=0`, developer, AbortSignal.any([mine.signal, streams.signal]), (e) => {
      if (e.event === 'logs') events.push(JSON.parse(e.data) as LogsStreamEvent);
    });
    assert.equal(s.status, 200);
    await eventually(() => events.some((e) => e.pods?.length), { what: 'the pods of the stream' });
    const t0 = Date.now();
    let written = 0;
    for (let batch = 0; batch < 12; batch++) {
      const r = await Promise.all(Array.from({ length: 50 }, (_, i) => fleet.simLog(HEAL.hostname, 'portal', `flood ${batch}-${i}`)));
      written += r.reduce((n, x) => n + x.pods.length, 0);
    }
    const seconds = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 500));
    const received = events.flatMap((e) => e.lines).filter((l) => l.line.startsWith('flood')).length;
    // One second's burst, then LOG_FOLLOW_LINES_PER_S a second (and one more second of slack for timing).
    const bound = LOG_FOLLOW_LINES_PER_S * (seconds + 2.5);
    assert.ok(received <= bound, `${received} lines in ${seconds.toFixed(1)} s (bound ${bound})`);
    if (received < written) assert.ok(events.some((e) => e.truncated), 'dropped lines are said');
    assert.ok(received > 0);
  });

  it('serves at most 8 log requests per agent at once; the next is refused saying so', async () => {
    let open = new AbortController();
    try {
      // Earlier tests' streams may take a moment to be stopped at the agent.
      await eventually(async () => {
        open.abort();
        open = new AbortController();
        const statuses: number[] = [];
        for (let i = 0; i < 8; i++) {
          const s = await openSse(`${fleet.control.url}/api/v1/commons/${ID}/services/fence/logs/stream?tail=0`, developer, AbortSignal.any([open.signal, streams.signal]), () => undefined);
          statuses.push(s.status);
        }
        return statuses.every((s) => s === 200);
      }, { what: 'eight follow streams to open', timeoutMs: 10_000 });
      const ninth = await logs('/services/fence/logs?tail=1');
      assert.equal(ninth.status, 503, JSON.stringify(ninth.body));
      assert.match(ninth.body.detail, /8 log requests/);
    } finally {
      open.abort();
    }
    // Closed streams are stopped at the agent: requests are served again.
    await eventually(async () => (await logs('/services/fence/logs?tail=1')).status === 200, { what: 'logs to be served again' });
  });

  it("shows the simulated commons' Kubernetes events: a restart's ScalingReplicaSet and Killing on that service", async () => {
    await fleet.restartAndWait(ID, 'arborist');
    const r = await eventually(
      async () => {
        const r = await fleet.api<KubeEventList>(developer, 'GET', `/api/v1/commons/${ID}/kubernetes-events?service=arborist`);
        return r.status === 200 && ['ScalingReplicaSet', 'Killing'].every((reason) => r.body.items.some((e) => e.reason === reason)) && r;
      },
      { what: 'the restart\'s events' },
    );
    assert.ok(r.body.items.every((e) => e.service === 'arborist'), 'only arborist\'s events');
    const viewer = await fleet.tokenFor('viewer');
    assert.equal((await fleet.api(viewer, 'GET', `/api/v1/commons/${ID}/kubernetes-events`)).status, 403);
  });

  it("sums the simulated commons' resources per service, with the chart's requests", async () => {
    const r = await fleet.api<CommonsResources>(developer, 'GET', `/api/v1/commons/${ID}/resources`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.available, true);
    const fence = r.body.items.find((s) => s.service === 'fence');
    assert.ok(fence && fence.pods > 0 && fence.cpuCores > 0 && fence.memoryBytes > 0, JSON.stringify(fence));
  });

  describe('an agent that answers as the test says', () => {
    let raw: RawAgent;
    const RAW = 'raw-inspect.example.org';
    let answer: (m: ControlMessage) => void = () => undefined;

    before(async () => {
      raw = await startRawAgent(fleet.control, RAW, ['inspect:logs', 'inspect:events', 'inspect:resources'], ['fence', 'indexd']);
      raw.onMessage((m) => answer(m));
      await eventually(async () => (await fleet.admin<{ agent: { connected: boolean } }>('GET', `/api/v1/commons/${raw.commonsId}`)).body?.agent?.connected, { what: 'the raw agent to connect' });
    });
    after(() => raw?.close());

    const get = <T>(path: string) => fleet.api<T & Problem>(developer, 'GET', `/api/v1/commons/${raw.commonsId}${path}`);

    it('shows events warnings first, then newest first, and filters by service', async () => {
      answer = (m) => {
        if (!('inspect' in m) || m.inspect.kind !== 'events') return;
        const ev = (type: string, reason: string, service: string, last: string) => ({ type, reason, message: reason, object_kind: 'Pod', object_name: `${service}-1`, service, count: 1, first_time: last, last_time: last, source: 'kubelet' });
        raw.send({
          inspect_result: {
            id: m.inspect.id,
            error: '',
            events: { items: [ev('Normal', 'Pulled', 'fence', '2026-01-01T10:00:00Z'), ev('Warning', 'BackOff', 'fence', '2026-01-01T09:00:00Z'), ev('Normal', 'Started', 'indexd', '2026-01-01T11:00:00Z'), ev('Bogus', 'x', 'fence', '2026-01-01T11:00:00Z')] },
          },
        });
      };
      const all = await get<KubeEventList>('/kubernetes-events');
      assert.equal(all.status, 200, JSON.stringify(all.body));
      assert.deepEqual(all.body.items.map((e) => e.reason), ['BackOff', 'Started', 'Pulled'], 'warnings first, then newest; an event of no known type dropped');
      const fence = await get<KubeEventList>('/kubernetes-events?service=fence');
      assert.deepEqual(fence.body.items.map((e) => e.reason), ['BackOff', 'Pulled']);
      const unknown = await get('/kubernetes-events?service=nope');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.errors?.[0].field, 'query.service');
    });

    it('sums resources per service; a request or limit not set is null', async () => {
      answer = (m) => {
        if (!('inspect' in m) || m.inspect.kind !== 'resources') return;
        const pod = (pod: string, service: string, req: number) => ({ pod, service, cpu_cores: 0.25, memory_bytes: 100, cpu_request_cores: req, cpu_limit_cores: 1, memory_request_bytes: 64, memory_limit_bytes: 0 });
        raw.send({ inspect_result: { id: m.inspect.id, error: '', resources: { available: true, detail: '', pods: [pod('fence-a', 'fence', 0.5), pod('fence-b', 'fence', 0.5), pod('indexd-a', 'indexd', 0)] } } });
      };
      const r = await get<CommonsResources>('/resources');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.items, [
        { service: 'fence', pods: 2, cpuCores: 0.5, memoryBytes: 200, cpuRequestCores: 1, cpuLimitCores: 2, memoryRequestBytes: 128, memoryLimitBytes: null },
        { service: 'indexd', pods: 1, cpuCores: 0.25, memoryBytes: 100, cpuRequestCores: null, cpuLimitCores: 1, memoryRequestBytes: 64, memoryLimitBytes: null },
      ]);
    });

    it('drops chunks for requests it was not asked, lines beyond bounds and impossible lines; the control service stays up', async () => {
      answer = (m) => {
        if (!('logs' in m)) return;
        const id = m.logs.id;
        const line = (i: number) => ({ pod: 'fence-a', container: 'fence', time_ms: Date.now(), text: `line ${i}` });
        raw.send({ log_chunk: { id: 'not-asked', lines: [line(0)], pods: ['fence-a'], done: true, error: '', truncated: false } });
        raw.send({ log_chunk: { id, lines: Array.from({ length: 50_000 }, (_, i) => line(i)), pods: ['fence-a', 'Not A Pod'], done: false, error: '', truncated: false } });
        raw.send({
          log_chunk: {
            id,
            lines: [
              { pod: 'fence-a', container: 'fence', time_ms: Date.now(), text: 'y'.repeat(200_000) },
              { pod: '../etc', container: 'fence', time_ms: Date.now(), text: 'bad pod' },
              { pod: 'fence-a', container: 'fence', time_ms: 4e15, text: 'bad time' },
            ],
            pods: [],
            done: true,
            error: '',
            truncated: false,
          },
        });
      };
      const r = await get<LogsView>('/services/fence/logs');
      assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
      assert.equal(r.body.truncated, true);
      assert.deepEqual(r.body.pods, ['fence-a']);
      assert.ok(r.body.items.length <= 5000, `${r.body.items.length} lines`);
      assert.ok(r.body.items.every((l) => l.line.length <= 16 * 1024 + 65), 'huge text cut');
      assert.ok(!r.body.items.some((l) => l.line === 'bad pod' || l.line === 'bad time'));
      const metrics = await (await fetch(`${fleet.control.url}/metrics`)).text();
      assert.match(metrics, /dcoc_agent_answers_dropped_total\{why="not-asked"\} [1-9]/);
      assert.equal((await fetch(`${fleet.control.url}/readyz`)).status, 200);
    });

    it('a silent agent gets a 503 after the first-answer deadline', async () => {
      answer = () => undefined;
      const r = await get('/resources');
      assert.equal(r.status, 503);
      assert.match(r.body.detail, /did not answer/);
    });

    it('a message larger than the gateway takes ends that agent stream, nothing else', async () => {
      answer = (m) => {
        if (!('logs' in m)) return;
        raw.send({ log_chunk: { id: m.logs.id, lines: Array.from({ length: 300_000 }, () => ({ pod: 'fence-a', container: 'fence', time_ms: 0, text: 'zz' })), pods: [], done: true, error: '', truncated: false } });
      };
      const r = await get('/services/fence/logs');
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.equal((await fetch(`${fleet.control.url}/readyz`)).status, 200);
      assert.equal(fleet.control.child.exitCode, null);
      // The healthy commons still answers.
      assert.equal((await logs('/services/fence/logs?tail=1')).status, 200);
    });

    it('answers 503 when the agent is not connected', async () => {
      raw.close();
      await eventually(async () => (await fleet.admin<{ agent: { connected: boolean } }>('GET', `/api/v1/commons/${raw.commonsId}`)).body.agent.connected === false, { what: 'the raw agent to be disconnected' });
      const r = await get('/services/fence/logs');
      assert.equal(r.status, 503);
      assert.match(r.body.detail, /not connected/);
    });
  });

  it('answers 503 saying upgrade when the agent does not read logs, events or resources', async () => {
    const old = await startRawAgent(fleet.control, 'old-agent.example.org', ['executor:restart']);
    try {
      await eventually(async () => (await fleet.admin<{ agent: { connected: boolean } }>('GET', `/api/v1/commons/${old.commonsId}`)).body?.agent?.connected, { what: 'the old agent to connect' });
      for (const [path, capability] of [['/services/fence/logs', 'inspect:logs'], ['/kubernetes-events', 'inspect:events'], ['/resources', 'inspect:resources']]) {
        const r = await fleet.api<Problem>(developer, 'GET', `/api/v1/commons/${old.commonsId}${path}`);
        assert.equal(r.status, 503, path);
        assert.match(r.body.detail, new RegExp(capability));
        assert.match(r.body.detail, /upgrade/);
      }
    } finally {
      old.close();
    }
  });
});
