// Two control services on one PostgreSQL (issue 16, must-show 4), behind a
// TCP balancer as a Kubernetes Service would put them: agents land on
// replica B, operators talk to replica A. A restart accepted by A reaches the
// agent on B and succeeds, A's event stream shows what B heard, and after
// kill -9 of B the agents reconnect to A (same identities, no re-enrollment)
// and every command reaches one final state, exactly once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { CommandView, CommonsSummary } from '../../contracts/api';
import { type AgentProc, type Control, DEMO_COMMONS, api, startAgent, stopProc } from '../../scripts/demo/processes';
import { ADMIN_TOKEN, type SimState, eventually, startTestControl } from '../support/fleet';
import { type TestDatabase, createTestDatabase, skipWithoutPostgres } from '../support/postgres';
import { type TcpBalancer, startBalancer } from '../support/tcp-balancer';

const COMMONS = DEMO_COMMONS.slice(0, 2);
const FINAL = ['succeeded', 'failed', 'expired', 'cancelled'];

describe('two control services on one PostgreSQL', { skip: await skipWithoutPostgres() }, () => {
  let db: TestDatabase;
  let dir: string;
  let a: Control;
  let b: Control;
  let gateway: TcpBalancer;
  let enroll: TcpBalancer;
  const agents: AgentProc[] = [];
  let operator: string;
  const events: { type: string; command?: string; state?: string }[] = [];
  const sse = new AbortController();

  const replica = (name: string, env: NodeJS.ProcessEnv = {}) => startTestControl(join(dir, name), { DCOC_DATABASE_URL: db.url, DCOC_REPLICA_ID: name, ...env });
  const port = (addr: string) => Number(addr.slice(addr.lastIndexOf(':') + 1));
  const alive = (c: Control) => c.child.exitCode === null && c.child.signalCode === null;
  const commonsOn = (c: Control) => api<{ items: CommonsSummary[] }>(c, ADMIN_TOKEN, 'GET', '/api/v1/commons').then((r) => r.body.items);

  before(async () => {
    db = await createTestDatabase('replicas');
    dir = mkdtempSync(join(tmpdir(), 'dcoc-replicas-'));
    a = await replica('a');
    // One CA for both: B signs and verifies with A's (in production, a Secret both mount).
    b = await replica('b', { DCOC_CA_CERT_FILE: join(dir, 'a', 'pki', 'ca.crt.pem'), DCOC_CA_KEY_FILE: join(dir, 'a', 'pki', 'ca.key.pem') });
    // The Service in front of the agent ports: B while it lives, then A.
    gateway = await startBalancer(() => [b, a].filter(alive).map((c) => port(c.gatewayAddr)));
    enroll = await startBalancer(() => [b, a].filter(alive).map((c) => port(c.enrollAddr)));
    const viaService: Control = { ...a, gatewayAddr: gateway.addr, enrollAddr: enroll.addr };
    for (const spec of COMMONS) agents.push(await startAgent({ control: viaService, spec, dataDir: join(dir, 'agents', spec.environment), tickMs: 100, podStartMs: 300 }));
    const r = await api<{ token: string }>(a, ADMIN_TOKEN, 'POST', '/api/v1/tokens', { name: 'replicas-operator', role: 'operator' });
    operator = r.body.token;
    void readEvents(a, sse.signal, events);
  });

  after(async () => {
    sse.abort();
    await Promise.all(agents.map((p) => stopProc(p)));
    await Promise.all([a, b].filter(Boolean).map((c) => stopProc(c)));
    await gateway?.close();
    await enroll?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the agents connected to B as healthy and connected on A', async () => {
    await eventually(async () => {
      const items = await commonsOn(a);
      return items.length === COMMONS.length && items.every((c) => c.status === 'healthy' && c.agent.connected) && items;
    }, { what: 'A to see both commons healthy, through B', timeoutMs: 60_000 });
    // They are B's: A holds no agent stream (its /readyz counts its own).
    const readyA = (await (await fetch(`${a.url}/readyz`)).json()) as { agents: number };
    const readyB = (await (await fetch(`${b.url}/readyz`)).json()) as { agents: number };
    assert.deepEqual([readyA.agents, readyB.agents], [0, COMMONS.length]);
  });

  it('sends a restart accepted by A to the agent on B, and A streams what B heard', async () => {
    const id = (await commonsOn(a))[0].id;
    const r = await api<{ command: { id: string } }>(a, operator, 'POST', `/api/v1/commons/${id}/services/fence/restart`);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const done = await eventually(async () => {
      const c = (await api<CommandView>(a, ADMIN_TOKEN, 'GET', `/api/v1/commands/${r.body.command.id}`)).body;
      return FINAL.includes(c.state) && c;
    }, { what: 'the restart to finish', timeoutMs: 60_000 });
    assert.equal(done.state, 'succeeded', done.message);
    // queued was published on A; dispatched, running and succeeded on B, and told to A.
    await eventually(() => events.some((e) => e.type === 'command.updated' && e.command === r.body.command.id && e.state === 'succeeded'), { what: "A's stream to show B's result" });
    const seen = events.filter((e) => e.type === 'command.updated' && e.command === r.body.command.id).map((e) => e.state);
    assert.deepEqual([seen[0], seen.at(-1)], ['queued', 'succeeded']);
    assert.ok(seen.includes('dispatched'), `A's stream: ${seen.join(', ')}`);
  });

  it('a change held on A and approved on B runs once, and A streams the approval as B moved it', async () => {
    const id = (await commonsOn(a))[0].id;
    const admin = (c: Control, method: string, path: string, body?: unknown) => api<Record<string, unknown>>(c, ADMIN_TOKEN, method, `/api/v1${path}`, body);
    assert.equal((await admin(a, 'PUT', `/commons/${id}/labels`, { labels: { tier: 'production' } })).status, 200);
    assert.equal((await admin(a, 'PUT', '/groups/production', { selector: { matchLabels: { tier: 'production' } } })).status, 201);
    assert.equal((await admin(b, 'PUT', '/policies/hold-restarts', { group: 'production', rules: { approval: { kinds: ['restart'] } } })).status, 201);
    try {
      const held = await api<{ approval: { id: string } }>(a, operator, 'POST', `/api/v1/commons/${id}/services/indexd/restart`, { reason: 'replicas' });
      assert.equal(held.status, 202, JSON.stringify(held.body));
      const approval = held.body.approval.id;
      const second = (await api<{ token: string }>(b, ADMIN_TOKEN, 'POST', '/api/v1/tokens', { name: 'replicas-approver', role: 'operator' })).body.token;
      const approved = await api<{ state: string; result: { command?: string } }>(b, second, 'POST', `/api/v1/approvals/${approval}/approve`);
      assert.equal(approved.body.state, 'executed', JSON.stringify(approved.body));
      // Approving on the other replica too changes nothing.
      assert.equal((await api<{ result: { command?: string } }>(a, second, 'POST', `/api/v1/approvals/${approval}/approve`)).body.result.command, approved.body.result.command);
      const moves = () => events.filter((e) => e.type === 'approval.updated' && (e as { approval?: string }).approval === approval).map((e) => e.state);
      await eventually(() => moves().includes('executed'), { what: "A's stream to show the approval B ran" });
      assert.deepEqual(moves(), ['requested', 'approved', 'executed']);
      const done = await eventually(async () => {
        const c = (await api<CommandView>(a, ADMIN_TOKEN, 'GET', `/api/v1/commands/${approved.body.result.command}`)).body;
        return FINAL.includes(c.state) && c;
      }, { what: 'the approved restart to finish', timeoutMs: 60_000 });
      assert.equal(done.state, 'succeeded', done.message);
    } finally {
      assert.equal((await admin(a, 'DELETE', '/policies/hold-restarts')).status, 204);
    }
  });

  it('after kill -9 of B, the agents reconnect to A and every command reaches one final state once', async () => {
    const before = (await api<{ items: { id: string }[] }>(a, ADMIN_TOKEN, 'GET', '/api/v1/agents')).body.items.map((x) => x.id).sort();
    const ids: string[] = [];
    const items = await commonsOn(a);
    const agentOf = (commonsId: string) => agents.find((p) => items.find((c) => c.id === commonsId)?.hostname === p.spec.hostname)!;
    const rollouts = async (commonsId: string) => {
      const state = (await (await fetch(`http://127.0.0.1:${agentOf(commonsId).healthPort}/__sim/state`)).json()) as SimState;
      return state.services.fence.rollouts;
    };
    const rolloutsBefore = await rollouts(items[0].id);
    // Commands in flight when B dies: accepted by A, some dispatched by B, some running in the agents.
    for (let i = 0; i < 6; i++) {
      const c = items[i % items.length];
      const r =
        i % 2
          ? await api<{ command: { id: string } }>(a, operator, 'POST', `/api/v1/commons/${c.id}/services/indexd/scale`, { replicas: 2 + (i % 3) })
          : await api<{ command: { id: string } }>(a, operator, 'POST', `/api/v1/commons/${c.id}/services/fence/restart`);
      assert.equal(r.status, 202, JSON.stringify(r.body));
      ids.push(r.body.command.id);
    }
    b.child.kill('SIGKILL');
    await b.exited;

    await eventually(async () => {
      const ready = (await (await fetch(`${a.url}/readyz`)).json()) as { agents: number };
      return ready.agents === COMMONS.length;
    }, { what: 'both agents to reconnect to A', timeoutMs: 60_000 });
    const finished = await eventually(async () => {
      const rows = await Promise.all(ids.map((id) => api<CommandView>(a, ADMIN_TOKEN, 'GET', `/api/v1/commands/${id}`).then((r) => r.body)));
      return rows.every((c) => FINAL.includes(c.state)) && rows;
    }, { what: 'every command to finish', timeoutMs: 90_000 });
    assert.deepEqual(finished.map((c) => `${c.id}:${c.state}`), ids.map((id) => `${id}:succeeded`));

    // Once: one final event per command, however many replicas and reconnects it went through.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const r = await client.query<{ command_id: string; finals: string }>(
        `select command_id, count(*) filter (where state in ('succeeded','failed','expired','cancelled')) as finals from command_events where command_id = any($1) group by command_id`,
        [ids],
      );
      assert.deepEqual(r.rows.map((x) => Number(x.finals)), ids.map(() => 1));
    } finally {
      await client.end();
    }
    // Applied once: the three restarts of the first commons' fence rolled it three times, however often they were sent.
    assert.equal((await rollouts(items[0].id)) - rolloutsBefore, 3);
    const now = (await api<{ items: { id: string }[] }>(a, ADMIN_TOKEN, 'GET', '/api/v1/agents')).body.items.map((x) => x.id).sort();
    assert.deepEqual(now, before, 'the same agents, not new enrollments');
  });
});

/** The SSE stream of `c`, its events pushed into `into` until aborted. */
async function readEvents(c: Control, signal: AbortSignal, into: { type: string; command?: string; state?: string }[]): Promise<void> {
  try {
    const res = await fetch(`${c.url}/api/v1/events`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` }, signal });
    const reader = res.body!.getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += Buffer.from(value).toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = frame.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
        if (data) into.push(JSON.parse(data) as { type: string });
      }
    }
  } catch {
    // aborted at the end
  }
}
