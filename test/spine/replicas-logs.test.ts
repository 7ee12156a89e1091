// Logs across replicas (issue 17 with issue 16's PostgreSQL replicas): the
// agent is on replica B behind a TCP balancer, the reader asks replica A. The
// request goes to B through the cluster, and B's answer comes back to A in
// NOTIFY-sized pieces: a tail, lines far larger than one NOTIFY, a follow
// stream, a refusal B gives (no inspect:events), and a stop when A's reader leaves.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CommonsResources, CommonsSummary, KubeEventList, LogsStreamEvent, LogsView, Problem } from '../../contracts/api';
import { type AgentProc, type Control, DEMO_COMMONS, api, stopProc, startAgent } from '../../scripts/demo/processes';
import { ADMIN_TOKEN, eventually, startTestControl } from '../support/fleet';
import { type TestDatabase, createTestDatabase, skipWithoutPostgres } from '../support/postgres';
import { openSse } from '../support/raw-agent';
import { type TcpBalancer, startBalancer } from '../support/tcp-balancer';

const HEAL = DEMO_COMMONS[2];
const ID = 'healdata-org';

describe('logs from an agent on another replica', { skip: await skipWithoutPostgres() }, () => {
  let db: TestDatabase;
  let dir: string;
  let a: Control;
  let b: Control;
  let gateway: TcpBalancer;
  let enroll: TcpBalancer;
  let agent: AgentProc;
  let developer: string;
  const streams = new AbortController();

  const replica = (name: string, env: NodeJS.ProcessEnv = {}) => startTestControl(join(dir, name), { DCOC_DATABASE_URL: db.url, DCOC_REPLICA_ID: name, ...env });
  const port = (addr: string) => Number(addr.slice(addr.lastIndexOf(':') + 1));
  const simLog = async (service: string, text: string) => {
    const r = await fetch(`http://127.0.0.1:${agent.healthPort}/__sim/log`, { method: 'POST', body: JSON.stringify({ service, text }) });
    return (await r.json()) as { pods: string[]; timeMs: number };
  };

  before(async () => {
    db = await createTestDatabase('replicas-logs');
    dir = mkdtempSync(join(tmpdir(), 'dcoc-replicas-logs-'));
    a = await replica('a');
    b = await replica('b', { DCOC_CA_CERT_FILE: join(dir, 'a', 'pki', 'ca.crt.pem'), DCOC_CA_KEY_FILE: join(dir, 'a', 'pki', 'ca.key.pem') });
    // Agents reach B only.
    gateway = await startBalancer(() => [port(b.gatewayAddr)]);
    enroll = await startBalancer(() => [port(b.enrollAddr)]);
    agent = await startAgent({ control: { ...a, gatewayAddr: gateway.addr, enrollAddr: enroll.addr }, spec: HEAL, dataDir: join(dir, 'agent'), tickMs: 100, podStartMs: 300 });
    developer = (await api<{ token: string }>(a, ADMIN_TOKEN, 'POST', '/api/v1/tokens', { name: 'replicas-developer', role: 'developer' })).body.token;
    await eventually(async () => {
      const items = (await api<{ items: CommonsSummary[] }>(a, ADMIN_TOKEN, 'GET', '/api/v1/commons')).body.items;
      return items.length === 1 && items[0].status === 'healthy' && items[0].agent.connected;
    }, { what: 'A to see the commons connected through B', timeoutMs: 60_000 });
    const readyA = (await (await fetch(`${a.url}/readyz`)).json()) as { agents: number };
    assert.equal(readyA.agents, 0, 'the agent is not on A');
  });

  after(async () => {
    streams.abort();
    await stopProc(agent);
    await Promise.all([a, b].filter(Boolean).map((c) => stopProc(c)));
    await gateway?.close();
    await enroll?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a tail asked of A with the lines B read, every pod, lines larger than a NOTIFY intact', async () => {
    const big = `BIG ${'é'.repeat(6000)} end`;
    const w = await simLog('fence', 'cross-replica marker');
    await simLog('fence', big);
    const r = await api<LogsView>(a, developer, 'GET', `/api/v1/commons/${ID}/services/fence/logs?tail=20`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.pods, [...w.pods].sort());
    assert.deepEqual(r.body.items.filter((l) => l.line === 'cross-replica marker').map((l) => l.pod).sort(), [...w.pods].sort());
    assert.equal(r.body.items.filter((l) => l.line === big).length, w.pods.length, 'the big line from every pod, unchanged');
  });

  it("answers Kubernetes events and resources asked of A from the agent on B", async () => {
    const events = await api<KubeEventList>(a, developer, 'GET', `/api/v1/commons/${ID}/kubernetes-events`);
    assert.equal(events.status, 200, JSON.stringify(events.body));
    assert.ok(events.body.items.some((e) => e.reason === 'Scheduled' || e.reason === 'Started'), 'the simulated pods\' start events');
    const resources = await api<CommonsResources>(a, developer, 'GET', `/api/v1/commons/${ID}/resources`);
    assert.equal(resources.status, 200, JSON.stringify(resources.body));
    assert.ok(resources.body.available && resources.body.items.some((s) => s.service === 'fence'));
  });

  it("passes on B's refusal: no previous container (404 naming query.previous)", async () => {
    const r = await api<Problem>(a, developer, 'GET', `/api/v1/commons/${ID}/services/fence/logs?previous=true`);
    assert.equal(r.status, 404, JSON.stringify(r.body));
    assert.equal(r.body.errors?.[0].field, 'query.previous', JSON.stringify(r.body));
  });

  it('follows through A: lines written after it opened, from every pod; closing it stops the request at the agent', async () => {
    const events: LogsStreamEvent[] = [];
    const reader = new AbortController();
    const s = await openSse(`${a.url}/api/v1/commons/${ID}/services/indexd/logs/stream?tail=0`, developer, AbortSignal.any([reader.signal, streams.signal]), (e) => {
      if (e.event === 'logs') events.push(JSON.parse(e.data) as LogsStreamEvent);
    });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    await eventually(() => events.some((e) => e.pods?.length), { what: 'the pods of the stream' });
    const w = await simLog('indexd', 'followed across replicas');
    await eventually(() => events.flatMap((e) => e.lines).filter((l) => l.line === 'followed across replicas').length === w.pods.length, { what: 'the line from every pod through A' });
    reader.abort();
    // The agent serves at most 8 requests: were stops lost, the ninth follow would be refused.
    for (let i = 0; i < 9; i++) {
      const c = await eventually(async () => {
        const c = new AbortController();
        const opened = await openSse(`${a.url}/api/v1/commons/${ID}/services/indexd/logs/stream?tail=0`, developer, AbortSignal.any([c.signal, streams.signal]), () => undefined);
        if (opened.status !== 200) throw new Error(`follow ${i + 1}: ${JSON.stringify(opened.body)}`);
        return c;
      }, { what: `follow ${i + 1} to open`, timeoutMs: 10_000 });
      c.abort();
    }
  });
});
