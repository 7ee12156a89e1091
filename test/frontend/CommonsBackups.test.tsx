// The commons page's database backups: each backup with status, trigger, time
// and size, the last good backup's age against what the schedule allows; an
// operator backs up now (a viewer sees no button); an admin restores one
// service's dump with a reason (not without one) into the Secret named.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { BackupList, BackupView } from '../../contracts/backups';
import { can, PERMISSIONS, type Permission, type Role } from '../../contracts/roles';
import { formatAge } from '../../src/pages/commons/BackupsPanel';
import { testIds } from '../../src/testIds';
import { command, detail, service, whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { findDialog, renderApp } from './support/render';

const PAGE = '/a/gen3-dcoc-app/commons/midrc';
const hoursAgo = (n: number) => new Date(Date.now() - n * 3_600_000).toISOString();

function backup(id: string, over: Partial<BackupView> = {}): BackupView {
  return {
    id,
    commonsId: 'midrc',
    commandId: `cmd-${id}`,
    status: 'succeeded',
    trigger: 'schedule',
    requestedBy: 'olga',
    startedAt: hoursAgo(2),
    finishedAt: hoursAgo(2),
    location: `pvc://gen3-backups/${id}/`,
    message: 'backup job succeeded',
    databases: [
      { service: 'fence', database: 'fence_db', bytes: 3 * 1024 * 1024 },
      { service: 'indexd', database: 'indexd_db', bytes: 1024 * 1024 },
    ],
    totalBytes: 4 * 1024 * 1024,
    retained: true,
    ...over,
  };
}

const GOOD = backup('20261204T080000Z-aaaa1111');
const FAILED = backup('20261205T080000Z-bbbb2222', { status: 'failed', message: 'not started: refused by deny-window: year-end freeze', totalBytes: null, finishedAt: hoursAgo(1), startedAt: hoursAgo(1) });
const schedule = { commonsId: 'midrc', cron: '0 2 * * *', timeZone: 'America/Chicago', updatedBy: 'olga', updatedAt: hoursAgo(100), next: [new Date(Date.now() + 3_600_000).toISOString()], maxAgeSeconds: 36 * 3600 };

function me(role: Role) {
  return { ...whoami(role), permissions: (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(role, p)) };
}

function page(role: Role, list: BackupList) {
  return new FakeGrafana()
    .install()
    .on('GET', 'whoami', { data: me(role) })
    .on('GET', 'commons/midrc', { data: detail('midrc', [service('fence'), service('indexd')], { name: 'MIDRC' }) })
    .on('GET', 'commons/midrc/backups', { data: list })
    .on('GET', 'commons/midrc/jobs', { data: { reported: true, reportedAt: new Date().toISOString(), items: [] } })
    .on('GET', 'commands', { data: { items: [] } })
    .on('GET', 'commons/midrc/config/revisions', { data: { items: [] } })
    .on('GET', 'commons/midrc/revisions', { data: { items: [] } })
    .on('GET', 'commons/midrc/resources', { data: { available: true, detail: '', items: [] } })
    .on('GET', 'commons/midrc/kubernetes-events', { data: { items: [] } })
    .on('GET', 'commons/midrc/external-checks', { data: { items: [] } });
}

describe('database backups on the commons page', () => {
  it('lists backups with status, trigger, size and why one failed, and the last good backup\'s age; a viewer has no buttons', async () => {
    page('viewer', { items: [FAILED, GOOD], lastSuccessAt: GOOD.finishedAt, maxAgeSeconds: 36 * 3600, schedule });
    renderApp(PAGE);
    const panel = await screen.findByTestId(testIds.commons.backups);
    const last = within(panel).getByTestId(testIds.commons.backupLastGood);
    expect(last).toHaveTextContent('Last good backup: 2 h ago');
    expect(last).toHaveAttribute('data-stale', 'false');
    expect(last).toHaveTextContent('Scheduled: 0 2 * * * (America/Chicago)');
    const good = screen.getByTestId(testIds.commons.backupRow(GOOD.id));
    expect(good).toHaveTextContent(/scheduled.*by olga.*succeeded.*fence, indexd.*4\.0 MiB/);
    const failed = screen.getByTestId(testIds.commons.backupRow(FAILED.id));
    expect(failed).toHaveTextContent(/failed.*not started: refused by deny-window: year-end freeze.*—/);
    expect(screen.queryByTestId(testIds.commons.backupNow)).toBeNull();
    expect(screen.queryByTestId(testIds.commons.backupRestore(GOOD.id))).toBeNull();
  });

  it('says when the last good backup is older than the schedule allows', async () => {
    const old = backup('20261201T080000Z-cccc3333', { finishedAt: hoursAgo(50), startedAt: hoursAgo(50) });
    page('viewer', { items: [old], lastSuccessAt: old.finishedAt, maxAgeSeconds: 36 * 3600, schedule });
    renderApp(PAGE);
    const last = await screen.findByTestId(testIds.commons.backupLastGood);
    expect(last).toHaveAttribute('data-stale', 'true');
    expect(last).toHaveTextContent('Last good backup: 2 d 2 h ago (older than the 36 h allowed)');
  });

  it('an operator backs up now; the list is read again', async () => {
    const g = page('operator', { items: [], lastSuccessAt: null, maxAgeSeconds: 36 * 3600, schedule: null });
    const started = backup('20261205T090000Z-dddd4444', { status: 'queued', trigger: 'on-demand', message: '', totalBytes: null, finishedAt: null });
    g.on('POST', 'commons/midrc/backups', { status: 202, data: { command: { id: 'cmd-b', state: 'queued', kind: 'backup' }, backup: started } });
    renderApp(PAGE);
    expect(await screen.findByText(/No backups yet/)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.commons.backupLastGood)).toHaveTextContent('none yet');
    g.on('GET', 'commons/midrc/backups', { data: { items: [started], lastSuccessAt: null, maxAgeSeconds: 36 * 3600, schedule: null } });
    await userEvent.click(screen.getByTestId(testIds.commons.backupNow));
    expect(await screen.findByTestId(testIds.commons.backupStarted)).toHaveTextContent(`Backup ${started.id} of fence, indexd started`);
    expect(g.callsTo('POST', 'commons/midrc/backups')).toHaveLength(1);
    expect(await screen.findByTestId(testIds.commons.backupRow(started.id))).toHaveTextContent('queued');
    // An operator may not restore.
    expect(screen.queryByText('Restore…')).toBeNull();
  });

  it('an admin restores one service into the Secret named, only with a reason', async () => {
    const PRUNED = backup('20261101T080000Z-eeee5555', { retained: false, startedAt: hoursAgo(800), finishedAt: hoursAgo(800) });
    const g = page('admin', { items: [GOOD, PRUNED], lastSuccessAt: GOOD.finishedAt, maxAgeSeconds: 36 * 3600, schedule: null });
    g.on('POST', `commons/midrc/backups/${GOOD.id}/restore`, { status: 202, data: { command: { id: 'cmd-r', state: 'queued', kind: 'restore' } } });
    renderApp(PAGE);
    const restoreGood = await screen.findByTestId(testIds.commons.backupRestore(GOOD.id));
    // One a newer backup's retention removed from the claim says so and cannot be restored.
    expect(screen.getByTestId(testIds.commons.backupRow(PRUNED.id))).toHaveTextContent("removed from the claim by a newer backup's retention");
    expect(screen.queryByTestId(testIds.commons.backupRestore(PRUNED.id))).toBeNull();
    await userEvent.click(restoreGood);
    const dialog = await findDialog();
    const confirm = within(dialog).getByTestId(testIds.commons.backupRestoreConfirm);
    expect(confirm).toBeDisabled();
    await userEvent.click(within(dialog).getByLabelText('indexd'));
    await userEvent.type(within(dialog).getByTestId(testIds.commons.backupRestoreSecret), 'indexd-restore-dbcreds');
    await userEvent.type(within(dialog).getByTestId(testIds.commons.backupRestoreReason), 'restore drill');
    expect(confirm).toHaveTextContent('Restore indexd');
    await userEvent.click(confirm);
    await waitFor(() => expect(g.callsTo('POST', `commons/midrc/backups/${GOOD.id}/restore`)).toHaveLength(1));
    expect(g.callsTo('POST', `commons/midrc/backups/${GOOD.id}/restore`)[0].body).toEqual({ service: 'indexd', secret: 'indexd-restore-dbcreds', reason: 'restore drill' });
    expect(await screen.findByTestId(testIds.commons.backupStarted)).toHaveTextContent(`Restore of indexd from backup ${GOOD.id} started (command cmd-r)`);
  });

  it('backup and restore commands read as what they do in the command list', async () => {
    const g = page('developer', { items: [GOOD], lastSuccessAt: GOOD.finishedAt, maxAgeSeconds: 36 * 3600, schedule: null });
    g.on('GET', 'commands', {
      data: {
        items: [
          command('cmd-b', { kind: 'backup', service: null, target: { backupId: GOOD.id, databases: ['fence', 'indexd'] }, state: 'succeeded' }),
          command('cmd-r', { kind: 'restore', service: 'fence', target: { backupId: GOOD.id, service: 'fence' }, state: 'running' }),
        ],
      },
    });
    renderApp(PAGE);
    expect(await screen.findByTestId(testIds.commons.commandRow('cmd-b'))).toHaveTextContent(`back up fence, indexd (backup ${GOOD.id})`);
    expect(screen.getByTestId(testIds.commons.commandRow('cmd-r'))).toHaveTextContent(`restore fence from backup ${GOOD.id}`);
  });

  it('ages read in minutes, hours, then days and hours', () => {
    expect(formatAge(30)).toBe('1 min');
    expect(formatAge(45 * 60)).toBe('45 min');
    expect(formatAge(36 * 3600)).toBe('36 h');
    expect(formatAge(50 * 3600)).toBe('2 d 2 h');
    expect(formatAge(3 * 86400)).toBe('3 d');
  });
});
