// /api/v1/commons/{id}/backups and …/backup-schedule: Gen3 database backups
// (backend/backups). Backing up and restoring are changes: they ask the
// change gate first, and their command is written with its audit entry before
// the agent is asked. A restore is for admins, with a reason.
import { Router } from 'express';
import type { CommandKind, CommandState } from '../../../contracts/api';
import { ROUTES } from '../../../contracts/routes';
import type { ActingPrincipal } from '../../auth/principal';
import { audit } from '../../audit/record';
import { type Backups, ScheduleError, checkSchedule } from '../../backups/backups';
import type { CommandService } from '../../commands/command-service';
import type { Fleet } from '../../fleet/fleet';
import type { Store } from '../../store/store';
import { type ChangeRoutesDeps, decided, gated, startedBy } from '../gated';
import { mount } from '../mount';
import { HttpProblem, notFound } from '../problem';

export interface BackupsRoutesDeps {
  store: Store;
  fleet: Pick<Fleet, 'get'>;
  backups: Backups;
  commands: Pick<CommandService, 'create'>;
  changes: ChangeRoutesDeps;
}

export function backupsRouter({ store, fleet, backups, commands, changes }: BackupsRoutesDeps): Router {
  const r = Router();

  const liveCommons = (id: string) => {
    const c = fleet.get(id);
    if (!c) throw notFound(`commons ${id}`);
    return c;
  };

  mount(r, ROUTES.listBackups, store, async ({ params: { id } }) => {
    liveCommons(id);
    return { status: 200, body: await backups.list(id) };
  });

  const backUp = async ({ id, databases, reason, approvalId }: { id: string; databases?: string[]; reason?: string; approvalId?: string }, principal: ActingPrincipal) => {
    liveCommons(id);
    const dbs = databases ?? backups.databasesOf(id);
    if (dbs.length === 0) {
      const why = `commons ${id} reports no Gen3 service with a database of its own; name them in body.databases`;
      throw new HttpProblem(422, 'Nothing to back up', why, [{ field: 'body.databases', message: why }]);
    }
    const change = { kind: 'backup' as const, commons: id, principal, reason, approvalId, summary: `back up ${dbs.join(', ')} of ${id}`, request: { id, databases: dbs, ...(reason ? { reason } : {}) } };
    return gated(changes, change, { action: 'backup.create' }, async () => {
      const started = await backups.start({ commonsId: id, principal, databases: dbs, trigger: 'on-demand', reason, approvalId });
      const { backup, command } = started!;
      return { status: 202 as const, location: `/api/v1/commands/${command.id}`, body: { command: { id: command.id, state: command.state as CommandState, kind: 'backup' as const }, backup } };
    });
  };
  changes.approvals.onApproved('backup', async (req, principal, approvalId) => {
    const q = req as { id: string; databases: string[]; reason?: string; restore?: { backupId: string; service: string; secret?: string } };
    if (q.restore) return startedBy(await restore({ id: q.id, ...q.restore, reason: q.reason ?? '', approvalId }, principal));
    return startedBy(await backUp({ ...q, approvalId }, principal));
  });

  mount(r, ROUTES.createBackup, store, ({ params: { id }, body, principal }) => backUp({ id, ...body }, principal), {
    denial: (_req, { id }) => ({ action: 'backup.create', commons: id }),
  });

  const restore = async ({ id, backupId, service, secret, reason, approvalId }: { id: string; backupId: string; service: string; secret?: string; reason: string; approvalId?: string }, principal: ActingPrincipal) => {
    liveCommons(id);
    const b = await backups.get(id, backupId);
    if (!b) throw new HttpProblem(404, 'No such backup', `commons ${id} has no backup ${backupId} (GET /api/v1/commons/${id}/backups)`, [{ field: 'path.backupId', message: 'no such backup of this commons' }]);
    if (b.status !== 'succeeded') {
      throw new HttpProblem(409, 'Backup did not succeed', `backup ${backupId} is ${b.status}: only a succeeded backup can be restored`, [{ field: 'path.backupId', message: `backup is ${b.status}` }]);
    }
    if (!b.retained) {
      throw new HttpProblem(409, 'Backup removed by retention', `backup ${backupId} was removed from the claim by a newer backup's retention (the agent keeps --backup-keep backups); restore a newer one`, [
        { field: 'path.backupId', message: 'no longer on the claim' },
      ]);
    }
    if (!b.databases.some((d) => d.service === service)) {
      const has = b.databases.map((d) => d.service).join(', ');
      throw new HttpProblem(404, 'No such dump', `backup ${backupId} has no dump of ${service}; it has: ${has}`, [{ field: 'body.service', message: `not in this backup; it has: ${has}` }]);
    }
    const target = secret ?? `${service}-dbcreds`;
    const change = {
      kind: 'backup' as const,
      commons: id,
      principal,
      reason,
      approvalId,
      summary: `restore ${service} of ${id} from backup ${backupId} into the database of Secret ${target}`,
      request: { id, reason, restore: { backupId, service, ...(secret ? { secret } : {}) } },
    };
    return gated(changes, change, { action: 'backup.restore', service }, async () => {
      const row = await commands.create({
        kind: 'restore',
        commonsId: id,
        service,
        target: { backupId, service, ...(secret ? { secret } : {}) },
        principal,
        action: 'backup.restore',
        detail: { backupId, service, secret: target, ...decided(reason, approvalId) },
      });
      return { status: 202 as const, location: `/api/v1/commands/${row.id}`, body: { command: { id: row.id, state: row.state as CommandState, kind: row.kind as CommandKind } } };
    });
  };

  mount(r, ROUTES.restoreBackup, store, ({ params: { id, backupId }, body, principal }) => restore({ id, backupId, ...body }, principal), {
    denial: (_req, { id }) => ({ action: 'backup.restore', commons: id }),
  });

  mount(
    r,
    ROUTES.putBackupSchedule,
    store,
    async ({ params: { id }, body, principal }) => {
      liveCommons(id);
      try {
        checkSchedule(body);
      } catch (e) {
        if (e instanceof ScheduleError) throw new HttpProblem(422, 'Invalid schedule', e.message, [{ field: e.field, message: e.message }]);
        throw e;
      }
      await audit(store, principal, { action: 'backup.schedule', outcome: 'succeeded', commons: id, detail: { cron: body.cron, timeZone: body.timeZone, ...(body.databases ? { databases: body.databases } : {}) } });
      return { status: 200, body: await backups.putSchedule(id, body, principal) };
    },
    { denial: (_req, { id }) => ({ action: 'backup.schedule', commons: id }) },
  );

  mount(
    r,
    ROUTES.deleteBackupSchedule,
    store,
    async ({ params: { id }, principal }) => {
      liveCommons(id);
      if (!(await backups.getSchedule(id))) throw notFound(`a backup schedule of commons ${id}`);
      await audit(store, principal, { action: 'backup.schedule.delete', outcome: 'succeeded', commons: id, detail: {} });
      await backups.deleteSchedule(id);
      return { status: 204, body: undefined };
    },
    { denial: (_req, { id }) => ({ action: 'backup.schedule.delete', commons: id }) },
  );

  return r;
}
