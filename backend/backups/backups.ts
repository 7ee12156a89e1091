// Gen3 database backups of the fleet's commons: on demand (POST
// /commons/{id}/backups, through the change gate like every change) and on a
// per-commons schedule (a cron expression in an IANA time zone, read by
// backend/windows/cron.ts), each a `backup` command the commons' agent carries
// out as a Kubernetes Job (agent/backups/). A backup's state, message and
// sizes are its command's. How old the last good backup may get is derived
// from the schedule: 1.5 × the longest gap between two occurrences (a daily
// schedule: 36 h), so one late or failed run is tolerated and two are not;
// without a schedule, 36 h.
import { randomUUID } from 'node:crypto';
import { BackupResult, type BackupList, type BackupScheduleSpec, type BackupScheduleView, type BackupStatus, type BackupTrigger, type BackupView, GEN3_DATABASE_SERVICES } from '../../contracts/backups';
import type { ActingPrincipal } from '../auth/principal';
import type { ChangeGate } from '../changes/gate';
import type { CommandService } from '../commands/command-service';
import type { Fleet } from '../fleet/fleet';
import type { BackupScheduleRow, BackupWithCommand, BackupsStore } from '../store/backups-store';
import type { CommandRow } from '../store/store';
import { CronError, isTimeZone, nextOccurrences, parseCron } from '../windows/cron';
import type { Logger } from '../../lib/logger';

/** Without a schedule: a daily backup's allowance. */
export const DEFAULT_MAX_AGE_SECONDS = 36 * 3600;
/** How long a backup command may run (the agent follows its Job until then). */
export const BACKUP_DEADLINE_MS = 6 * 3600 * 1000;
/** A scheduled occurrence missed for longer than this (the control service was down) is skipped; the next one runs. */
const CATCH_UP_MS = 6 * 3600 * 1000;

export interface BackupsDeps {
  store: BackupsStore;
  commands: Pick<CommandService, 'create'>;
  fleet: Pick<Fleet, 'get'>;
  gate: Pick<ChangeGate, 'check'>;
  log: Logger;
  now?: () => number;
}

/** A bad schedule: the field and why. */
export class ScheduleError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const compact = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** `YYYYMMDDTHHMMSSZ-<8 hex of the command id>`: sorts oldest first, names the dump folder. */
export function backupIdFor(atMs: number, commandId: string): string {
  return `${compact(new Date(atMs).toISOString())}-${commandId.replace(/-/g, '').slice(0, 8).toLowerCase()}`;
}

/** The schedule's check: the field that is wrong and why, or its parsed cron. */
export function checkSchedule(s: Pick<BackupScheduleSpec, 'cron' | 'timeZone'>) {
  if (!isTimeZone(s.timeZone)) throw new ScheduleError('body.timeZone', `${s.timeZone} is not an IANA time zone (e.g. America/Chicago, UTC)`);
  let cron;
  try {
    cron = parseCron(s.cron);
  } catch (e) {
    if (e instanceof CronError) throw new ScheduleError('body.cron', e.message);
    throw e;
  }
  if (nextOccurrences(cron, s.timeZone, Date.now(), 1).length === 0) throw new ScheduleError('body.cron', `${s.cron} never fires (a day that does not exist?)`);
  return cron;
}

/** 1.5 × the longest gap between the next 50 occurrences, in whole seconds. */
export function maxAgeSecondsOf(s: Pick<BackupScheduleSpec, 'cron' | 'timeZone'> | null, nowMs: number): number {
  if (!s) return DEFAULT_MAX_AGE_SECONDS;
  const times = nextOccurrences(checkSchedule(s), s.timeZone, nowMs, 50);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return gap > 0 ? Math.ceil((gap * 1.5) / 1000) : DEFAULT_MAX_AGE_SECONDS;
}

function statusOf(state: CommandRow['state'] | null): BackupStatus {
  if (state === 'queued' || state === 'dispatched') return 'queued';
  if (state === 'running') return 'running';
  if (state === 'succeeded') return 'succeeded';
  return 'failed';
}

export function backupView(r: BackupWithCommand): BackupView {
  const status = statusOf(r.state);
  const parsed = r.result_json ? BackupResult.safeParse(JSON.parse(r.result_json)) : null;
  const result = parsed?.success ? parsed.data : null;
  const services = JSON.parse(r.databases_json) as string[];
  const databases = services.map((service) => {
    const d = result?.databases.find((x) => x.service === service);
    return { service, database: d?.database || null, bytes: d?.bytes ?? null };
  });
  const known = databases.every((d) => d.bytes !== null);
  return {
    id: r.id,
    commonsId: r.commons_id,
    commandId: r.command_id,
    status,
    trigger: r.trigger as BackupTrigger,
    requestedBy: r.requested_by,
    startedAt: r.created_at,
    finishedAt: status === 'succeeded' || status === 'failed' ? (r.updated_at ?? r.created_at) : null,
    location: result?.location ?? null,
    message: r.state === null ? (r.note ?? 'not started') : (r.message ?? ''),
    databases,
    totalBytes: status === 'succeeded' && known ? databases.reduce((a, d) => a + (d.bytes ?? 0), 0) : null,
    retained: true,
  };
}

