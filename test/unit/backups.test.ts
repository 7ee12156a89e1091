// Gen3 database backups in the control service, on SQLite and PostgreSQL: a
// scheduled occurrence starts one backup with two replicas ticking together,
// as the schedule's author through the change gate; a refused one is kept as
// not started with why; status and sizes come from the backup command; the
// max age is derived from the schedule; the freshness metric's values.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ActingPrincipal } from '../../backend/auth/principal';
import { Backups, DEFAULT_MAX_AGE_SECONDS, ScheduleError, backupIdFor, maxAgeSecondsOf, withRetention } from '../../backend/backups/backups';
import type { BackupWithCommand } from '../../backend/store/backups-store';
import type { GateDecision, ProposedChange } from '../../backend/changes/gate';
import type { NewCommand } from '../../backend/commands/command-service';
import type { SqlStore } from '../../backend/store/sql-store';
import { BackupId } from '../../contracts/backups';
import { createLogger } from '../../lib/logger';
import { storeEngines } from '../support/store-engines';

const OPERATOR: ActingPrincipal = { actor: 'olga', kind: 'grafana', role: 'operator' };
const T0 = Date.parse('2026-12-05T08:00:00Z'); // 02:00 in America/Chicago
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('backup schedules: max age', () => {
  it('is 1.5 × the longest gap between occurrences, in the schedule\'s time zone', () => {
    assert.equal(maxAgeSecondsOf({ cron: '0 2 * * *', timeZone: 'America/Chicago' }, T0), 36 * 3600);
    assert.equal(maxAgeSecondsOf({ cron: '0 */6 * * *', timeZone: 'UTC' }, T0), 9 * 3600);
    // Weekdays only: the weekend gap (Friday to Monday, 3 days) decides.
    assert.equal(maxAgeSecondsOf({ cron: '0 2 * * 1-5', timeZone: 'Europe/Berlin' }, T0), 3 * 24 * 3600 * 1.5);
    assert.equal(maxAgeSecondsOf(null, T0), DEFAULT_MAX_AGE_SECONDS);
  });

  it('a bad cron or time zone names its field', () => {
    assert.throws(() => maxAgeSecondsOf({ cron: '0 2 * *', timeZone: 'UTC' }, T0), (e: unknown) => e instanceof ScheduleError && e.field === 'body.cron');
    assert.throws(() => maxAgeSecondsOf({ cron: '0 2 * * *', timeZone: 'Mars/Olympus' }, T0), (e: unknown) => e instanceof ScheduleError && e.field === 'body.timeZone');
    assert.throws(() => maxAgeSecondsOf({ cron: '0 2 30 2 *', timeZone: 'UTC' }, T0), (e: unknown) => e instanceof ScheduleError && e.field === 'body.cron' && /never fires/.test(e.message));
  });

  it('succeeded backups beyond the keepLast the newest one reported are marked removed from the claim; failed ones do not count', () => {
    const row = (id: string, state: BackupWithCommand['state'], keepLast?: number): BackupWithCommand => ({
      id, commons_id: 'c', command_id: `cmd-${id}`, trigger: 'schedule', requested_by: 'olga', databases_json: '["fence"]', created_at: '2026-12-05T00:00:00Z', occurrence: null, note: null,
      state, message: '', updated_at: '2026-12-05T00:01:00Z',
      result_json: state === 'succeeded' ? JSON.stringify({ job: 'j', location: 'pvc://c/x/', databases: [{ service: 'fence', database: 'f', bytes: 1 }], ...(keepLast ? { keepLast } : {}) }) : null,
    });
    const views = withRetention([row('e', 'running'), row('d', 'succeeded', 2), row('c', 'failed'), row('b', 'succeeded', 2), row('a', 'succeeded', 2)]);
    assert.deepEqual(views.map((v) => [v.id, v.status, v.retained]), [['e', 'running', true], ['d', 'succeeded', true], ['c', 'failed', true], ['b', 'succeeded', true], ['a', 'succeeded', false]]);
    // An agent that did not report keepLast (older): nothing is marked.
    assert.ok(withRetention([row('b', 'succeeded'), row('a', 'succeeded')]).every((v) => v.retained));
  });

  it('backup ids sort by time and fit the contract', () => {
    const id = backupIdFor(T0, '0f1e2d3c-4b5a-4000-8000-000000000000');
    assert.equal(id, '20261205T080000Z-0f1e2d3c');
    assert.ok(BackupId.safeParse(id).success);
  });
});

