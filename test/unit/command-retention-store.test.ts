// The store under fleet load, on SQLite and PostgreSQL: many agents' last_seen
// written in one call, the deadline sweep reading only the commands that are
// due, and command retention deleting old finished commands with their events
// (never an open one, a recent one, or one a deployment, backup or config
// revision points at) and spent enrollment tokens, audited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlStore } from '../../backend/store/sql-store';
import type { NewAudit } from '../../backend/store/store';
import type { CommandState } from '../../contracts/states';
import { CommandRetention } from '../../backend/commands/retention';
import { createLogger } from '../../lib/logger';
import { raw, storeEngines } from '../support/store-engines';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2026-12-04T12:00:00.000Z');
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();
const audit: NewAudit = { at: ago(0), actor: 'test', actor_kind: 'token', role: 'admin', action: 'command.create', commons_id: 'c1', service: null, detail_json: '{}', outcome: 'accepted', command_id: null };
const silent = createLogger('test', 'silent');

async function command(store: SqlStore, id: string, state: CommandState, updatedDaysAgo: number, deadline = ago(-1)): Promise<void> {
  const at = ago(updatedDaysAgo);
  await store.createCommand(
    { id, kind: 'restart', commons_id: 'c1', service: 'fence', target_json: '{}', state: 'queued', message: '', percent: 0, actor: 'test', created_at: at, updated_at: at, deadline, attempts: 0, result_json: null },
    { ...audit, command_id: id },
  );
  if (state !== 'queued') await raw(store, `update commands set state = '${state}', updated_at = '${at}' where id = '${id}'`);
  await raw(store, `insert into command_events (command_id, at, state, message, percent) values ('${id}', '${at}', '${state}', 'moved', 100)`);
}

const agent = (n: number) => ({ id: `agent-${n}`, commons_id: null, hostname: 'x', version: 'v', cert_serial: `s${n}`, prev_cert_serial: null, cert_not_after: ago(-30), revoked: 0, enrolled_at: ago(1), last_seen: null, enrollment_token_id: '' });