/** The keepLast the agent reported with a succeeded backup, if any. */
function keepLastOf(r: BackupWithCommand): number | undefined {
  if (r.state !== 'succeeded' || !r.result_json) return undefined;
  const parsed = BackupResult.safeParse(JSON.parse(r.result_json));
  return parsed.success ? parsed.data.keepLast : undefined;
}

/**
 * Marks the succeeded backups the claim no longer holds: the newest succeeded
 * backup's retention kept it and the keepLast - 1 succeeded ones before it
 * (rows newest first, as the store lists them).
 */
export function withRetention(rows: BackupWithCommand[]): BackupView[] {
  const keep = rows.map(keepLastOf).find((k) => k !== undefined);
  let seen = 0;
  return rows.map((r) => {
    const v = backupView(r);
    if (v.status !== 'succeeded') return v;
    seen++;
    return keep !== undefined && seen > keep ? { ...v, retained: false } : v;
  });
}

export class Backups {
  private readonly now: () => number;
  /** The newest occurrence claimed (or found claimed) per commons on this replica: where the next tick looks from. */
  private readonly claimedUpTo = new Map<string, number>();

  constructor(private readonly d: BackupsDeps) {
    this.now = d.now ?? Date.now;
  }

  /** The Gen3 service databases a commons runs, as its agent reports its services. */
  databasesOf(commonsId: string): string[] {
    const services = this.d.fleet.get(commonsId)?.services;
    return GEN3_DATABASE_SERVICES.filter((s) => services?.has(s));
  }

  /**
   * Queues a backup: the backup row, then its command (written with its audit
   * entry before the agent is asked). Scheduled ones claim their occurrence
   * first: false when another replica (or a restart) already did.
   */
  async start(o: { commonsId: string; principal: ActingPrincipal; databases: string[]; trigger: BackupTrigger; reason?: string; approvalId?: string; occurrence?: string }): Promise<{ backup: BackupView; command: CommandRow } | null> {
    const commandId = randomUUID();
    const at = this.now();
    const id = backupIdFor(at, commandId);
    const row = { id, commons_id: o.commonsId, command_id: commandId, trigger: o.trigger, requested_by: o.principal.actor, databases_json: JSON.stringify(o.databases), created_at: new Date(at).toISOString(), occurrence: o.occurrence ?? null, note: null };
    if (o.occurrence) {
      if (!(await this.d.store.claimOccurrence({ ...row, occurrence: o.occurrence }))) return null;
    } else {
      await this.d.store.insert(row);
    }
    const command = await this.d.commands.create({
      id: commandId,
      kind: 'backup',
      commonsId: o.commonsId,
      service: null,
      target: { backupId: id, databases: o.databases },
      principal: o.principal,
      action: 'backup.create',
      detail: { backupId: id, databases: o.databases, trigger: o.trigger, ...(o.reason ? { reason: o.reason } : {}), ...(o.approvalId ? { approval: o.approvalId } : {}), ...(o.occurrence ? { occurrence: o.occurrence } : {}) },
      deadlineMs: BACKUP_DEADLINE_MS,
    });
    const view = await this.d.store.get(o.commonsId, id);
    return { backup: backupView(view!), command };
  }

  async list(commonsId: string): Promise<BackupList> {
    const [rows, schedule] = await Promise.all([this.d.store.list(commonsId), this.d.store.getSchedule(commonsId)]);
    const items = withRetention(rows);
    const last = items.find((b) => b.status === 'succeeded');
    const view = schedule ? this.scheduleView(schedule) : null;
    return { items, lastSuccessAt: last?.finishedAt ?? null, maxAgeSeconds: view?.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS, schedule: view };
  }

  /** One backup, with whether the claim still holds it. */
  async get(commonsId: string, id: string): Promise<BackupView | undefined> {
    const newest = (await this.list(commonsId)).items;
    const hit = newest.find((b) => b.id === id);
    if (hit) return hit;
    // Older than the newest the list holds: removed if a newer succeeded backup already was.
    const r = await this.d.store.get(commonsId, id);
    if (!r) return undefined;
    const v = backupView(r);
    return v.status === 'succeeded' && newest.some((b) => !b.retained) ? { ...v, retained: false } : v;
  }

  scheduleView(r: BackupScheduleRow): BackupScheduleView {
    const spec = { cron: r.cron, timeZone: r.time_zone };
    const author = JSON.parse(r.author_json) as ActingPrincipal;
    return {
      commonsId: r.commons_id,
      ...spec,
      ...(r.databases_json ? { databases: JSON.parse(r.databases_json) as string[] } : {}),
      updatedBy: author.actor,
      updatedAt: r.updated_at,
      next: nextOccurrences(checkSchedule(spec), r.time_zone, this.now(), 3).map((t) => new Date(t).toISOString()),
      maxAgeSeconds: maxAgeSecondsOf(spec, this.now()),
    };
  }

