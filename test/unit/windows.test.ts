// Maintenance and deny windows on both store engines, with a clock the test
// sets: each occurrence starts once however many schedulers (replicas) tick
// at once, late when it is found inside its window, with a silence whose id
// is kept and expired at the end or when the window is deleted, maintenance
// mode switched off for exactly the commons it was switched on for; and the
// deny-window check refuses a change inside a freeze, naming the window and
// its end, unless an admin overrides it with a reason (audited).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Principal } from '../../backend/auth/principal';
import type { ProposedChange } from '../../backend/changes/gate';
import { NotFound } from '../../backend/domain/errors';
import type { SqlStore } from '../../backend/store/sql-store';
import { DenyWindowCheck } from '../../backend/windows/deny-check';
import { WindowScheduler } from '../../backend/windows/scheduler';
import type { Span } from '../../backend/windows/schedule';
import type { WindowSilences } from '../../backend/windows/silences';
import { Windows } from '../../backend/windows/windows';
import { WindowSpec } from '../../contracts/windows';
import { createLogger } from '../../lib/logger';
import { storeEngines } from '../support/store-engines';

const OPERATOR: Principal = { actor: 'olga', kind: 'grafana', role: 'operator' };
const ADMIN: Principal = { actor: 'ada', kind: 'grafana', role: 'admin' };
const T0 = Date.parse('2026-12-05T02:00:00Z');
const MIN = 60_000;

/** Groups as the group directory answers them: `production` has two commons; any other group does not exist. */
const groups = {
  commonsIn: async (name: string) => {
    if (name === 'production') return ['data-a', 'data-b'];
    throw new NotFound(`group ${name}`);
  },
};

class FakeSilences {
  created: { id: string; commons: string[]; span: Span }[] = [];
  expired: string[] = [];
  /** The next creates that fail, as an Alertmanager that cannot be reached. */
  down = 0;
  async create(_w: { id: string }, span: Span, commons: string[]): Promise<string> {
    await new Promise((r) => setTimeout(r, 5));
    if (this.down > 0) {
      this.down--;
      throw new Error('Alertmanager at http://am:9093 unreachable (connect ECONNREFUSED): check DCOC_ALERTMANAGER_URL');
    }
    const id = `silence-${this.created.length + 1}`;
    this.created.push({ id, commons, span });
    return id;
  }
  async expire(id: string): Promise<void> {
    this.expired.push(id);
  }
}