for (const engine of await storeEngines('command-retention')) {
  describe(`the store at fleet scale (${engine.name})`, { skip: engine.skip }, () => {
    let store: SqlStore;
    before(async () => {
      store = await engine.open();
    });
    after(() => engine.cleanup());

    it("writes many agents' last_seen in one call, each its own time, and leaves the others", async () => {
      for (let n = 0; n < 1203; n++) await raw(store, `insert into agents (id, commons_id, hostname, version, cert_serial, prev_cert_serial, cert_not_after, revoked, enrolled_at, last_seen, enrollment_token_id) values ('agent-${n}', null, 'x', 'v', 's${n}', null, '${agent(n).cert_not_after}', 0, '${agent(n).enrolled_at}', null, '')`);
      const seen = new Map<string, string>();
      for (let n = 0; n < 1200; n++) seen.set(`agent-${n}`, new Date(NOW + n * 1000).toISOString());
      assert.equal(await store.touchAgents(seen), 1200);
      const rows = new Map((await store.listAgents()).map((a) => [a.id, a.last_seen]));
      assert.equal(rows.get('agent-0'), new Date(NOW).toISOString());
      assert.equal(rows.get('agent-1199'), new Date(NOW + 1199 * 1000).toISOString());
      assert.equal(rows.get('agent-1200'), null);
      assert.equal(await store.touchAgents(new Map()), 0);
    });

    it('binds an agent to its commons on hello in one call', async () => {
      const row = await store.agentHello(
        { id: 'c1', name: 'c1', hostname: 'c1.example.org', environment: 'e', namespace: 'default', agent_id: 'agent-1', release: '', config_revision: 0, config_json: '{}', created_at: ago(0), updated_at: ago(0) },
        'agent-1',
        { commons_id: 'c1', version: '1.2.3', last_seen: ago(0) },
      );
      assert.equal(row.agent_id, 'agent-1');
      const a = await store.getAgent('agent-1');
      assert.deepEqual([a?.commons_id, a?.version, a?.last_seen], ['c1', '1.2.3', ago(0)]);
    });

    it('agents saying hello together share transactions, each bound to its own commons', async () => {
      const before = { ...store.hellos.stats };
      const n = 300;
      const rows = await Promise.all(
        Array.from({ length: n }, (_, k) =>
          store.agentHello(
            { id: `g${k}`, name: `g${k}`, hostname: `g${k}.example.org`, environment: 'e', namespace: 'default', agent_id: `agent-${k}`, release: '', config_revision: 0, config_json: '{}', created_at: ago(0), updated_at: ago(0) },
            `agent-${k}`,
            { commons_id: `g${k}`, version: `v${k}`, last_seen: ago(0) },
          ),
        ),
      );
      assert.deepEqual(rows.map((r) => r.id), Array.from({ length: n }, (_, k) => `g${k}`));
      const agents = new Map((await store.listAgents()).map((a) => [a.id, a]));
      for (const k of [0, 199, 200, 299]) assert.deepEqual([agents.get(`agent-${k}`)?.commons_id, agents.get(`agent-${k}`)?.version], [`g${k}`, `v${k}`]);
      assert.equal(store.hellos.stats.writes - before.writes, n);
      assert.ok(store.hellos.stats.batches - before.batches <= 3, `${store.hellos.stats.batches - before.batches} transactions for ${n} hellos`);
      // Their first snapshots' releases too.
      const updates = { ...store.commonsUpdates.stats };
      await Promise.all(Array.from({ length: n }, (_, k) => store.updateCommons(`g${k}`, { release: `2026.${k}`, updated_at: ago(0) })));
      assert.equal((await store.getCommons('g299'))?.release, '2026.299');
      assert.ok(store.commonsUpdates.stats.batches - updates.batches <= 3, `${store.commonsUpdates.stats.batches - updates.batches} transactions for ${n} release updates`);
      await raw(store, `delete from commons where id like 'g%'`);
    });

    it('lists exactly the open commands whose deadline has passed', async () => {
      await command(store, 'due-queued', 'queued', 0, ago(0.001));
      await command(store, 'due-running', 'running', 0, ago(0));
      await command(store, 'not-due', 'dispatched', 0, ago(-0.001));
      await command(store, 'done-past-deadline', 'succeeded', 0, ago(1));
      const due = await store.listDueCommands(ago(0));
      assert.deepEqual(due.map((c) => c.id).sort(), ['due-queued', 'due-running']);
      await raw(store, `delete from command_events where command_id in ('due-queued', 'due-running', 'not-due', 'done-past-deadline')`);
      await raw(store, `delete from commands where id in ('due-queued', 'due-running', 'not-due', 'done-past-deadline')`);
    });

    it('deletes old finished commands with their events and spent tokens, keeps recent, open and referenced ones, and audits it', async () => {
      for (const [id, state, days] of [
        ['old-ok', 'succeeded', 100],
        ['old-failed', 'failed', 95],
        ['old-expired', 'expired', 91],
        ['recent', 'succeeded', 10],
        ['old-open', 'running', 100],
        ['old-deploy', 'succeeded', 100],
        ['old-backup', 'succeeded', 100],
        ['old-config', 'succeeded', 100],
      ] as const)
        await command(store, id, state, days);
      await raw(store, `insert into backups (id, commons_id, command_id, trigger, requested_by, databases_json, created_at, occurrence, note) values ('b1', 'c1', 'old-backup', 'manual', 'test', '[]', '${ago(100)}', null, null)`);
      await raw(store, `insert into config_revisions (commons_id, revision, data_json, author, created_at, command_id, state) values ('c1', 7, '{}', 'test', '${ago(100)}', 'old-config', 'applied')`);
      await raw(
        store,
        `insert into deployments (id, commons_id, revision, kind, phase, message, command_id, gitops_state, gitops_path, gitops_commit, applied_by, restart_after_json, plan_services_json, actor, actor_kind, role, author_name, author_email, reason, created_at, updated_at) values ('d1', 'c1', 1, 'deploy', 'succeeded', '', 'old-deploy', 'disabled', null, null, 'agent', '[]', '[]', 'test', 'token', 'admin', 't', 't@x', 'r', '${ago(100)}', '${ago(100)}')`,
      );
      const token = (id: string, expires: number, used: number | null) =>
        raw(store, `insert into enrollment_tokens (id, token_hash, description, created_by, created_at, expires_at, used_at, used_by_agent) values ('${id}', 'h-${id}', '', 'test', '${ago(10)}', '${ago(expires)}', ${used === null ? 'null' : `'${ago(used)}'`}, null)`);
      await token('used-long-ago', -5, 2);
      await token('expired-long-ago', 2, null);
      await token('used-today', -5, 0.5);
      await token('expired-today', 0.5, null);
      await token('valid', -1, null);

      // Two per transaction: the backlog goes in several batches.
      const retention = new CommandRetention(store, { days: 90, batch: 2 }, silent);
      const pruned = await retention.sweep(NOW);
      assert.deepEqual(pruned, { commands: 3, events: 6, tokens: 2 });

      const left = (await store.listCommands({ limit: 100 })).map((c) => c.id).sort();
      assert.deepEqual(left, ['old-backup', 'old-config', 'old-deploy', 'old-open', 'recent']);
      assert.deepEqual(await store.listCommandEvents('old-ok'), []);
      assert.equal((await store.listCommandEvents('recent')).length, 2);
      assert.equal((await store.listCommandEvents('old-deploy')).length, 2);
      assert.equal(await store.checkEnrollmentToken('h-used-long-ago', ago(0)).then((r) => (r.ok ? 'ok' : r.reason)), 'unknown');
      assert.equal(await store.checkEnrollmentToken('h-expired-long-ago', ago(0)).then((r) => (r.ok ? 'ok' : r.reason)), 'unknown');
      assert.equal(await store.checkEnrollmentToken('h-used-today', ago(0)).then((r) => (r.ok ? 'ok' : r.reason)), 'used');
      assert.equal(await store.checkEnrollmentToken('h-expired-today', ago(0)).then((r) => (r.ok ? 'ok' : r.reason)), 'expired');
      assert.equal(await store.checkEnrollmentToken('h-valid', ago(0)).then((r) => (r.ok ? 'ok' : r.reason)), 'ok');

      const [entry] = await store.listAudit({ action: 'command.prune', limit: 10 });
      assert.equal(entry?.actor, 'system:retention');
      assert.deepEqual(JSON.parse(entry!.detail_json), { commands: 3, events: 6, tokens: 2, commandsBefore: ago(90), tokensBefore: ago(1), retentionDays: 90 });

      // Nothing more to do: nothing deleted, nothing audited.
      assert.deepEqual(await retention.sweep(NOW), { commands: 0, events: 0, tokens: 0 });
      assert.equal((await store.listAudit({ action: 'command.prune', limit: 10 })).length, 1);
    });

    it('keeps every command with a retention of 0 days', async () => {
      await command(store, 'ancient', 'succeeded', 10_000);
      assert.deepEqual(await new CommandRetention(store, { days: 0 }, silent).sweep(NOW), { commands: 0, events: 0, tokens: 0 });
      assert.ok(await store.getCommand('ancient'));
    });
  });
}