  getSchedule(commonsId: string): Promise<BackupScheduleRow | undefined> {
    return this.d.store.getSchedule(commonsId);
  }

  async deleteSchedule(commonsId: string): Promise<boolean> {
    this.claimedUpTo.delete(commonsId);
    return this.d.store.deleteSchedule(commonsId);
  }

  async putSchedule(commonsId: string, spec: BackupScheduleSpec, principal: ActingPrincipal): Promise<BackupScheduleView> {
    checkSchedule(spec);
    const row: BackupScheduleRow = {
      commons_id: commonsId,
      cron: spec.cron,
      time_zone: spec.timeZone,
      databases_json: spec.databases ? JSON.stringify(spec.databases) : null,
      author_json: JSON.stringify({ actor: principal.actor, kind: principal.kind, role: principal.role }),
      updated_at: new Date(this.now()).toISOString(),
    };
    await this.d.store.putSchedule(row);
    this.claimedUpTo.delete(commonsId);
    return this.scheduleView(row);
  }

  /**
   * One pass of the schedules (the sweeper, about every 15 s): each commons'
   * latest occurrence due and not yet claimed starts one backup, through the
   * change gate as its schedule's author (a deny window refuses it, a policy
   * may hold it for approval); what the gate said is kept on the backup.
   */
  async tick(nowMs = this.now()): Promise<void> {
    for (const s of await this.d.store.listSchedules()) {
      try {
        await this.tickOne(s, nowMs);
      } catch (e) {
        this.d.log.error({ err: e, commons: s.commons_id }, 'scheduled backup failed to start');
      }
    }
  }

  private async tickOne(s: BackupScheduleRow, nowMs: number): Promise<void> {
    const from = Math.max(Date.parse(s.updated_at), nowMs - CATCH_UP_MS, this.claimedUpTo.get(s.commons_id) ?? 0);
    const due = nextOccurrences(checkSchedule({ cron: s.cron, timeZone: s.time_zone }), s.time_zone, from, 10_000, nowMs);
    const latest = due.at(-1);
    if (latest === undefined) return;
    this.claimedUpTo.set(s.commons_id, latest);
    if (!this.d.fleet.get(s.commons_id)) return;
    const principal = JSON.parse(s.author_json) as ActingPrincipal;
    const databases = s.databases_json ? (JSON.parse(s.databases_json) as string[]) : this.databasesOf(s.commons_id);
    const occurrence = new Date(latest).toISOString();
    // Started before (another replica, or this one before a restart): the gate is not asked again.
    if (await this.d.store.hasOccurrence(s.commons_id, occurrence)) return;
    if (databases.length === 0) {
      this.d.log.warn({ commons: s.commons_id, occurrence }, 'scheduled backup skipped: the commons reports no Gen3 service with a database');
      return;
    }
    const decision = await this.d.gate.check({
      kind: 'backup',
      commons: s.commons_id,
      principal,
      reason: `scheduled backup (${s.cron}, ${s.time_zone})`,
      summary: `back up ${databases.join(', ')} of ${s.commons_id} (scheduled, ${occurrence})`,
      request: { id: s.commons_id, databases },
      scheduled: { windowId: `backup-schedule:${s.commons_id}` },
    });
    if (decision.kind === 'allow') {
      const started = await this.start({ commonsId: s.commons_id, principal, databases, trigger: 'schedule', occurrence, reason: `scheduled (${s.cron}, ${s.time_zone})` });
      if (started) this.d.log.info({ commons: s.commons_id, occurrence, backup: started.backup.id }, 'scheduled backup started');
      return;
    }
    // Not allowed now: the occurrence is recorded as not started, with why.
    const id = backupIdFor(latest, randomUUID());
    const note = decision.kind === 'refuse' ? `not started: refused by ${decision.rule}: ${decision.detail}` : `not started: held for approval ${decision.approvalId} (${decision.rule}); approving it starts a backup`;
    const claimed = await this.d.store.claimOccurrence({ id, commons_id: s.commons_id, command_id: '', trigger: 'schedule', requested_by: principal.actor, databases_json: JSON.stringify(databases), created_at: new Date(nowMs).toISOString(), occurrence, note });
    if (claimed) this.d.log.warn({ commons: s.commons_id, occurrence, note }, 'scheduled backup not started');
  }

  /** Each scheduled commons' last good backup (Unix seconds), or its schedule's start when it has none yet; and the max age. */
  async freshness(): Promise<{ commons: string; lastSuccessSeconds: number; maxAgeSeconds: number }[]> {
    const [schedules, last] = await Promise.all([this.d.store.listSchedules(), this.d.store.lastSuccess()]);
    return schedules.map((s) => ({
      commons: s.commons_id,
      lastSuccessSeconds: Date.parse(last.get(s.commons_id) ?? s.updated_at) / 1000,
      maxAgeSeconds: maxAgeSecondsOf({ cron: s.cron, timeZone: s.time_zone }, this.now()),
    }));
  }
}