for (const engine of await storeEngines('windows'))
describe(`maintenance and deny windows (${engine.name})`, { skip: engine.skip }, () => {
  let store: SqlStore;
  let windows: Windows;
  let silences: FakeSilences;
  const modes: string[] = [];
  const actions: string[] = [];
  /** What the schedulers' clock reads when a tick is not given its time. */
  let clock = T0;
  const scheduler = () =>
    new WindowScheduler({
      now: () => clock,
      store: store.windows,
      windows,
      silences: silences as unknown as WindowSilences,
      mode: {
        set: async (c, on, who) => {
          modes.push(`${c}:${on ? 'on' : 'off'}:${who.actor}`);
          return { switched: c !== 'data-b', line: `maintenance mode ${on ? 'on' : 'off'} on ${c}` };
        },
      },
      actions: { run: async (a, run) => (actions.push(`${a.kind}:${run.commons}:${run.principal.actor}`), `${a.kind} on ${run.commons}`) },
      log: createLogger('test', 'silent'),
    });

  before(async () => {
    store = await engine.open();
    // Created as if just before T0, whatever today is.
    windows = new Windows(store.windows, groups, () => T0 - MIN);
    silences = new FakeSilences();
  });
  after(() => engine.cleanup());

  it('starts an occurrence once with two replicas ticking together, and ends it at its end', async () => {
    const w = await windows.create(
      WindowSpec.parse({ name: 'nightly', kind: 'maintenance', target: { group: 'production' }, schedule: { cron: '0 2 * * *', durationMinutes: 30 }, reason: 'patching', maintenanceMode: true, actions: [{ kind: 'restart', services: ['fence'] }] }),
      OPERATOR,
    );
    assert.equal((await store.listAudit({ action: 'window.create', limit: 5 }))[0].actor, 'olga');
    const [a, b] = [scheduler(), scheduler()];
    await Promise.all([a.tick(T0 + 10_000), b.tick(T0 + 10_000), a.tick(T0 + 20_000), b.tick(T0 + 20_000)]);
    assert.equal(silences.created.length, 1, 'one silence for the occurrence');
    assert.deepEqual(silences.created[0].commons, ['data-a', 'data-b']);
    assert.equal(silences.created[0].span.endMs, T0 + 30 * MIN);
    assert.deepEqual(modes, ['data-a:on:olga', 'data-b:on:olga']);
    assert.deepEqual(actions, ['restart:data-a:olga', 'restart:data-b:olga'], "actions run once per commons, as the window's author");
    let view = await windows.view(await windows.get(w.id), T0 + 20_000);
    assert.equal(view.runs.length, 1);
    assert.equal(view.runs[0].state, 'active');
    assert.equal(view.runs[0].late, false);
    assert.deepEqual(view.runs[0].silenceIds, ['silence-1']);
    assert.deepEqual(view.current, { start: '2026-12-05T02:00:00.000Z', end: '2026-12-05T02:30:00.000Z' });
    assert.equal(view.next[0].start, '2026-12-06T02:00:00.000Z');
    assert.equal((await store.listAudit({ action: 'window.start', limit: 5 })).length, 1);

    await a.tick(T0 + 29 * MIN);
    assert.deepEqual(silences.expired, [], 'not before its end');
    // A replica started afresh (a restart) ends it: the silence id is read back from the store.
    await Promise.all([scheduler().tick(T0 + 30 * MIN), b.tick(T0 + 30 * MIN)]);
    assert.deepEqual(silences.expired, ['silence-1']);
    assert.deepEqual(modes.slice(2), ['data-a:off:olga'], 'switched off only where it was switched on');
    view = await windows.view(await windows.get(w.id), T0 + 30 * MIN);
    assert.equal(view.runs[0].state, 'ended');
    assert.ok(view.runs[0].results.some((l) => l === 'silence silence-1 expired'), view.runs[0].results.join('\n'));
    assert.equal((await store.listAudit({ action: 'window.end', limit: 5 })).length, 1);
    await windows.delete(w.id, OPERATOR);
  });

  it('a window found in progress (DCOC was down) starts late and says so; deleting it cancels the run and expires its silence', async () => {
    const before = silences.created.length;
    const w = await windows.create(WindowSpec.parse({ name: 'one-off', kind: 'maintenance', target: { commons: ['data-c'] }, schedule: { start: new Date(T0).toISOString(), end: new Date(T0 + 60 * MIN).toISOString() }, reason: 'db upgrade' }), OPERATOR);
    const s = scheduler();
    await s.tick(T0 + 10 * MIN);
    const run = (await windows.view(await windows.get(w.id), T0 + 10 * MIN)).runs[0];
    assert.equal(run.late, true);
    assert.match(run.results[0], /started late, 600 s after its start/);
    const started = (await store.listAudit({ action: 'window.start', limit: 1 }))[0];
    assert.equal(JSON.parse(started.detail_json).lateBySeconds, 600);
    const silence = silences.created[before].id;
    await windows.delete(w.id, OPERATOR);
    await s.tick(T0 + 11 * MIN);
    assert.ok(silences.expired.includes(silence), 'expired when the window was deleted, before its end');
    const runs = await store.windows.runsOf(w.id);
    assert.equal(runs[0].state, 'cancelled');
    await assert.rejects(windows.get(w.id), NotFound);
  });

  it('maintenance mode a policy held is switched on when approved during the occurrence (and off at its end), refused after it', async () => {
    const w = await windows.create(WindowSpec.parse({ name: 'held', kind: 'maintenance', target: { commons: ['data-c'] }, schedule: { start: new Date(T0).toISOString(), end: new Date(T0 + 10 * MIN).toISOString() }, reason: 'upgrade', silence: false }), OPERATOR);
    const s = scheduler();
    await s.tick(T0 + 1000);
    const start = new Date(T0).toISOString();
    clock = T0 + 2 * MIN;
    {
      modes.length = 0;
      assert.deepEqual(await s.replayMaintenanceMode({ commons: 'data-c', windowId: w.id, start }, OPERATOR, 'approval-1'), {});
      assert.deepEqual(modes, ['data-c:on:olga']);
      const run = (await store.windows.runsOf(w.id))[0];
      assert.deepEqual(JSON.parse(run.maintenance_json), ['data-c']);
      assert.match(JSON.parse(run.results_json).at(-1), /\(approved in approval-1\)$/);
      clock = T0 + 10 * MIN;
      await assert.rejects(s.replayMaintenanceMode({ commons: 'data-c', windowId: w.id, start }, OPERATOR, 'approval-2'), /occurrence 2026-12-05T02:00:00.000Z is over; maintenance mode was not switched on/);
    }
    await s.tick(T0 + 10 * MIN);
    assert.deepEqual(modes, ['data-c:on:olga', 'data-c:off:olga']);
    await windows.delete(w.id, OPERATOR);
  });

  it('a silence the Alertmanager could not make at the start is tried again every 30 s while the window lasts', async () => {
    const w = await windows.create(WindowSpec.parse({ name: 'retry', kind: 'maintenance', target: { commons: ['data-d'] }, schedule: { start: new Date(T0).toISOString(), end: new Date(T0 + 10 * MIN).toISOString() }, reason: 'upgrade' }), OPERATOR);
    const s = scheduler();
    silences.down = 2;
    await s.tick(T0 + 1000);
    const runOf = async () => (await windows.view(await windows.get(w.id), T0)).runs[0];
    assert.match((await runOf()).results.join('\n'), /no silence: Alertmanager at http:\/\/am:9093 unreachable/);
    await s.tick(T0 + 20_000);
    assert.equal(silences.down, 1, 'not tried again before 30 s');
    await s.tick(T0 + 31_000);
    assert.equal(silences.down, 0, 'tried again, failed again');
    assert.deepEqual((await runOf()).silenceIds, []);
    await s.tick(T0 + 61_000);
    const run = await runOf();
    assert.equal(run.silenceIds.length, 1);
    assert.match(run.results.at(-1)!, /^silence silence-\d+ for data-d until 2026-12-05T02:10:00.000Z \(tried again at 2026-12-05T02:01:01.000Z\)$/);
    await s.tick(T0 + 10 * MIN);
    assert.ok(silences.expired.includes(run.silenceIds[0]));
    await windows.delete(w.id, OPERATOR);
  });

  describe('the deny-window check', () => {
    let now = T0;
    let check: DenyWindowCheck;
    const restart = (principal: Principal, commons = 'data-a', override?: { reason: string }): ProposedChange => ({ kind: 'restart', commons, principal, summary: `restart fence on ${commons}`, ...(override ? { override } : {}) });

    before(async () => {
      check = new DenyWindowCheck(windows, store, () => now);
      await windows.create(WindowSpec.parse({ name: 'year-end freeze', kind: 'deny', target: { group: 'production' }, schedule: { start: new Date(T0).toISOString(), end: new Date(T0 + 24 * 60 * MIN).toISOString() }, timeZone: 'America/Chicago', reason: 'year-end reporting' }), ADMIN);
    });

    it('refuses a change to a commons inside the window with 409 naming the window and its end', async () => {
      now = T0 + MIN;
      const d = await check.check(restart(OPERATOR));
      assert.equal(d.kind, 'refuse');
      if (d.kind !== 'refuse') return;
      assert.equal(d.status, 409);
      assert.equal(d.rule, 'deny-window');
      assert.equal(d.field, 'body.override');
      assert.match(d.detail, /data-a is in deny window "year-end freeze" \([0-9a-f-]{36}\) until 2026-12-06T02:00:00.000Z \(2026-12-05 20:00 CST \(UTC−06:00\)\): year-end reporting; .*an admin may override it with a reason/);
    });

    it('allows changes to commons outside it, and before and after it', async () => {
      now = T0 + MIN;
      assert.equal((await check.check(restart(OPERATOR, 'data-c'))).kind, 'allow');
      now = T0 - 1;
      assert.equal((await check.check(restart(OPERATOR))).kind, 'allow');
      now = T0 + 24 * 60 * MIN;
      assert.equal((await check.check(restart(OPERATOR))).kind, 'allow');
    });

    it("an operator's override is refused (403); an admin's passes and is audited with its reason", async () => {
      now = T0 + MIN;
      const op = await check.check(restart(OPERATOR, 'data-a', { reason: 'hotfix' }));
      assert.equal(op.kind === 'refuse' && op.status, 403);
      const d = await check.check(restart(ADMIN, 'data-b', { reason: 'security hotfix CVE-2026-1' }));
      assert.equal(d.kind, 'allow');
      const [entry] = await store.listAudit({ action: 'window.override', limit: 1 });
      assert.equal(entry.actor, 'ada');
      assert.equal(entry.commons_id, 'data-b');
      const detail = JSON.parse(entry.detail_json);
      assert.equal(detail.reason, 'security hotfix CVE-2026-1');
      assert.equal(detail.windows[0].name, 'year-end freeze');
      assert.equal(detail.change, 'restart');
    });

    it('a window that allows no override refuses even an admin', async () => {
      const strict = await windows.create(WindowSpec.parse({ name: 'dr test', kind: 'deny', target: { commons: ['data-c'] }, schedule: { start: new Date(T0).toISOString(), end: new Date(T0 + 60 * MIN).toISOString() }, reason: 'disaster recovery test', allowOverride: false }), ADMIN);
      now = T0 + MIN;
      const d = await check.check(restart(ADMIN, 'data-c', { reason: 'please' }));
      assert.equal(d.kind === 'refuse' && d.status, 409);
      assert.match(d.kind === 'refuse' ? d.detail : '', /allows no override/);
      await windows.delete(strict.id, ADMIN);
      assert.equal((await check.check(restart(ADMIN, 'data-c'))).kind, 'allow', 'a deleted window refuses nothing');
    });
  });
});
