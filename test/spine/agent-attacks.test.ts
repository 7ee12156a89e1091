// What one broken or compromised agent can send, against the real control
// service: a command result that is not JSON (or
// not an object, or a deploy result without its services) is refused at the
// gateway and logged; the command's state still counts, and every read of
// history keeps answering. Metric samples and services it reports cannot mint
// series without bound. Before the fixes the raw text was stored and every
// later GET /api/v1/commands answered 500, for everyone, and 20,000 samples
// with unique service labels grew /metrics to 39 MB.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import Sqlite from 'better-sqlite3';
import { gatewayClient } from '../../agent/protocol/client';
import { enroll } from '../../agent/protocol/identity';
import type { CommandView } from '../../contracts/api';
import type { ControlMessage } from '../../contracts/agent-messages';
import type { AgentMessage, ConfigState, ControlMessage as ControlMessageWire } from '../../contracts/pb/agent';
import { mintEnrollmentToken } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { type StoreSnapshot, assertOnlyAccepted, snapshotOf } from '../support/store-snapshot';

const HOST = 'rogue.example.org';
const ID = 'rogue-example-org';

describe('a compromised agent', () => {
  let fleet: TestFleet;
  let stored: StoreSnapshot;
  let restarts = 0;
  let call: grpc.ClientDuplexStream<AgentMessage, ControlMessageWire>;
  // seq is the connection's to number; this rogue agent leaves it 0.
  const send = (m: Omit<AgentMessage, 'seq'>) => call.write({ seq: 0, ...m });
  const received: ControlMessage[] = [];

  before(async () => {
    fleet = await TestFleet.start({ commons: [] });
    const identity = await enroll({
      dataDir: mkdtempSync(join(tmpdir(), 'dcoc-rogue-')),
      enrollAddr: fleet.control.enrollAddr,
      caPem: readFileSync(fleet.control.caFile, 'utf8'),
      token: await mintEnrollmentToken(fleet.control),
      version: 'rogue',
      hostname: HOST,
    });
    const client = gatewayClient(fleet.control.gatewayAddr, identity);
    call = client.connect();
    call.on('data', (m: ControlMessage) => received.push(m));
    call.on('error', () => undefined);
    const commons = { hostname: HOST, environment: 'rogue', name: HOST, namespace: 'rogue' };
    send({ hello: { agent_id: identity.agentId, agent_version: 'rogue', capabilities: ['executor:restart'], commons, finished: [] } });
    const service = { name: 'fence', status: 'healthy', deployment: 'fence-deployment', desired_replicas: 1, ready_replicas: 1, updated_replicas: 1, image: 'quay.io/cdis/fence:2026.07', version: '2026.07', reason: '', restarted_at: '', restart_count: 0, rollout: '', gitops_owner: '' };
    send({ snapshot: { commons, release: '2026.07', services: [service], config: null, taken_at_ms: Date.now() } });
    await eventually(async () => (await fleet.admin('GET', `/api/v1/commons/${ID}`)).status === 200, { what: 'the rogue commons to register' });
    stored = await snapshotOf(fleet.control.opts);
  });
  after(async () => {
    call?.cancel();
    await fleet.stop();
  });

  /** An operator restarts fence; the rogue agent answers with `update`; resolves with the command as the API then shows it. */
  async function restartAnsweredWith(update: Record<string, unknown>): Promise<CommandView> {
    const operator = await fleet.tokenFor('operator');
    const r = await fleet.api<{ command: { id: string } }>(operator, 'POST', `/api/v1/commons/${ID}/services/fence/restart`);
    restarts++;
    assert.equal(r.status, 202);
    const id = r.body.command.id;
    await eventually(() => received.some((m) => 'command' in m && m.command.id === id), { what: 'the command to reach the agent' });
    send({ command_update: { command_id: id, state: 'succeeded', message: 'done', percent: 100, at_ms: Date.now(), result_json: '', ...update } });
    return eventually(async () => {
      const c = await fleet.admin<CommandView>('GET', `/api/v1/commands/${id}`);
      return c.status === 200 && c.body.state === 'succeeded' && c.body;
    }, { what: 'the command to finish' });
  }

  it('a result that is not JSON is dropped at the gateway; the state counts and history still reads', async () => {
    const c = await restartAnsweredWith({ result_json: '{not json' });
    assert.equal(c.result, null);
    for (const path of ['/api/v1/commands', '/api/v1/commands?status=succeeded', '/api/v1/commands?status=failed,expired', '/api/v1/deployments', '/api/v1/audit']) {
      assert.equal((await fleet.admin('GET', path)).status, 200, path);
    }
  });

  it('a result that is JSON but not an object, a huge message and a percent out of range are bounded', async () => {
    const c = await restartAnsweredWith({ result_json: 'null', message: `x\n${'y'.repeat(100_000)}`, percent: 1e9 });
    assert.equal(c.result, null);
    assert.ok(c.message.length <= 2000 && !c.message.includes('\n'), `message of ${c.message.length} characters`);
    assert.equal(c.percent, 100);
  });

  it('metric samples for services it does not run, and services beyond any commons, mint no series', async () => {
    // The fleet /metrics and the commons' detail (/metrics/commons/{id}), where per-service series are.
    const metrics = async () => (await (await fetch(`${fleet.control.url}/metrics`)).text()) + (await (await fetch(`${fleet.control.url}/metrics/commons/${ID}`)).text());
    const before = (await metrics()).length;
    const samples = Array.from({ length: 20_000 }, (_, i) => ({ name: 'dcoc_health_check_latency_seconds', labels: { service: `made-up-${i}` }, value: 0.1, timestamp_ms: Date.now() }));
    send({ metrics: { samples } });
    const service = (name: string) => ({ name, status: 'healthy', deployment: `${name}-deployment`, desired_replicas: 1, ready_replicas: 1, updated_replicas: 1, image: 'x:1', version: '1', reason: '', restarted_at: '', restart_count: 0, rollout: '', gitops_owner: '' });
    const commons = { hostname: HOST, environment: 'rogue', name: HOST, namespace: 'rogue' };
    send({ snapshot: { commons, release: '2026.07', services: [...Array.from({ length: 5000 }, (_, i) => service(`svc-${i}`)), service('Not A Name')], config: null, taken_at_ms: Date.now() } });
    const services = await eventually(async () => {
      const c = await fleet.admin<{ services: { name: string }[] }>('GET', `/api/v1/commons/${ID}`);
      return c.body.services.length > 1 && c.body.services;
    }, { what: 'the snapshot to land' });
    assert.equal(services.length, 200);
    assert.ok(!services.some((s) => s.name === 'Not A Name'));
    const after = await metrics();
    assert.ok(!after.includes('made-up-'), 'no series for services the commons does not run');
    assert.ok(after.length - before < 200 * 2000, `/metrics grew by ${after.length - before} bytes`);
    // Back to the one service the other tests restart.
    send({ snapshot: { commons, release: '2026.07', services: [service('fence')], config: null, taken_at_ms: Date.now() } });
    await eventually(async () => (await fleet.admin<{ services: unknown[] }>('GET', `/api/v1/commons/${ID}`)).body.services.length === 1, { what: 'fence alone again' });
  });

  it('a flood of bad samples writes one warning for the commons, not one per message', async () => {
    // Logs are written synchronously on the loop that serves every agent: a line per bad message let one agent stall the gateway.
    const warned = () => fleet.control.logs.filter((l) => l.includes('agent sent metric samples for services it does not run'));
    const mark = warned().length;
    const bad = { metrics: { samples: [{ name: 'dcoc_health_check_latency_seconds', labels: { service: 'not-here' }, value: 0.1, timestamp_ms: Date.now() }] } };
    const handled = async () => Number(/^dcoc_agent_messages_total\{type="metrics"\} (\d+)$/m.exec(await (await fetch(`${fleet.control.url}/metrics`)).text())?.[1] ?? 0);
    const before = await handled();
    for (let i = 0; i < 500; i++) send(bad);
    await eventually(async () => (await handled()) >= before + 500, { what: 'the 500 messages to be handled' });
    assert.ok(warned().length - mark <= 1, `${warned().length - mark} warnings for one agent's 500 bad messages`);
  });

  it('cannot grow the config history, nor store a config no ConfigMap could hold', async () => {
    const commons = { hostname: HOST, environment: 'rogue', name: HOST, namespace: 'rogue' };
    const delta = (config: ConfigState) => send({ delta: { services: [], removed_services: [], config, release: '', taken_at_ms: Date.now() } });
    const config = async () => (await fleet.admin<{ config: { revision: number; data: Record<string, string> } }>('GET', `/api/v1/commons/${ID}`)).body.config;
    const history = async () => (await fleet.admin<{ items: { revision: number }[] }>('GET', `/api/v1/commons/${ID}/config/revisions`)).body.items;
    const service = (name: string) => ({ name, status: 'healthy', deployment: `${name}-deployment`, desired_replicas: 1, ready_replicas: 1, updated_replicas: 1, image: 'x:1', version: '1', reason: '', restarted_at: '', restart_count: 0, rollout: '', gitops_owner: '' });
    send({ snapshot: { commons, release: '2026.07', services: [service('fence')], config: { revision: 1, data: { hostname: HOST, environment: 'rogue' }, resource_version: '' }, taken_at_ms: Date.now() } });
    await eventually(async () => (await config()).revision === 1, { what: 'config revision 1' });
    for (let r = 2; r <= 50; r++) delta({ revision: r, data: { hostname: HOST, environment: 'rogue', n: String(r) }, resource_version: '' });
    await eventually(async () => (await config()).revision === 50, { what: 'config revision 50' });
    assert.deepEqual((await history()).map((h) => h.revision), [1], 'only the first revision an agent reports is recorded');

    delta({ revision: 51, data: { 'not a key': 'x' }, resource_version: '' });
    delta({ revision: 52, data: { big: 'x'.repeat(1024 * 1024 + 1) }, resource_version: '' });
    delta({ revision: 53, data: { hostname: HOST, environment: 'rogue', n: 'last' }, resource_version: '' });
    await eventually(async () => (await config()).revision === 53, { what: 'config revision 53' });
    const db = new Sqlite(join(fleet.control.opts.dataDir, 'dcoc.sqlite'), { readonly: true });
    const stored = db.prepare('SELECT length(config_json) AS n FROM commons WHERE id = ?').get(ID) as { n: number };
    db.close();
    assert.ok(stored.n < 1000, `the stored config is ${stored.n} bytes`);
  });

  it('a row an older version stored unchecked does not break the reads either', async () => {
    const c = await restartAnsweredWith({ result_json: '{"ok":true}' });
    assert.deepEqual(c.result, { ok: true });
    const db = new Sqlite(join(fleet.control.opts.dataDir, 'dcoc.sqlite'));
    db.prepare('UPDATE commands SET result_json = ? WHERE id = ?').run('{broken', c.id);
    db.close();
    assert.equal((await fleet.admin<CommandView>('GET', `/api/v1/commands/${c.id}`)).body.result, null);
    assert.equal((await fleet.admin('GET', '/api/v1/commands')).status, 200);
  });

  it('after the attacks the store holds only what operators did (their restarts, the operator token) and the first config the agent reported; /readyz is 200', async () => {
    // Each restart: a command and its audit entry; the operator token: the token and its audit entry.
    await assertOnlyAccepted(fleet.control.opts, stored, { commands: restarts, audit: restarts + 1, api_tokens: 1, config_revisions: 1 }, fleet.control.url);
  });
});
