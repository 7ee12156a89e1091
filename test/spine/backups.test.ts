// Gen3 database backups through the running control service and a simulated
// commons: an operator backs up now (audited before the command, through the
// change gate: a deny window refuses it with 409); bad input is problem+json
// naming the field and changes nothing; a restore is for admins with a
// reason, of a succeeded backup and one of its dumps; the agent's restore
// command runs; the backup metrics.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CommandView, CommonsDetail, Problem } from '../../contracts/api';
import type { BackupAccepted, BackupList } from '../../contracts/backups';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';

const MIDRC = DEMO_COMMONS[1];
const ID = 'data-midrc-org';

describe('database backups', () => {
  let fleet: TestFleet;
  let operator: string;
  let viewer: string;
  let done: BackupAccepted;
  const auditOf = async (action: string) => (await fleet.admin<{ items: AuditEntry[] }>('GET', `/api/v1/audit?action=${encodeURIComponent(action)}&limit=200`)).body.items;
  const backups = async () => (await fleet.admin<BackupList>('GET', `/api/v1/commons/${ID}/backups`)).body;

  before(async () => {
    fleet = await TestFleet.start({ commons: [MIDRC] });
    operator = await fleet.tokenFor('operator');
    viewer = await fleet.tokenFor('viewer');
    await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
  });
  after(() => fleet.stop());

  it('an operator backs up every service database the commons runs; audited with the command; status and sizes follow the command', async () => {
    const denied = await fleet.api<Problem>(viewer, 'POST', `/api/v1/commons/${ID}/backups`);
    assert.equal(denied.status, 403);
    const r = await fleet.api<BackupAccepted>(operator, 'POST', `/api/v1/commons/${ID}/backups`, { reason: 'before the upgrade' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    done = r.body;
    assert.ok(done.backup.databases.some((d) => d.service === 'fence'), 'fence among the databases');
    assert.ok(!done.backup.databases.some((d) => d.service === 'revproxy'), 'only services with a database');
    const audit = (await auditOf('backup.create')).filter((e) => e.outcome !== 'denied');
    assert.equal(audit.length, 1);
    assert.equal(audit[0].commandId, done.command.id);
    assert.equal(audit[0].actor, 'token:test-operator');
    await eventually(async () => (await fleet.admin<CommandView>('GET', `/api/v1/commands/${done.command.id}`)).body.state === 'succeeded', { what: 'the backup' });
    const list = await backups();
    assert.equal(list.items[0].id, done.backup.id);
    assert.equal(list.items[0].status, 'succeeded');
    assert.ok(list.items[0].databases.every((d) => (d.bytes ?? 0) > 0));
    assert.equal(list.lastSuccessAt, list.items[0].finishedAt);
  });

  it('bad input names the field and changes nothing', async () => {
    const before = (await backups()).items.length;
    const bad = await fleet.api<Problem>(operator, 'POST', `/api/v1/commons/${ID}/backups`, { databases: ['Fence!'] });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.errors?.some((e) => e.field.startsWith('body.databases')), JSON.stringify(bad.body));
    const cron = await fleet.api<Problem>(operator, 'PUT', `/api/v1/commons/${ID}/backup-schedule`, { cron: '0 2 * * * *', timeZone: 'UTC' });
    assert.equal(cron.status, 422);
    assert.deepEqual(cron.body.errors?.map((e) => e.field), ['body.cron']);
    const tz = await fleet.api<Problem>(operator, 'PUT', `/api/v1/commons/${ID}/backup-schedule`, { cron: '0 2 * * *', timeZone: 'Chicago' });
    assert.deepEqual(tz.body.errors?.map((e) => e.field), ['body.timeZone']);
    assert.equal((await backups()).items.length, before);
    assert.equal((await backups()).schedule, null);
  });

  it('a restore is for admins, with a reason, of a dump the backup has', async () => {
    const path = `/api/v1/commons/${ID}/backups/${done.backup.id}/restore`;
    const op = await fleet.api<Problem>(operator, 'POST', path, { service: 'fence', reason: 'drill' });
    assert.equal(op.status, 403);
    assert.equal((await auditOf('backup.restore')).filter((e) => e.outcome === 'denied').length, 1, 'the refusal is audited');
    const noReason = await fleet.admin<Problem>('POST', path, { service: 'fence' });
    assert.equal(noReason.status, 422);
    assert.deepEqual(noReason.body.errors?.map((e) => e.field), ['body.reason']);
    const unknown = await fleet.admin<Problem>('POST', `/api/v1/commons/${ID}/backups/20200101T000000Z-nothere/restore`, { service: 'fence', reason: 'drill' });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body.errors?.map((e) => e.field), ['path.backupId']);
    const notInIt = await fleet.admin<Problem>('POST', path, { service: 'portal', reason: 'drill' });
    assert.equal(notInIt.status, 404);
    assert.deepEqual(notInIt.body.errors?.map((e) => e.field), ['body.service']);
    const ok = await fleet.admin<{ command: { id: string; kind: string } }>('POST', path, { service: 'fence', secret: 'fence-restore-dbcreds', reason: 'quarterly restore drill' });
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
    assert.equal(ok.body.command.kind, 'restore');
    const audit = (await auditOf('backup.restore')).find((e) => e.commandId === ok.body.command.id);
    assert.equal((audit?.detail as { reason?: string }).reason, 'quarterly restore drill');
    await eventually(async () => (await fleet.admin<CommandView>('GET', `/api/v1/commands/${ok.body.command.id}`)).body.state === 'succeeded', { what: 'the restore' });
  });

  it('a deny window refuses a backup with 409, audited as denied', async () => {
    const w = await fleet.admin<{ id: string }>('POST', '/api/v1/windows', {
      name: 'freeze',
      kind: 'deny',
      target: { commons: [ID] },
      schedule: { start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() },
      reason: 'audit week',
    });
    assert.equal(w.status, 201, JSON.stringify(w.body));
    const r = await fleet.api<Problem>(operator, 'POST', `/api/v1/commons/${ID}/backups`);
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal((await auditOf('backup.create')).filter((e) => e.outcome === 'denied').length >= 1, true);
    assert.equal((await fleet.admin('DELETE', `/api/v1/windows/${w.body.id}`)).status, 204);
  });

  it('a schedule: its next runs and max age in the list; the freshness metrics per commons', async () => {
    const put = await fleet.api<{ next: string[]; maxAgeSeconds: number }>(operator, 'PUT', `/api/v1/commons/${ID}/backup-schedule`, { cron: '30 1 * * *', timeZone: 'America/Chicago' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.next.length, 3);
    assert.equal((await backups()).maxAgeSeconds, 36 * 3600);
    assert.equal((await auditOf('backup.schedule')).length, 1);
    const metrics = await (await fetch(`${fleet.control.url}/metrics`)).text();
    const last = metrics.split('\n').find((l) => l.startsWith(`dcoc_backup_last_success_timestamp_seconds{commons="${ID}"}`));
    assert.ok(last, metrics.split('\n').filter((l) => l.includes('backup')).join('\n'));
    assert.equal(Number(last.split(' ')[1]), Date.parse((await backups()).lastSuccessAt!) / 1000);
    assert.ok(metrics.includes(`dcoc_backup_max_age_seconds{commons="${ID}"} 129600`));
    assert.equal((await fleet.api(operator, 'DELETE', `/api/v1/commons/${ID}/backup-schedule`)).status, 204);
  });
});