for (const engine of await storeEngines('backups'))
describe(`backups on ${engine.name}`, { skip: engine.skip }, () => {
  let store: SqlStore;
  const created: NewCommand[] = [];
  const asked: ProposedChange[] = [];
  let decide: (c: ProposedChange) => GateDecision = () => ({ kind: 'allow' });
  let clock = T0;
  /** A commands service writing the command (with its audit entry) as the real one does. */
  const commands = {
    create: async (c: NewCommand) => {
      created.push(c);
      const at = new Date(clock).toISOString();
      return store.createCommand(
        { id: c.id!, kind: c.kind as 'backup', commons_id: c.commonsId, service: c.service, target_json: JSON.stringify(c.target), state: 'queued', message: '', percent: 0, actor: c.principal.actor, created_at: at, updated_at: at, deadline: new Date(clock + HOUR).toISOString(), attempts: 0, result_json: null },
        { at, actor: c.principal.actor, actor_kind: c.principal.kind, role: c.principal.role, action: c.action, outcome: 'accepted', commons_id: c.commonsId, service: c.service, command_id: c.id!, detail_json: JSON.stringify(c.detail) },
      );
    },
  };
  const services = new Map([['fence', {}], ['indexd', {}], ['revproxy', {}], ['portal', {}]]);
  const fleet = { get: (id: string) => (id === 'data-a' ? ({ services } as never) : undefined) };
  const replica = () => new Backups({ store: store.backups, commands, fleet, gate: { check: async (c) => (asked.push(c), decide(c)) }, log: createLogger('test', 'silent'), now: () => clock });

  before(async () => {
    store = await engine.open();
  });
  after(() => engine.cleanup());

  it('an occurrence starts one backup with two replicas ticking together, as the author, of the databases the commons runs', async () => {
    const a = replica();
    clock = T0 - 10 * MIN;
    const view = await a.putSchedule('data-a', { cron: '0 2 * * *', timeZone: 'America/Chicago' }, OPERATOR);
    assert.equal(view.next[0], '2026-12-05T08:00:00.000Z');
    assert.equal(view.maxAgeSeconds, 36 * 3600);
    clock = T0 + 5_000;
    const b = replica();
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick(), replica().tick()]);
    assert.equal(created.length, 1, 'one backup command for the occurrence');
    assert.equal(created[0].kind, 'backup');
    assert.equal(created[0].principal.actor, 'olga');
    assert.deepEqual((created[0].target as { databases: string[] }).databases, ['fence', 'indexd'], 'the Gen3 service databases among its services');
    assert.equal(asked[0].kind, 'backup');
    assert.ok(asked[0].scheduled, 'asked as a scheduled change');
    const list = await a.list('data-a');
    assert.equal(list.items.length, 1);
    assert.equal(list.items[0].trigger, 'schedule');
    assert.equal(list.items[0].status, 'queued');
    assert.equal(list.lastSuccessAt, null);
    const audit = await store.listAudit({ action: 'backup.create', limit: 5 });
    assert.equal(audit.length, 1);
    assert.equal(audit[0].actor, 'olga');
  });

  it("status, size and location come from the command's result; the freshness metric follows the last success", async () => {
    const a = replica();
    const [b] = (await a.list('data-a')).items;
    clock = T0 + 10 * MIN;
    const at = new Date(clock).toISOString();
    const result = { job: `dcoc-backup-${b.id}`, location: `pvc://gen3-backups/${b.id}/`, databases: [{ service: 'fence', database: 'fence_db', bytes: 1000 }, { service: 'indexd', database: 'indexd_db', bytes: 234 }] };
    await store.moveCommand(b.commandId, 'succeeded', { message: 'backup job succeeded', percent: 100, updated_at: at, result_json: JSON.stringify(result) }, { at, message: 'done', percent: 100 });
    const list = await a.list('data-a');
    assert.equal(list.items[0].status, 'succeeded');
    assert.equal(list.items[0].totalBytes, 1234);
    assert.equal(list.items[0].location, `pvc://gen3-backups/${b.id}/`);
    assert.deepEqual(list.items[0].databases, [{ service: 'fence', database: 'fence_db', bytes: 1000 }, { service: 'indexd', database: 'indexd_db', bytes: 234 }]);
    assert.equal(list.lastSuccessAt, at);
    assert.deepEqual(await a.freshness(), [{ commons: 'data-a', lastSuccessSeconds: clock / 1000, maxAgeSeconds: 36 * 3600 }]);
  });

  it('the next occurrence refused by the change gate is kept as not started, with why, and asked once', async () => {
    decide = () => ({ kind: 'refuse', status: 409, rule: 'deny-window', detail: 'window freeze until 2026-12-07' });
    const before = created.length;
    clock = T0 + 24 * HOUR + 1000;
    const [a, b] = [replica(), replica()];
    await Promise.all([a.tick(), b.tick()]);
    await a.tick();
    assert.equal(created.length, before, 'no command');
    const asks = asked.filter((c) => c.summary.includes('2026-12-06T08:00:00.000Z'));
    assert.ok(asks.length >= 1 && asks.length <= 2, 'replicas racing may both ask; later ticks find it claimed');
    const [latest] = (await a.list('data-a')).items;
    assert.equal(latest.status, 'failed');
    assert.match(latest.message, /not started: refused by deny-window: window freeze/);
    decide = () => ({ kind: 'allow' });
  });

  it('an on-demand backup; a deleted schedule starts no more, and the metric drops the commons', async () => {
    const a = replica();
    const started = await a.start({ commonsId: 'data-a', principal: OPERATOR, databases: ['fence'], trigger: 'on-demand', reason: 'before upgrade' });
    assert.ok(started);
    assert.equal(started.backup.trigger, 'on-demand');
    assert.equal(started.command.kind, 'backup');
    assert.equal((await a.get('data-a', started.backup.id))?.id, started.backup.id);
    assert.equal(await a.deleteSchedule('data-a'), true);
    const n = created.length;
    clock = T0 + 48 * HOUR + 1000;
    await a.tick();
    assert.equal(created.length, n);
    assert.deepEqual(await a.freshness(), []);
  });
});
